"""F18: files that would be published at public URLs.

Whether an uploaded file is served follows the preset (preflight/preset.py): on "Other"
with no `public/` the project folder is the output, so a `.env`, a private key or a
database file is downloadable at its path (failure-modes F18). Under a Python preset only
`public/` is served and the file is bundled into the function instead; legacy `builds`
output only what they build. Then it is still uploaded to Vercel (a note), and a warning
only where the dashboard's preset, not vercel.json, decides.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from pathlib import Path

from preflight.context import CheckContext
from preflight.files import in_site_packages, uploaded_files
from preflight.findings import Finding, Fix, Location, Severity
from preflight.preset import preset_of
from preflight.rules.base import VERCEL_ONLY, Expect, ProjectExample, ProjectRule
from preflight.vercel_config import read_vercel_config

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
# One regex for all the patterns: fnmatch per pattern and file was 44k calls on a large tree.
# fnmatch.translate keeps fnmatch.fnmatch's meaning; normcase is the identity on POSIX.
_SECRET = re.compile("|".join(fnmatch.translate(p) for p in _SECRET_PATTERNS))
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
        ProjectExample(  # a committed environment's CA bundle (mmburu8/Product_QC produced/)
            {"app.py": "app = 1\n", "produced/Lib/site-packages/certifi/cacert.pem": "CERT"}
        ),
        ProjectExample(  # public by design: Vite puts it into the page (MariyaMomin/EchoMind)
            {"app.py": "app = 1\n", "frontend/.env.production": "VITE_API_URL=https://x\n"}
        ),
    )
    INVALID = (
        ProjectExample(
            {"app.py": "app = 1\n", ".env": "SECRET=1\n"},
            expect=(
                Expect(
                    ".env",
                    1,
                    1,
                    (".env is uploaded with the deploy and can be downloaded from a public URL"),
                ),
            ),
            fixed={".vercelignore": "/.env\n"},
        ),
        ProjectExample(
            {"app.py": "app = 1\n", "data/app.db": ""},
            expect=(
                Expect(
                    "data/app.db",
                    1,
                    1,
                    (
                        "data/app.db is uploaded with the deploy and can be downloaded "
                        "from a public URL"
                    ),
                ),
            ),
            fixed={".vercelignore": "/data/app.db\n"},
        ),
        ProjectExample(  # a pinned Python preset serves only public/: the file is bundled
            {"app.py": "app = 1\n", "vercel.json": '{"framework": "flask"}', "key.pem": "k"},
            expect=(
                Expect(
                    "key.pem",
                    1,
                    1,
                    (
                        "key.pem is uploaded with the deploy and bundled into the "
                        "function, not served (the flask preset)"
                    ),
                ),
            ),
            fixed={".vercelignore": "/key.pem\n"},
        ),
        ProjectExample(  # the dashboard decides: served only on "Other"
            {"app.py": "app = 1\n", "requirements.txt": "flask\n", "key.pem": "k"},
            expect=(
                Expect(
                    "key.pem",
                    1,
                    1,
                    (
                        "key.pem is uploaded with the deploy and bundled into the "
                        'function under the flask preset a new project gets; on "Other" '
                        "(older projects) it can be downloaded from a public URL"
                    ),
                ),
            ),
            fixed={".vercelignore": "/key.pem\n"},
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        root = ctx.project.root
        exposure = _exposure(root)
        for path in uploaded_files(root):
            if path.name in _NOT_SECRET or not _SECRET.match(path.name):
                continue
            rel = path.relative_to(root).as_posix()  # for the few that match only
            if not _public_by_design(path, rel):
                served = rel.startswith("public/") or exposure[0] == "served"
                yield self.at(
                    Location(path, 1),
                    f"{rel} is uploaded with the deploy and "
                    + ("can be downloaded from a public URL" if served else exposure[1]),
                    severity=Severity.WARNING
                    if served or exposure[0] == "maybe"
                    else Severity.NOTE,
                    fix=f"add /{rel} to .vercelignore",
                    autofix=Fix.append(root / ".vercelignore", f"/{rel}", f"ignore /{rel}"),
                )


# Prefixes of variables that front-end build tools put into the public bundle on purpose
# (Vite, Next.js, Create React App, Nuxt, Gatsby, SvelteKit/Astro).
_PUBLIC_PREFIXES = ("VITE_", "NEXT_PUBLIC_", "REACT_APP_", "NUXT_PUBLIC_", "GATSBY_", "PUBLIC_")


def _public_by_design(path: Path, rel: str) -> bool:
    """A package's own data file inside a committed environment (certifi's cacert.pem: a
    public CA bundle), or an env file whose every variable is a front-end public one
    (`VITE_API_URL=...`, which the build puts into the page anyway)."""
    if in_site_packages(rel.split("/")[:-1]):
        return True
    if not path.name.startswith(".env"):
        return False
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return False
    names = [
        line.removeprefix("export ").split("=", 1)[0].strip()
        for line in lines
        if "=" in line and not line.lstrip().startswith("#")
    ]
    return bool(names) and all(name.startswith(_PUBLIC_PREFIXES) for name in names)


def _exposure(root: Path) -> tuple[str, str]:
    """("served" | "maybe" | "bundled", how the file is exposed) for files outside public/."""
    if "builds" in (read_vercel_config(root) or {}):
        return "bundled", "bundled where `builds` use it, not served (legacy builds)"
    preset = preset_of(root)
    if preset.slug is None:
        public = (root / "public").is_dir()
        return ("bundled", "not served: public/ is the output") if public else ("served", "")
    if preset.source == "detected":
        return "maybe", (
            f"bundled into the function under the {preset.slug} preset a new project gets; "
            'on "Other" (older projects) it can be downloaded from a public URL'
        )
    return "bundled", f"bundled into the function, not served (the {preset.slug} preset)"
