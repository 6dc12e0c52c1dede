"""F2: a uv.lock that no longer matches pyproject.toml.

Vercel's builder installs a committed uv.lock as it is (`uv sync --frozen` for a lock the
user provides: vercel/vercel packages/python/src/index.ts:1026-1032 at 17d9ebaf8e,
install.ts ensureUvProject), so a dependency added to pyproject.toml without re-locking
is simply not installed. Whether that takes the function down depends on how the code
imports it, which is why the severity follows the import closure.
"""

from __future__ import annotations

from collections.abc import Iterator

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from preflight.context import CheckContext
from preflight.deps.declared import RUNTIME
from preflight.deps.mapping import candidates
from preflight.findings import Finding, Location, Severity
from preflight.rules.base import VERCEL_ONLY, Expect, ProjectExample, ProjectRule

_APP = "from flask import Flask\nfrom flask_cors import CORS\napp = Flask(__name__)\n"
_PROJECT = '[project]\nname = "a"\nversion = "0"\n'
# A lock that holds flask and nothing else: each example's pyproject says what it misses.
_FLASK_LOCK = (
    'version = 1\n[[package]]\nname = "a"\nversion = "0"\n'
    'source = { editable = "." }\ndependencies = [{ name = "flask" }]\n'
    '[package.metadata]\nrequires-dist = [{ name = "flask", specifier = ">=3" }]\n'
)


class StaleUvLock(ProjectRule):
    """A runtime dependency in pyproject.toml that uv.lock does not contain."""

    id = "PF202"
    fid = "F2"
    name = "stale-uv-lock"
    targets = VERCEL_ONLY
    severity = Severity.ERROR
    message = "uv.lock is out of date: Vercel installs it --frozen, without this dependency"
    fix = "run `uv lock` and commit uv.lock"

    VALID = (
        ProjectExample(
            {
                "app.py": _APP,
                "pyproject.toml": _PROJECT + 'dependencies = ["flask>=3"]\n',
                "uv.lock": _FLASK_LOCK,
            }
        ),
    )
    INVALID = (
        ProjectExample(
            {
                "app.py": _APP,
                "pyproject.toml": (
                    _PROJECT + 'dependencies = [\n  "flask>=3",\n  "flask-cors>=4",\n]\n'
                ),
                "uv.lock": _FLASK_LOCK,
            },
            expect=(
                Expect(
                    "pyproject.toml",
                    6,
                    1,
                    (
                        "'flask-cors>=4' is not in uv.lock: Vercel installs the lock "
                        "--frozen, so it is missing in production: the import at app.py:2 "
                        "fails"
                    ),
                ),
            ),
        ),
        ProjectExample(  # imported under a guard only: the app runs without it (a warning)
            {
                "app.py": "from flask import Flask\ntry:\n    import redis\n"
                "except ImportError:\n    redis = None\napp = Flask(__name__)\n",
                "pyproject.toml": (
                    _PROJECT + 'dependencies = [\n  "flask>=3",\n  "redis>=5",\n]\n'
                ),
                "uv.lock": _FLASK_LOCK,
            },
            expect=(
                Expect(
                    "pyproject.toml",
                    6,
                    1,
                    (
                        "'redis>=5' is not in uv.lock: Vercel installs the lock --frozen, so "
                        "it is missing in production; the app imports it only under a guard "
                        "(app.py:3)"
                    ),
                ),
            ),
        ),
        ProjectExample(
            {"app.py": _APP, "pyproject.toml": _PROJECT, "uv.lock": "version = [[[\n"},
            expect=(
                Expect(
                    "uv.lock", 1, 1, "uv.lock does not parse: `uv sync --frozen` fails the build"
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        lock = ctx.lock
        manifest = ctx.project.manifest
        if lock is None and manifest is not None and manifest.lock is not None:
            if manifest.lock.name == "uv.lock":
                yield self.at(
                    Location(manifest.lock, 1),
                    "uv.lock does not parse: `uv sync --frozen` fails the build",
                )
            return
        if lock is None or not lock.roots:
            return
        locked = lock.roots[0].requires_dist
        for declared in ctx.declared:
            if declared.scope != RUNTIME:
                continue
            location = Location(declared.path, declared.line)
            if declared.name not in locked:
                consequence, severity = _missing_consequence(ctx, declared.name)
                yield self.at(
                    location,
                    f"{declared.raw!r} is not in uv.lock: Vercel installs the lock --frozen, "
                    f"so it is missing in production{consequence}",
                    severity=severity,
                )
            elif declared.requirement is not None and not _same_spec(
                str(declared.requirement.specifier), locked[declared.name]
            ):
                yield self.at(
                    location,
                    f"{declared.raw!r} differs from uv.lock ({locked[declared.name] or 'any'}): "
                    "the lock wins on Vercel",
                    severity=Severity.WARNING,
                )


def _missing_consequence(ctx: CheckContext, name: str) -> tuple[str, Severity | None]:
    """What a distribution missing from the install does to the function: an error when
    the function imports it unguarded (ModuleNotFoundError at that line), a warning when
    every import sits under a guard or none is seen (0x3st/fist at 905c6e3: redis and
    prometheus-client missing from a stale lock but imported under try/except ImportError,
    while psutil and celery, imported plainly, took the app down)."""
    uses = [use for use in ctx.closure.imports if name in candidates(use.dotted)]
    plain = [use for use in uses if not use.guarded]
    if plain:
        first = plain[0]
        return f": the import at {first.module.rel}:{first.node.lineno} fails", None
    if uses:
        first = uses[0]
        return (
            f"; the app imports it only under a guard ({first.module.rel}:{first.node.lineno})",
            Severity.WARNING,
        )
    return "; the function's code does not import it", Severity.WARNING


def _same_spec(a: str, b: str) -> bool:
    try:
        return SpecifierSet(a) == SpecifierSet(b)
    except InvalidSpecifier:
        return a == b
