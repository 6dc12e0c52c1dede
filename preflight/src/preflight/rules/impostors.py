"""F2: the declared distribution installs the module the code imports, but it is another
project than the one the code was written for.

PyPI's `jwt` is GehirnInc's python-jwt, whose module has no `encode` or `decode`: code
written for PyJWT fails with "module 'jwt' has no attribute 'encode'" (jpadilla/pyjwt#374,
GehirnInc/python-jwt#61). `decouple` 0.0.7 ("Decoupling logic") is not python-decouple:
`from decouple import config` raises ImportError (dotku/vercel-python-longcorn-openai).
`jose` 1.0.0 is Python 2 code, so importing it raises SyntaxError, and `telegram` 0.0.1 is
an empty package where python-telegram-bot was meant. Each was installed and run here on
CPython 3.12 (2026-12-07). PF201 sees nothing wrong, as the module name matches.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from packaging.utils import canonicalize_name

from preflight.context import CheckContext
from preflight.deps.closure import ImportUse
from preflight.deps.declared import RUNTIME, Declared
from preflight.findings import Finding, Location, Severity
from preflight.rules.base import Expect, ProjectExample, ProjectRule


@dataclass(frozen=True)
class Impostor:
    """A distribution that is not the project its import name suggests."""

    meant: str  # the distribution the code is written for
    what: str  # what the declared one is instead
    # names of the meant project's module that this one lacks; None: it lacks them all
    lacks: frozenset[str] | None
    import_fails: str = ""  # why importing it fails at all, when it does


_PYJWT_NAMES = frozenset(
    {"encode", "decode", "get_unverified_header", "PyJWKClient", "PyJWK", "PyJWT"}
    | {"ExpiredSignatureError", "InvalidTokenError", "DecodeError", "PyJWTError"}
    | {"InvalidSignatureError", "InvalidAudienceError", "InvalidIssuerError"}
)
_DECOUPLE_NAMES = frozenset(
    {"config", "Config", "AutoConfig", "Csv", "Choices", "RepositoryEnv", "RepositoryIni"}
    | {"UndefinedValueError", "undefined"}
)
IMPOSTORS = {
    "jwt": Impostor(
        "PyJWT", "GehirnInc's python-jwt, with no module-level encode/decode", _PYJWT_NAMES
    ),
    "decouple": Impostor(
        "python-decouple", "an unrelated 'Decoupling logic' package", _DECOUPLE_NAMES
    ),
    "jose": Impostor(
        "python-jose", "a Python 2 package", None, "its jose.py is Python 2 code: SyntaxError"
    ),
    "telegram": Impostor("python-telegram-bot", "an empty placeholder package", None),
}


class ImpostorDistribution(ProjectRule):
    """The manifest names a look-alike of the distribution the code is written for."""

    id = "PF206"
    fid = "F2"
    name = "look-alike-distribution"
    severity = Severity.ERROR
    message = "the declared distribution is another project than the one the code uses"
    fix = "declare the distribution the code is written for instead"

    VALID = (
        ProjectExample(
            {"app.py": "import jwt\nTOKEN = jwt.encode({}, 'k')\n", "requirements.txt": "PyJWT\n"}
        ),
        ProjectExample(  # written for GehirnInc's jwt: its JWT class is there
            {"app.py": "import jwt\nJWT = jwt.JWT()\n", "requirements.txt": "jwt\n"}
        ),
    )
    INVALID = (
        ProjectExample(  # dotku/vercel-python-longcorn-openai's api/main.py
            {
                "api/main.py": "from decouple import config\nfrom fastapi import FastAPI\n"
                "app = FastAPI()\nKEY = config('OPENAI_API_KEY')\n",
                "requirements.txt": "fastapi\ndecouple\n",
            },
            expect=(
                Expect(
                    "api/main.py",
                    1,
                    1,
                    (
                        "'decouple' comes from the declared decouple (requirements.txt:2), "
                        "an unrelated 'Decoupling logic' package, not python-decouple: it has "
                        "no 'config', so this raises ImportError"
                    ),
                ),
            ),
        ),
        ProjectExample(  # jpadilla/pyjwt#374: `pip install jwt` for PyJWT's API
            {
                "app.py": "import jwt\nfrom flask import Flask\napp = Flask(__name__)\n\n"
                "def token(user):\n    return jwt.encode({'sub': user}, 'k')\n",
                "requirements.txt": "flask\njwt\n",
            },
            expect=(
                Expect(
                    "app.py",
                    6,
                    12,
                    (
                        "'jwt' comes from the declared jwt (requirements.txt:2), GehirnInc's "
                        "python-jwt, with no module-level encode/decode, not PyJWT: it has no "
                        "'encode', so this raises AttributeError"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        runtime = {d.name: d for d in ctx.declared if d.scope == RUNTIME}
        for name, impostor in IMPOSTORS.items():
            declared = runtime.get(name)
            if declared is None or canonicalize_name(impostor.meant) in runtime:
                continue
            for use in ctx.closure.imports:
                if use.top != name or use.guarded:
                    continue
                failure = _failure(use, impostor)
                if failure is not None:
                    node, why = failure
                    yield self._finding(ctx, use, node, why, declared, impostor)
                    break  # one finding per distribution: the fix is one line

    def _finding(
        self,
        ctx: CheckContext,
        use: ImportUse,
        node: ast.AST,
        why: str,
        declared: Declared,
        impostor: Impostor,
    ) -> Finding:
        shown = declared.path.relative_to(ctx.project.root).as_posix()
        line, column = getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1
        return self.at(
            Location(use.module.path, line, column),
            f"'{use.top}' comes from the declared {declared.name} ({shown}:{declared.line}), "
            f"{impostor.what}, not {impostor.meant}: {why}",
            fix=f"declare {impostor.meant} instead of {declared.name} in {shown}",
        )


def _failure(use: ImportUse, impostor: Impostor) -> tuple[ast.AST, str] | None:
    """Where and how this use of the module fails with the look-alike installed."""
    node = use.node
    if impostor.import_fails:
        return node, f"{impostor.import_fails} as it is imported"
    if isinstance(node, ast.ImportFrom):
        if node.module != use.top:  # a submodule: an empty look-alike has none
            if impostor.lacks is not None:
                return None
            return node, f"it has no '{node.module}', so this raises ModuleNotFoundError"
        for alias in node.names:
            if impostor.lacks is None or alias.name in impostor.lacks:
                return node, f"it has no '{alias.name}', so this raises ImportError"
        return None
    if isinstance(node, ast.Import):
        return _attribute_use(use, node, impostor)
    return None


def _attribute_use(
    use: ImportUse, node: ast.Import, impostor: Impostor
) -> tuple[ast.AST, str] | None:
    """`import jwt` ... `jwt.encode(...)`: the first attribute the look-alike lacks."""
    bound = {a.asname or a.name for a in node.names if a.name == use.top}
    for attribute in use.module.of(ast.Attribute):
        value = attribute.value
        if not isinstance(value, ast.Name) or value.id not in bound:
            continue
        if impostor.lacks is None or attribute.attr in impostor.lacks:
            return attribute, f"it has no '{attribute.attr}', so this raises AttributeError"
    return None
