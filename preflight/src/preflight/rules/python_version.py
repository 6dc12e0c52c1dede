"""F16: the Python version Vercel will run is not the one the project expects.

The nearest `.python-version` wins over `requires-python`. A `.python-version` the build
image does not offer is ignored with a warning and the default (3.12) is used, except a
discontinued one (3.6), which fails the build (packages/python/src/version.ts
`resolvePythonVersion`). A pyproject's `requires-python` is kept as written, so one
that excludes the Python the build runs, or is no specifier at all ("3.9"), fails the
build in `uv lock` / `uv pip install` (`preflight run`, vercel 64.0.2 / @vercel/python
25.0.0). A requirements.txt or Pipfile is converted with `requires-python = "~=3.X.0"`,
so only a pyproject.toml can do this.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from preflight.context import CheckContext
from preflight.findings import Finding, Fix, Location, Severity
from preflight.project import AVAILABLE_PYTHONS, read_toml
from preflight.project.python_version import major_minor
from preflight.rules.base import VERCEL_ONLY, Expect, ProjectExample, ProjectRule

_APP = "app = object()\n"
# packages/python/src/version.ts `allOptions`: versions with a discontinueDate.
DISCONTINUED = ("3.6",)


class PythonVersionIgnored(ProjectRule):
    """The requested Python version is not offered and silently replaced."""

    id = "PF1601"
    fid = "F16"
    name = "python-version-ignored"
    targets = VERCEL_ONLY
    severity = Severity.WARNING
    message = "this Python version is not offered by Vercel and is ignored"
    fix = "pin an offered version (3.12, 3.13 or 3.14) in .python-version"

    VALID = (ProjectExample({"app.py": _APP, ".python-version": "3.13\n"}),)
    INVALID = (
        ProjectExample(
            {"app.py": _APP, ".python-version": "3.10\n"},
            expect=(
                Expect(
                    ".python-version",
                    1,
                    1,
                    (
                        "Python '3.10' from .python-version is not offered by Vercel "
                        "(3.12, 3.13, 3.14): it is ignored and 3.12 runs"
                    ),
                ),
            ),
            fixed={".python-version": "3.12\n"},
        ),
        ProjectExample(
            {
                "app.py": _APP,
                "pyproject.toml": '[project]\nname = "a"\nversion = "0"\n'
                'requires-python = ">=3.9,<3.12"\n',
            },
            expect=(
                Expect(
                    "pyproject.toml",
                    4,
                    1,
                    (
                        "requires-python '>=3.9,<3.12' excludes every Python Vercel "
                        "offers (3.12, 3.13, 3.14): the build fails in its uv steps"
                    ),
                ),
            ),
        ),
        ProjectExample(
            {
                "app.py": _APP,
                "pyproject.toml": '[project]\nname = "a"\nversion = "0"\nrequires-python = "3.9"\n',
            },
            expect=(
                Expect(
                    "pyproject.toml",
                    4,
                    1,
                    (
                        "requires-python '3.9' is not a valid version specifier (write "
                        'e.g. ">=3.12"): the build fails in its uv steps'
                    ),
                ),
            ),
        ),
        ProjectExample(
            {"app.py": _APP, ".python-version": "3.6\n"},
            expect=(
                Expect(
                    ".python-version",
                    1,
                    1,
                    (
                        "Python '3.6' from .python-version is discontinued on Vercel: the "
                        "build fails (BUILD_UTILS_PYTHON_VERSION_DISCONTINUED)"
                    ),
                ),
            ),
            fixed={".python-version": "3.12\n"},
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        python = ctx.project.python
        refused = _requires_python_refused(ctx, python.version)
        if refused is not None:
            path, requires, valid = refused
            if not valid:
                why = 'is not a valid version specifier (write e.g. ">=3.12")'
            elif python.source == "requires-python":
                why = (
                    f"excludes every Python Vercel offers ({', '.join(sorted(AVAILABLE_PYTHONS))})"
                )
            else:
                why = f"excludes Python {python.version}, which Vercel runs (from {python.source})"
            yield self.at(
                Location(path, _line_of(path, "requires-python")),
                f"requires-python {requires!r} {why}: the build fails in its uv steps",
                fix=f'allow Python {python.version} in requires-python (e.g. ">=3.12")',
                severity=Severity.ERROR,
            )
            return
        if not python.ignored or python.path is None:
            return
        line = 1
        if python.source == "requires-python":
            line = _line_of(python.path, "requires-python")
        if (
            python.source == ".python-version"
            and major_minor(python.requested or "") in DISCONTINUED
        ):
            yield self.at(
                Location(python.path, line),
                f"Python {python.requested!r} from .python-version is discontinued on Vercel: "
                "the build fails (BUILD_UTILS_PYTHON_VERSION_DISCONTINUED)",
                severity=Severity.ERROR,
                autofix=_pin(ctx, python.version),
            )
            return
        yield self.at(
            Location(python.path, line),
            f"Python {python.requested!r} from {python.source} is not offered by Vercel "
            f"({', '.join(sorted(AVAILABLE_PYTHONS))}): it is ignored and {python.version} runs",
            autofix=_pin(ctx, python.version),
        )


class PythonVersionMismatch(ProjectRule):
    """`--python` says one version, but Vercel will pick another."""

    id = "PF1602"
    fid = "F16"
    name = "python-version-mismatch"
    targets = VERCEL_ONLY
    severity = Severity.WARNING
    message = "Vercel will run a different Python than the one you checked for"
    fix = "pin the version in .python-version so local, lock and Vercel agree"

    VALID = (
        ProjectExample({"app.py": _APP, ".python-version": "3.12\n"}),
        ProjectExample(  # a patch floor Vercel's current 3.12 meets (nemanjam's template)
            {
                "app.py": _APP,
                ".python-version": "3.12\n",
                "pyproject.toml": '[project]\nname = "x"\nversion = "0"\n'
                'requires-python = ">=3.12.10,<4.0"\ndependencies = []\n',
            }
        ),
    )
    INVALID = (
        ProjectExample(
            {"app.py": _APP, ".python-version": "3.13\n"},
            expect=(
                Expect(
                    ".python-version",
                    1,
                    1,
                    (
                        "you checked for Python 3.12, but Vercel will run 3.13 (from "
                        ".python-version): compiled wheels for one do not load on the "
                        "other"
                    ),
                ),
            ),
            options={"python": "3.12"},
            fixed={".python-version": "3.12\n"},
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        python = ctx.project.python
        if not ctx.python_from_cli or ctx.python == python.version:
            return
        where = python.path or ctx.project.root / ".python-version"
        source = python.source if python.source != "default" else "Vercel's default"
        yield self.at(
            Location(where, 1),
            f"you checked for Python {ctx.python}, but Vercel will run {python.version} "
            f"(from {source}): compiled wheels for one do not load on the other",
            autofix=_pin(ctx, ctx.python) if ctx.python in AVAILABLE_PYTHONS else None,
        )


def _requires_python_refused(ctx: CheckContext, version: str) -> tuple[Path, str, bool] | None:
    """(pyproject.toml, requires-python, whether it parses) when the winning
    pyproject's requires-python excludes `version` or is not a specifier at all."""
    manifest = ctx.project.manifest
    if manifest is None or manifest.kind != "pyproject":
        return None
    project = (read_toml(manifest.path) or {}).get("project")
    requires = project.get("requires-python") if isinstance(project, dict) else None
    if not isinstance(requires, str):
        return None
    try:
        spec = SpecifierSet(requires)
    except InvalidSpecifier:
        return manifest.path, requires, False
    # Vercel runs a current patch of the minor (uv's cpython-3.12.x), not x.y.0: a floor
    # like ">=3.12.10" is met (nemanjam/full-stack-fastapi-template-nextjs builds there)
    allowed = any(spec.contains(f"{version}.{patch}", prereleases=True) for patch in range(40))
    return None if allowed else (manifest.path, requires, True)


def _pin(ctx: CheckContext, version: str) -> Fix:
    path = ctx.project.root / ".python-version"
    return Fix.replace_file(path, version, f"write {version} to .python-version")


def _line_of(path: Path, needle: str) -> int:
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if needle in line:
                return number
    except OSError:
        return 1
    return 1
