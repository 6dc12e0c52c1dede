"""F18: files that would be published at public URLs.

Files outside the function that are uploaded are served as static files, so a `.env`,
a private key or a database file in the deployed tree is downloadable unless
`.vercelignore` leaves it out (the CLI uploads what .vercelignore does not exclude).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from preflight.context import CheckContext
from preflight.files import uploaded_files
from preflight.findings import Finding, Fix, Location, Severity
from preflight.rules.base import VERCEL_ONLY, ProjectExample, ProjectRule

_SECRET_PATTERNS = (
    ".env",
    ".env.*",
    "*.pem",
    "*.key",
    "id_rsa",
    "id_ed25519",
    "*.sqlite",
    "*.sqlite3",
    "*.db",
    "credentials.json",
    "service-account*.json",
)
_NOT_SECRET = {".env.example", ".env.sample", ".env.template", ".env.dist"}


class SecretsPublished(ProjectRule):
    """Secret-looking files that a deploy would upload and serve."""

    id = "PF1801"
    fid = "F18"
    name = "secret-file-published"
    targets = VERCEL_ONLY
    severity = Severity.WARNING
    message = "this file is uploaded with the deploy and can be served at a public URL"
    fix = "list it in .vercelignore (and keep secrets in project environment variables)"

    VALID = (
        ProjectExample({"app.py": "app = 1\n", ".env": "X=1\n", ".vercelignore": ".env\n"}),
        ProjectExample({"app.py": "app = 1\n", ".env.example": "X=\n"}),
    )
    INVALID = (
        ProjectExample({"app.py": "app = 1\n", ".env": "SECRET=1\n"}, expect=((".env", 1),)),
        ProjectExample({"app.py": "app = 1\n", "data/app.db": ""}, expect=(("data/app.db", 1),)),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        root = ctx.project.root
        for path in uploaded_files(root):
            if path.name in _NOT_SECRET:
                continue
            if any(fnmatch.fnmatch(path.name, p) for p in _SECRET_PATTERNS):
                rel = path.relative_to(root).as_posix()
                yield self.at(
                    Location(path, 1),
                    f"{rel} is uploaded with the deploy and can be downloaded from a public URL",
                    fix=f"add /{rel} to .vercelignore",
                    autofix=Fix.append(root / ".vercelignore", f"/{rel}", f"ignore /{rel}"),
                )
