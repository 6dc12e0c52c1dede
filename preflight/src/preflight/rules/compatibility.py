"""F19: installed releases that cannot import together, or on the target CPython.

A fresh install on Vercel takes the newest releases allowed, so an old pin of one
package next to a loose requirement on its dependency can combine into a pair that
fails at import; an old pin can also predate the CPython Vercel runs (3.12 at least, so
no distutils). Only breaks with a source are listed; each entry says what users see,
and a package's entries are in the order its imports hit them (one finding per cause).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from preflight.context import CheckContext
from preflight.findings import Finding, Severity
from preflight.rules._declared_lines import declared_as
from preflight.rules.base import Expect, ProjectExample, ProjectRule
from preflight.source import Module

PYTHON = "python"  # KnownBreak.dependency for "the target CPython"


@dataclass(frozen=True)
class KnownBreak:
    package: str
    below: str | None  # the package's versions below this break (None: every version)
    dependency: str  # a distribution, or PYTHON for the CPython the function runs
    from_version: str  # ... with the dependency at or above this version
    symptom: str
    source: str  # where the break is documented
    # A break that bites only when the app uses a feature: a word its code must contain
    # in a module importing the package, and the moment it fails (not the import).
    used_when: str | None = None
    fails: str = "at import"
    # Another distribution whose own import reaches the break: without it the app may
    # never take the failing path, so the break is only reported with it installed.
    through: str | None = None
    # Imports that reach the break (the package's own, or one that loads it): when set, the
    # break counts only if the app imports one of them (nabsabraham/vercel-fastapi-react
    # installs sanic 19.6, and so websockets 6.0, but never imports either).
    imported_as: tuple[str, ...] = ()


KNOWN_BREAKS = (
    KnownBreak(
        "flask",
        "1.1.3",
        "jinja2",
        "3.1",
        "cannot import name 'escape' from 'jinja2'",
        "Jinja2 3.1.0 changelog (Markup and escape removed: import them from MarkupSafe); "
        "flask/__init__.py of Flask <= 1.1.2 imports them, and only 1.1.3 caps Jinja2 < 3.0 "
        "(novatorem/novatorem#53)",
    ),
    KnownBreak(
        "jinja2",
        "3.0",
        "markupsafe",
        "2.1",
        "cannot import name 'soft_unicode' from 'markupsafe'",
        "MarkupSafe 2.1.0 changelog (soft_unicode removed, deprecated in 2.0); Jinja2 2.x "
        "imports it, and Flask 1.1.4 caps Jinja2 < 3.0 but not MarkupSafe (Jinja2 2.11.3 with "
        "MarkupSafe 2.1.0 imported here under 3.12; huogerac/flask-vercel pins Flask==1.1.4)",
    ),
    KnownBreak(
        "flask",
        "2.3",
        "werkzeug",
        "3.0",
        "cannot import name 'url_quote' from 'werkzeug.urls'",
        "Werkzeug 3.0.0 changelog (url_quote removed); flask/helpers.py of Flask <= 2.2 "
        "imports it (e.g. HubSpot/private-app-starter#10)",
    ),
    KnownBreak(
        "flask-sqlalchemy",
        "3.0",
        "flask",
        "2.3",
        "cannot import name '_app_ctx_stack' from 'flask'",
        "Flask 2.3.0 changelog (_app_ctx_stack removed, deprecated in 2.2: pallets/flask#4682)",
    ),
    KnownBreak(
        "quart",
        "0.19.9",
        "flask",
        "3.1",
        "KeyError: 'PROVIDE_AUTOMATIC_OPTIONS' as Quart() is created",
        "Flask 3.1.0 reads config['PROVIDE_AUTOMATIC_OPTIONS'] in sansio/app.py add_url_rule, "
        "a key Quart's defaults lacked until 0.19.9 (pallets/quart#371, #381); seen under "
        "Vercel's builder and runtime on 000px/QQMusicApi (quart 0.19.6, flask 3.1.3)",
    ),
    KnownBreak(
        "passlib",
        None,
        "bcrypt",
        "5.0",
        "ValueError: password cannot be longer than 72 bytes (passlib's bcrypt check)",
        "bcrypt 5.0.0 changelog (hashpw raises over 72 bytes); pyca/bcrypt#1082. passlib "
        "loads its bcrypt backend at the first bcrypt hash or verify, so only apps whose "
        "CryptContext uses bcrypt fail (001simran/scamverse hashes with pbkdf2_sha256)",
        used_when="bcrypt",
        fails="at the first bcrypt hash or verify (sign-up, log-in)",
    ),
    KnownBreak(
        "django",
        "3.2.9",
        PYTHON,
        "3.12",
        "ModuleNotFoundError: No module named 'distutils' (django/utils/version.py)",
        "django/utils/version.py imports distutils.version up to 3.2.8, not from 3.2.9 "
        "(compare the 3.2.8 and 3.2.9 wheels); distutils removed in Python 3.12 (PEP 632)",
    ),
    KnownBreak(
        "websockets",
        "8.0",
        PYTHON,
        "3.11",
        "AttributeError: module 'asyncio' has no attribute 'coroutine'",
        "websockets 6.0 and 7.0 decorate protocol.py's, client.py's and server.py's "
        "coroutines with @asyncio.coroutine at import, 8.0 uses async def (compare the "
        "wheels, read 2026-12-08); asyncio.coroutine was removed in Python 3.11 (bpo-43216). "
        "sanic 19.6 caps websockets < 7 (aho-foundation/vercel-bot)",
        imported_as=("websockets", "sanic"),
    ),
    KnownBreak(
        "urllib3",
        "1.26.5",
        PYTHON,
        "3.12",
        "ModuleNotFoundError: No module named 'urllib3.packages.six.moves'",
        "urllib3 up to 1.26.4 vendors six 1.12.0, whose meta path importer has no find_spec, "
        "and Python 3.12's import system no longer falls back to find_module; 1.26.5 vendors "
        "six 1.16.0 (compare the wheels; both imported here under 3.12). requests < 2.25 "
        "caps urllib3 < 1.26 (novatorem/novatorem PR #90, fixed in its ba8aa92)",
    ),
    KnownBreak(
        "pydantic",
        "1.10.17",
        PYTHON,
        "3.12",
        "TypeError: ForwardRef._evaluate() missing 1 required keyword-only argument: "
        "'recursive_guard' (fastapi/openapi/models.py evaluates its forward references)",
        "CPython 3.12.4 made ForwardRef._evaluate's recursive_guard keyword-only, and "
        "pydantic 1.x passes it by position until 1.10.17 (pydantic/pydantic#9609; Vercel "
        "runs a current 3.12 patch). `import fastapi` with fastapi 0.88.0 and pydantic "
        "1.10.4 raised it here under CPython 3.13.0, and not with pydantic 1.10.17 "
        "(modelled on mj-avem/test-fastapi-vercel's fastapi 0.88 with pydantic~=1.10.4)",
        through="fastapi",
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
    message = "these versions are known to break each other (or the CPython) at import"
    fix = "pin a compatible pair (or upgrade the old package)"
    needs_index = True

    VALID = (
        ProjectExample({"app.py": "app = 1\n", "requirements.txt": "flask==3.1.3\n"}),
        ProjectExample(  # no fastapi: nothing evaluates forward references at import
            {"app.py": "import pydantic\napp = 1\n", "requirements.txt": "pydantic==1.10.4\n"}
        ),
        ProjectExample(  # nabsabraham/vercel-fastapi-react: websockets 6.0, never imported
            {"app.py": "app = 1\n", "requirements.txt": "websockets==6.0\n"}
        ),
    )
    INVALID = (
        ProjectExample(
            {"app.py": "app = 1\n", "requirements.txt": "flask==2.2.2\n"},
            expect=(
                Expect(
                    "requirements.txt",
                    1,
                    1,
                    (
                        "flask 2.2.2 with werkzeug 3.1.9 fails at import: cannot import "
                        "name 'url_quote' from 'werkzeug.urls'"
                    ),
                ),
            ),
        ),
        ProjectExample(  # aho-foundation/vercel-bot: sanic 19.6 caps websockets < 7
            {"app.py": "import websockets\napp = 1\n", "requirements.txt": "websockets==6.0\n"},
            expect=(
                Expect(
                    "requirements.txt",
                    1,
                    1,
                    (
                        "websockets 6.0 with Python 3.12 fails at import: AttributeError: "
                        "module 'asyncio' has no attribute 'coroutine'"
                    ),
                ),
            ),
        ),
        ProjectExample(
            {"app.py": "app = 1\n", "requirements.txt": "Django==3.2.8\n"},
            expect=(
                Expect(
                    "requirements.txt",
                    1,
                    1,
                    (
                        "django 3.2.8 with Python 3.12 fails at import: "
                        "ModuleNotFoundError: No module named 'distutils' "
                        "(django/utils/version.py)"
                    ),
                ),
            ),
        ),
        ProjectExample(  # mj-avem/test-fastapi-vercel's pins, with pydantic pinned exactly
            {
                "app.py": "from fastapi import FastAPI\napp = FastAPI()\n",
                "requirements.txt": "fastapi==0.88.0\npydantic==1.10.4\n",
            },
            expect=(
                Expect(
                    "requirements.txt",
                    2,
                    1,
                    (
                        "pydantic 1.10.4 with Python 3.12 fails at import: TypeError: "
                        "ForwardRef._evaluate() missing 1 required keyword-only argument: "
                        "'recursive_guard' (fastapi/openapi/models.py evaluates its forward "
                        "references)"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        packages = ctx.resolution.packages
        seen: set[str] = set()
        for known in KNOWN_BREAKS:
            package = packages.get(known.package)
            if package is None or (known.through and known.through not in packages):
                continue
            dep_version: str | None = ctx.python
            dep_label = f"Python {ctx.python}"
            if known.dependency != PYTHON:
                dependency = packages.get(known.dependency)
                dep_version = dependency.version if dependency else None
                dep_label = f"{known.dependency} {dep_version}"
            have, dep_have = _version(package.version), _version(dep_version)
            if have is None or dep_have is None:
                continue
            too_old = known.below is None or have < Version(known.below)
            if too_old and dep_have >= Version(known.from_version) and package.name not in seen:
                if known.used_when is not None and not _uses(ctx, known):
                    continue
                if known.imported_as and not _imports_any(ctx, known.imported_as):
                    continue
                seen.add(package.name)  # the first break in the table is the one that hits
                yield self.at(
                    declared_as(ctx, package)[0],
                    f"{known.package} {package.version} with {dep_label} fails "
                    f"{known.fails}: {known.symptom}",
                    fix=_remedy(known),
                    # a feature's requests fail, not every request
                    severity=None if known.used_when is None else Severity.WARNING,
                )


def _imports_any(ctx: CheckContext, tops: tuple[str, ...]) -> bool:
    return any(not use.guarded and use.top in tops for use in ctx.closure.imports)


def _uses(ctx: CheckContext, known: KnownBreak) -> bool:
    """Whether a module of the app that imports the package names the feature in its code
    (a string such as schemes=["bcrypt"], or a name such as passlib.hash.bcrypt), not
    in a comment."""
    top, word = known.package.replace("-", "_"), known.used_when or ""
    return any(
        top in module.imported_tops and any(word in w for w in _code_words(module))
        for module in ctx.closure.modules
    )


def _code_words(module: Module) -> set[str]:
    words = {n.value for n in module.of(ast.Constant) if isinstance(n.value, str)}
    words |= {n.attr for n in module.of(ast.Attribute)}
    words |= {a.name for n in module.of(ast.ImportFrom) for a in n.names}
    return words


def _remedy(known: KnownBreak) -> str:
    if known.dependency == PYTHON:
        return f'pin "{known.package}>={known.below}" (the first release that imports)'
    return f'pin "{known.dependency}<{known.from_version}" or upgrade {known.package}'
