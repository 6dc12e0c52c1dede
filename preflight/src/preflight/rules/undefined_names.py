"""F11: a name used at import that the module never binds: NameError at every cold start.

A typo in code that runs while the module is imported (`Flask(_name_)` for
`Flask(__name__)`, shubham-123-gh/trip_geine api/app.py) raises NameError before the app
exists; Vercel's runtime reports `could not import` and every request answers 500
FUNCTION_INVOCATION_FAILED. Only certain cases are reported: the name is bound nowhere
in the file, in no scope (so scoping subtleties cannot make a false alarm), is no builtin
or module attribute, and the file neither star-imports nor reaches for its namespace
(`globals()`, `exec`, the builtins module) nor catches the NameError.
"""

from __future__ import annotations

import ast
import builtins
import difflib
from collections.abc import Iterator

from preflight.context import CheckContext
from preflight.findings import Finding, Location, Severity
from preflight.rules.base import Expect, ProjectExample, ProjectRule
from preflight.source import Module

# Builtins of newer CPythons than the one preflight may run on, and the names every
# module and class body has without binding them.
_IMPLICIT = frozenset(dir(builtins)) | {
    "PythonFinalizationError",
    "__annotations__",
    "__builtins__",
    "__cached__",
    "__doc__",
    "__file__",
    "__loader__",
    "__module__",
    "__name__",
    "__package__",
    "__path__",
    "__qualname__",
    "__spec__",
    "_",  # gettext.install() and friends put it into builtins
}
# Calls that can bind names the AST does not show.
_NAMESPACE_CALLS = frozenset({"globals", "locals", "vars", "exec", "eval", "__import__"})
# Nodes whose children all run when they run: a name under only these (up to the module)
# runs at every import. Anything else (if, loops, try, boolean short-circuits, asserts,
# comprehensions over maybe-empty input) makes it conditional: a warning.
_ALWAYS_RUN = (
    ast.Module,
    ast.ClassDef,
    ast.Expr,
    ast.Assign,
    ast.AugAssign,
    ast.AnnAssign,
    ast.Call,
    ast.keyword,
    ast.Attribute,
    ast.Subscript,
    ast.BinOp,
    ast.UnaryOp,
    ast.Tuple,
    ast.List,
    ast.Dict,
    ast.Set,
    ast.Starred,
    ast.JoinedStr,
    ast.FormattedValue,
    ast.With,
    ast.withitem,
    ast.Raise,
)
_CATCHES_NAME_ERROR = ("NameError", "Exception", "BaseException")
# PEP 695 type parameters bind names too (ast has them from CPython 3.12 on).
_TYPE_PARAMS = tuple(
    getattr(ast, kind) for kind in ("TypeVar", "ParamSpec", "TypeVarTuple") if hasattr(ast, kind)
)
_TYPE_ALIAS = tuple(getattr(ast, kind) for kind in ("TypeAlias",) if hasattr(ast, kind))


_LOAD = ast.Load  # the parser makes no subclasses: a class test, not isinstance


def _bound_anywhere(module: Module) -> set[str]:
    """Every name the file binds, in any scope: a name bound in none cannot be found by
    any lookup, whatever the scoping rules. Read from the module's nodes by class (the
    parser makes no subclasses): ast.walk of each tree, here and in _opaque, was 40% of
    a check on Django."""
    bound = {n.id for n in module.of(ast.Name) if n.ctx.__class__ is not _LOAD}
    defs: list[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef] = [
        *module.of(ast.FunctionDef),
        *module.of(ast.AsyncFunctionDef),
        *module.of(ast.ClassDef),
    ]
    bound.update(d.name for d in defs)
    bound.update(a.arg for a in module.of(ast.arg))
    bound.update((a.asname or a.name).split(".")[0] for a in module.of(ast.alias))
    named: list[ast.ExceptHandler | ast.MatchAs | ast.MatchStar] = [
        *module.of(ast.ExceptHandler),
        *module.of(ast.MatchAs),
        *module.of(ast.MatchStar),
    ]
    bound.update(n.name for n in named if n.name)
    bound.update(m.rest for m in module.of(ast.MatchMapping) if m.rest)
    scoped: list[ast.Global | ast.Nonlocal] = [*module.of(ast.Global), *module.of(ast.Nonlocal)]
    for statement in scoped:
        bound.update(statement.names)
    for param in _TYPE_PARAMS:
        bound.update(str(getattr(p, "name", "")) for p in module.of(param))
    return bound


def _opaque(module: Module) -> bool:
    """Whether names may come from somewhere the AST does not show."""
    if any(a.name == "*" for node in module.of(ast.ImportFrom) for a in node.names):
        return True
    imports: list[ast.Import | ast.ImportFrom] = [
        *module.of(ast.Import),
        *module.of(ast.ImportFrom),
    ]
    for node in imports:
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        names += [a.name for a in node.names]
        if any(n.split(".")[0] in ("builtins", "__builtin__") for n in names):
            return True
    if not _NAMESPACE_CALLS.isdisjoint([n.id for n in module.of(ast.Name)]):
        return True
    # sys.modules[__name__] and Enum._convert_ (ssl.py's _SSLMethod) fill the
    # module's namespace from outside the AST
    return any(n.attr in ("modules", "_convert_") for n in module.of(ast.Attribute))


def _evaluated_lazily(module: Module, node: ast.AST) -> bool:
    """Annotations (which `from __future__ import annotations` leaves unevaluated), and
    PEP 695 type alias values and type parameter bounds, which CPython evaluates only
    when asked for (`type Rows = list[Row]` names Row before it exists)."""
    child = node
    for parent in module.ancestors(node):
        if isinstance(parent, ast.AnnAssign | ast.arg) and child is parent.annotation:
            return True
        if isinstance(parent, _TYPE_PARAMS) or (
            isinstance(parent, _TYPE_ALIAS) and child is getattr(parent, "value", None)
        ):
            return True
        child = parent
    return False


def _caught(module: Module, node: ast.AST) -> bool:
    child = node
    for parent in module.ancestors(node):
        if isinstance(parent, ast.Try | ast.TryStar) and child in parent.body:
            for handler in parent.handlers:
                caught = "" if handler.type is None else ast.unparse(handler.type)
                if not caught or any(name in caught for name in _CATCHES_NAME_ERROR):
                    return True
        child = parent
    return False


def _always_runs(module: Module, node: ast.AST) -> bool:
    return all(isinstance(parent, _ALWAYS_RUN) for parent in module.ancestors(node))


class UndefinedNameAtImport(ProjectRule):
    """A name the module reads while it is imported but binds nowhere."""

    id = "PF1103"
    fid = "F11"
    name = "undefined-name-at-import"
    per_module = True
    severity = Severity.ERROR
    message = "NameError at import: the function never starts"
    fix = "define or import the name (or fix its spelling)"

    VALID = (
        ProjectExample({"app.py": "from flask import Flask\napp = Flask(__name__)\n"}),
        ProjectExample(  # bound later in another scope: not ours to judge
            {"app.py": "def setup():\n    global cfg\n    cfg = 1\nsetup()\napp = cfg\n"}
        ),
        ProjectExample(  # Python 2 names behind a guard that catches the NameError
            {"app.py": "try:\n    text = unicode\nexcept NameError:\n    text = str\napp = 1\n"}
        ),
        ProjectExample({"app.py": "from helpers import *\napp = make_app()\n"}),
        ProjectExample({"app.py": "def view():\n    return missing()\napp = 1\n"}),
    )
    INVALID = (
        ProjectExample(  # shubham-123-gh/trip_geine api/app.py
            {
                "api/app.py": "from flask import Flask\n\napp = Flask(_name_)\n",
                "requirements.txt": "flask==3.1.3\n",
            },
            expect=(
                Expect(
                    "api/app.py",
                    3,
                    13,
                    (
                        "'_name_' is bound nowhere in api/app.py (did you mean '__name__'?): "
                        "importing it raises NameError, so the function never starts"
                    ),
                ),
            ),
        ),
        ProjectExample(  # under an `if`: it fails only when the branch runs
            {
                "app.py": "import os\napp = object()\nif os.environ.get('DEBUG'):\n"
                "    enable_debugger(app)\n",
            },
            expect=(
                Expect(
                    "app.py",
                    4,
                    5,
                    (
                        "'enable_debugger' is bound nowhere in app.py: importing it raises "
                        "NameError when this code runs"
                    ),
                ),
            ),
        ),
    )

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        closure = ctx.closure
        for module in closure.modules:
            if _opaque(module):
                continue
            known = _bound_anywhere(module) | _IMPLICIT
            reported: set[str] = set()
            for node in module.of(ast.Name):
                name = node.id
                if name in known or name in reported or not isinstance(node.ctx, ast.Load):
                    continue
                if not module.is_import_time(node) or _evaluated_lazily(module, node):
                    continue
                if _caught(module, node):
                    continue
                reported.add(name)
                surely = module.path in closure.required and _always_runs(module, node)
                yield self._finding(module, node, known, surely)

    def _finding(self, module: Module, node: ast.Name, known: set[str], surely: bool) -> Finding:
        close = difflib.get_close_matches(node.id, sorted(known), n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        when = ", so the function never starts" if surely else " when this code runs"
        return self.at(
            Location(module.path, node.lineno, node.col_offset + 1),
            f"{node.id!r} is bound nowhere in {module.rel}{hint}: importing it raises "
            f"NameError{when}",
            severity=Severity.ERROR if surely else Severity.WARNING,
        )
