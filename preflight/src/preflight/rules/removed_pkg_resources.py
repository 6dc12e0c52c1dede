"""F19: a dependency whose package imports pkg_resources as it loads, with a setuptools
that no longer has it.

setuptools 82.0.0 removed pkg_resources (its wheels from 82 on carry no pkg_resources/,
read 2026-12-08), and on CPython 3.12 the builder's venv seeds no setuptools at all, so
nothing provides it unless an older setuptools is pinned. A package whose __init__.py
imports it unguarded then fails the moment the app imports it: djangorestframework-
simplejwt 5.3.0 (`from pkg_resources import get_distribution`; 5.3.1 uses importlib),
which Donaldson17/Simple-Expense-Tracker pins, and APScheduler 3.9.1, which requires
setuptools and so gets one without pkg_resources. The app's own `import pkg_resources` is
PF1903's (rules/_removals.py) or PF201's. What each package's __init__.py imports is read
from its wheel (Index.init_imports), only for the packages the app imports unguarded.
"""

from __future__ import annotations

from collections.abc import Iterator

from packaging.version import InvalidVersion, Version

from preflight.context import CheckContext
from preflight.deps.mapping import named_like
from preflight.findings import Finding, Severity
from preflight.rules.base import Expect, ProjectExample, ProjectRule

_REMOVED_IN = Version("82.0.0")


class DependencyImportsPkgResources(ProjectRule):
    """An import of a package that imports pkg_resources, which nothing installed has."""

    id = "PF1905"
    fid = "F19"
    name = "dependency-needs-pkg-resources"
    message = "this package imports pkg_resources, which the installed setuptools lacks"
    fix = "upgrade the package (newer releases use importlib.metadata), or pin setuptools<82"
    needs_index = True

    _APP = "import rest_framework_simplejwt\napp = 1\n"
    VALID = (
        ProjectExample(
            {"app.py": _APP, "requirements.txt": "djangorestframework-simplejwt==5.3.1\n"}
        ),
        ProjectExample(  # an old setuptools still has it
            {
                "app.py": _APP,
                "requirements.txt": "djangorestframework-simplejwt==5.3.0\nsetuptools==80.9.0\n",
            }
        ),
    )
    INVALID = (
        ProjectExample(  # Donaldson17/Simple-Expense-Tracker requirements.txt
            {"app.py": _APP, "requirements.txt": "djangorestframework-simplejwt==5.3.0\n"},
            expect=(
                Expect(
                    "app.py",
                    1,
                    1,
                    (
                        "rest_framework_simplejwt (djangorestframework-simplejwt 5.3.0) "
                        "imports pkg_resources as it loads, and nothing installed provides "
                        "it (the builder's venv on CPython 3.12 has no setuptools): this "
                        "import raises ModuleNotFoundError"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        packages = ctx.resolution.packages
        setuptools = packages.get("setuptools")
        if setuptools is not None and not _without_pkg_resources(setuptools.version):
            return
        having = (
            "nothing installed provides it (the builder's venv on CPython 3.12 has no setuptools)"
            if setuptools is None
            else f"setuptools {setuptools.version}, which the install picks, no longer has it"
        )
        providers = _providers(ctx, {u.top for u in ctx.closure.imports if not u.guarded})
        reported: set[str] = set()
        for use in ctx.closure.imports:
            found = providers.get(use.top)
            if use.guarded or found is None or use.top in reported:
                continue
            reported.add(use.top)
            surely = use.module.path in ctx.closure.required
            yield self.at(
                use.location,
                f"{use.top} ({found}) imports pkg_resources as it loads, and {having}: this "
                "import raises ModuleNotFoundError",
                severity=None if surely else Severity.WARNING,
            )


def _without_pkg_resources(version: str | None) -> bool:
    try:
        return version is not None and Version(version) >= _REMOVED_IN
    except InvalidVersion:
        return False


def _providers(ctx: CheckContext, tops: set[str]) -> dict[str, str]:
    """Import name -> "distribution version" for each imported package whose __init__.py
    imports pkg_resources. Only declared distributions, and pulled-in ones named like an
    import, are read (PF201 reads the same file lists), never every dependency."""
    found: dict[str, str] = {}
    with ctx.phase("index"):
        for name, resolved in ctx.resolution.packages.items():
            if resolved.version is None or name == "setuptools":
                continue
            if resolved.via is None and not named_like(name, tops):
                continue
            provided = ctx.index.top_level(name, resolved.version) or ()
            for top in set(provided) & tops:
                imports = ctx.index.init_imports(name, resolved.version, top)
                if imports is not None and "pkg_resources" in imports:
                    found[top] = f"{name} {resolved.version}"
    return found
