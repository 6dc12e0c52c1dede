"""F19: an unpinned dependency resolves to a release that breaks another one.

A fresh install on Vercel takes the newest releases allowed, so an old pin of one
package next to a loose requirement on its dependency can combine into a pair that
fails at import. Only pairs known to break are listed; each entry says what users see.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from preflight.context import CheckContext
from preflight.findings import Finding, Location, Severity
from preflight.rules.base import ProjectExample, ProjectRule


@dataclass(frozen=True)
class KnownBreak:
    package: str
    below: str | None  # the package's versions below this break (None: every version)
    dependency: str
    from_version: str  # ... with the dependency at or above this version
    symptom: str


KNOWN_BREAKS = (
    KnownBreak(
        "flask", "2.3", "werkzeug", "3.0", "cannot import name 'url_quote' from 'werkzeug.urls'"
    ),
    KnownBreak(
        "flask-sqlalchemy",
        "3.0",
        "flask",
        "2.3",
        "cannot import name '_app_ctx_stack' from 'flask'",
    ),
    KnownBreak(
        "passlib",
        None,
        "bcrypt",
        "5.0",
        "ValueError: password cannot be longer than 72 bytes (passlib's bcrypt check)",
    ),
)


def _version(text: str | None) -> Version | None:
    try:
        return Version(text) if text else None
    except InvalidVersion:
        return None


class IncompatibleResolution(ProjectRule):
    """A pair of installed versions known to fail together at import."""

    id = "PF1901"
    fid = "F19"
    name = "incompatible-versions"
    severity = Severity.ERROR
    message = "these versions are known to break each other at import"
    fix = "pin a compatible pair (or upgrade the old package)"
    needs_index = True

    VALID = (ProjectExample({"app.py": "app = 1\n", "requirements.txt": "flask==3.1.3\n"}),)
    INVALID = (
        ProjectExample(
            {"app.py": "app = 1\n", "requirements.txt": "flask==2.2.2\n"},
            expect=(("requirements.txt", 1),),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        packages = ctx.resolution.packages
        for known in KNOWN_BREAKS:
            package, dependency = packages.get(known.package), packages.get(known.dependency)
            if package is None or dependency is None:
                continue
            have, dep_have = _version(package.version), _version(dependency.version)
            if have is None or dep_have is None:
                continue
            too_old = known.below is None or have < Version(known.below)
            if too_old and dep_have >= Version(known.from_version):
                via = package.via
                manifest = ctx.project.manifest
                location = (
                    Location(via.path, via.line)
                    if via is not None
                    else Location(manifest.path if manifest else ctx.project.root, 1)
                )
                yield self.at(
                    location,
                    f"{known.package} {package.version} with {known.dependency} "
                    f"{dependency.version} fails at import: {known.symptom}",
                    fix=f'pin "{known.dependency}<{known.from_version}" or upgrade {known.package}',
                )
