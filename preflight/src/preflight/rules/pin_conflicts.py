"""F19: two exact pins that cannot be installed together: the build's install fails.

When the manifest pins a distribution exactly and also pins one of its dependencies
exactly, the installer has nothing to choose: if the first one's Requires-Dist (with
the target CPython's markers) excludes the second one's version, uv answers "No solution
found ... your requirements are unsatisfiable" and the build stops. akshit-shetty/EduOps360
pins pandas==2.1.4, which on CPython 3.12 requires numpy>=1.26.0, beside numpy==1.24.4
(a pair that works on the 3.11 it was written for). Ranges are left alone: a resolver may
find another version, and preflight is not one.
"""

from __future__ import annotations

from collections.abc import Iterator

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from preflight.context import CheckContext
from preflight.deps.resolve import Resolved, exact_pin
from preflight.files import relative_posix
from preflight.findings import Finding, Location
from preflight.rules.base import Expect, ProjectExample, ProjectRule


def _exact(package: Resolved) -> bool:
    """Whether the manifest's own line fixes this version (== or ===, no wildcard)."""
    requirement = package.via.requirement if package.via is not None else None
    return requirement is not None and exact_pin(requirement.specifier) is not None


def _excludes(constraint: Requirement, version: str | None) -> bool:
    if version is None or not str(constraint.specifier):
        return False
    try:
        return not constraint.specifier.contains(version, prereleases=True)
    except ValueError:  # a version packaging cannot read: no claim
        return False


class ConflictingPins(ProjectRule):
    """An exact pin whose version another exact pin's dependencies exclude."""

    id = "PF1902"
    fid = "F19"
    name = "conflicting-pins"
    message = "these exact pins cannot be installed together: the build's install fails"
    fix = "pin a version both accept (or loosen one pin and let the installer choose)"
    needs_index = True

    VALID = (
        ProjectExample(
            {"app.py": "app = 1\n", "requirements.txt": "pandas==2.1.4\nnumpy==1.26.4\n"}
        ),
        ProjectExample(  # a range: the installer picks another pandas
            {"app.py": "app = 1\n", "requirements.txt": "pandas>=2.0\nnumpy==1.24.4\n"}
        ),
    )
    INVALID = (
        ProjectExample(  # akshit-shetty/EduOps360 requirements.txt
            {"app.py": "app = 1\n", "requirements.txt": "pandas==2.1.4\nnumpy==1.24.4\n"},
            expect=(
                Expect(
                    "requirements.txt",
                    2,
                    1,
                    (
                        "numpy==1.24.4 conflicts with pandas 2.1.4 (requirements.txt:1), "
                        "which requires numpy<2,>=1.26.0 on CPython 3.12: the install finds "
                        "no solution and the build fails"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        resolution = ctx.resolution
        if resolution.source != "index":
            return  # a uv.lock is already a solution
        packages = resolution.packages
        reported: set[str] = set()
        for package in packages.values():
            if not _exact(package):
                continue
            for constraint in package.constraints:
                pinned = packages.get(canonicalize_name(constraint.name))
                if pinned is None or pinned.name in reported or not _exact(pinned):
                    continue
                if pinned.via is None or package.via is None:
                    continue
                if not _excludes(constraint, pinned.version):
                    continue
                reported.add(pinned.name)
                needs = f"{pinned.name}{constraint.specifier}"
                yield self.at(
                    Location(pinned.via.path, pinned.via.line),
                    f"{pinned.name}=={pinned.version} conflicts with {package.name} "
                    f"{package.version} ({relative_posix(package.via.path, ctx.project.root)}:"
                    f"{package.via.line}), which "
                    f"requires {needs} on CPython {ctx.python}: the install finds no "
                    "solution and the build fails",
                )
