"""What simple expressions evaluate to when the module runs on Vercel.

Rules must know which branch of `if not os.environ.get("VERCEL"):` or
`if os.getenv("LOG_FILE_ENABLED", "true").lower() == "true":` the function takes: a write
on a branch Vercel never runs is no error, and one on a branch it always runs is.

The environment is what the function sees: Vercel sets VERCEL=1, VERCEL_ENV, VERCEL_URL
and VERCEL_REGION (docs: "System Environment Variables"), the runtime is Lambda
(AWS_LAMBDA_FUNCTION_NAME), `.env` is never loaded, and variables the module itself sets at
import (`os.environ["X"] = "..."`, `os.environ.setdefault("X", "...")`) hold their value.
Any other variable is taken as unset, so a read with a default gives the default: the
dashboard may set it, which the messages say. Anything else evaluates to UNKNOWN.
"""

from __future__ import annotations

import ast
import re
from typing import Final

from preflight.import_names import imported_from, imported_value
from preflight.source import Module
from preflight.syntax import call_name, dotted_name


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()
_SET_ON_VERCEL: Final = {
    "VERCEL": "1",
    "VERCEL_ENV": "production",
    "VERCEL_URL": "app.vercel.app",
    "VERCEL_REGION": "iad1",
    "AWS_LAMBDA_FUNCTION_NAME": "vercel",
}
_PLATFORM_TEST: Final = re.compile(r"VERCEL|LAMBDA|SERVERLESS|platform|READ_?ONLY|readonly")
# Variables other hosts set for themselves, so they are surely unset on Vercel (Render,
# Heroku, Railway, Fly.io, PythonAnywhere, Azure App Service, Cloud Run, App Engine, Koyeb,
# Replit), unlike a variable of the project's own, which its Vercel dashboard may set.
_OTHER_PLATFORMS: Final = re.compile(
    r"(RENDER|HEROKU|DYNO|RAILWAY|FLY|PYTHONANYWHERE|WEBSITE|K_SERVICE|GAE|KOYEB|REPL)(_|$)"
)
_ENV_READS: Final = {"os.environ.get", "environ.get", "os.getenv", "getenv"}
_STR_METHODS: Final = {"strip", "lower", "upper", "casefold", "lstrip", "rstrip"}


def evaluate(expr: ast.expr, module: Module, depth: int = 0) -> object:
    """The value of `expr` on Vercel, or UNKNOWN."""
    if depth > 6:
        return UNKNOWN
    if isinstance(expr, ast.Constant):
        return expr.value
    if isinstance(expr, ast.Name) and expr.id == "__name__":
        return module.path.stem  # imported, never "__main__"
    if isinstance(expr, ast.Name | ast.Attribute):
        followed = _followed(expr, module)
        return evaluate(followed[1], followed[0], depth + 1) if followed else UNKNOWN
    return _operation(expr, module, depth)


def _operation(expr: ast.expr, module: Module, depth: int) -> object:
    """`not x`, `a or b`, comparisons, environ lookups, literal collections and calls."""
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.Not):
        inner = evaluate(expr.operand, module, depth + 1)
        return UNKNOWN if inner is UNKNOWN else not inner
    if isinstance(expr, ast.BoolOp):
        return _bool_op(expr, module, depth)
    if isinstance(expr, ast.Compare) and len(expr.ops) == 1:
        return _compare(expr, module, depth)
    if isinstance(expr, ast.Subscript) and dotted_name(expr.value) in {"os.environ", "environ"}:
        key = evaluate(expr.slice, module, depth + 1)
        return _env(key, None, module) if isinstance(key, str) else UNKNOWN
    if isinstance(expr, ast.Set | ast.List | ast.Tuple):
        items = [evaluate(e, module, depth + 1) for e in expr.elts]
        return UNKNOWN if any(i is UNKNOWN for i in items) else tuple(items)
    if isinstance(expr, ast.Call):
        return _call(expr, module, depth)
    return UNKNOWN


def _followed(expr: ast.expr, module: Module) -> tuple[Module, ast.expr] | None:
    """What a name or a class attribute stands for, with the module it is written in: a
    local or module-level name's one value, a name imported from a first-party module
    (`from settings import ENV`), or the one assignment of `Config.FLASK_ENVIRONMENT` in
    the body of a first-party class, defined here or imported: the settings-class idiom
    of Flask apps (JunaidMovido/flask-vercel api/config.py, whose `if
    Config.FLASK_ENVIRONMENT == "development":` keeps a log file off Vercel)."""
    if isinstance(expr, ast.Name):
        value = module.local_value(expr)
        return (module, value) if value is not None else imported_value(module, expr.id)
    if not (isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name)):
        return None
    found = _top_class(expr.value.id, module)
    if found is None:
        imported = imported_from(module, expr.value.id)
        found = _top_class(imported[1], imported[0]) if imported is not None else None
    if found is None:
        return None
    where, cls = found
    values = [
        stmt.value
        for stmt in cls.body
        if isinstance(stmt, ast.Assign | ast.AnnAssign)
        and stmt.value is not None
        and any(isinstance(t, ast.Name) and t.id == expr.attr for t in _targets(stmt))
    ]
    return (where, values[0]) if len(values) == 1 else None


def _top_class(name: str, module: Module) -> tuple[Module, ast.ClassDef] | None:
    classes = [s for s in module.tree.body if isinstance(s, ast.ClassDef) and s.name == name]
    return (module, classes[0]) if len(classes) == 1 else None


def _targets(stmt: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]


def _bool_op(expr: ast.BoolOp, module: Module, depth: int) -> object:
    """`a or b` / `a and b` with Python's short-circuit values."""
    result: object = UNKNOWN
    for value in expr.values:
        result = evaluate(value, module, depth + 1)
        if result is UNKNOWN:
            return UNKNOWN
        if isinstance(expr.op, ast.Or) and result:
            return result
        if isinstance(expr.op, ast.And) and not result:
            return result
    return result


def _compare(expr: ast.Compare, module: Module, depth: int) -> object:
    op = expr.ops[0]
    right_node = expr.comparators[0]
    if isinstance(op, ast.In | ast.NotIn) and dotted_name(right_node) in {"os.environ", "environ"}:
        key = evaluate(expr.left, module, depth + 1)
        if not isinstance(key, str):
            return UNKNOWN
        present = _env(key, None, module) is not None
        return present if isinstance(op, ast.In) else not present
    left = evaluate(expr.left, module, depth + 1)
    right = evaluate(right_node, module, depth + 1)
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    try:
        if isinstance(op, ast.Eq):
            return left == right
        if isinstance(op, ast.NotEq):
            return left != right
        if isinstance(op, ast.In):
            return left in right  # type: ignore[operator]
        if isinstance(op, ast.NotIn):
            return left not in right  # type: ignore[operator]
        if isinstance(op, ast.Is):
            return left is right
        if isinstance(op, ast.IsNot):
            return left is not right
    except TypeError:
        return UNKNOWN
    return UNKNOWN


def _call(call: ast.Call, module: Module, depth: int) -> object:
    name = call_name(call) or ""
    if name in _ENV_READS and call.args:
        key = evaluate(call.args[0], module, depth + 1)
        default = evaluate(call.args[1], module, depth + 1) if len(call.args) > 1 else None
        return _env(key, default, module) if isinstance(key, str) else UNKNOWN
    if name in {"bool", "str"} and len(call.args) == 1:
        value = evaluate(call.args[0], module, depth + 1)
        return UNKNOWN if value is UNKNOWN else (bool(value) if name == "bool" else str(value))
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in _STR_METHODS and not call.args:
        value = evaluate(func.value, module, depth + 1)
        return getattr(value, func.attr)() if isinstance(value, str) else UNKNOWN
    if isinstance(func, ast.Name) and not call.args and not call.keywords:
        return _local_function_value(func.id, module, depth)
    return UNKNOWN


def _local_function_value(name: str, module: Module, depth: int) -> object:
    """`def on_vercel(): return bool(os.environ.get("VERCEL"))`: a module-level function
    without parameters whose body is one return statement."""
    for stmt in module.tree.body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name == name:
            body = [s for s in stmt.body if not _is_docstring(s)]
            args = stmt.args
            if args.args or args.posonlyargs or args.kwonlyargs or args.vararg or args.kwarg:
                return UNKNOWN
            if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value:
                return evaluate(body[0].value, module, depth + 1)
    return UNKNOWN


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)


def _env(key: str, default: object, module: Module) -> object:
    if key in _SET_ON_VERCEL:
        return _SET_ON_VERCEL[key]
    return module.env_at_import.get(key, default)


def truth(test: ast.expr, module: Module) -> object:
    """Whether `test` is true on Vercel (True / False), or UNKNOWN.

    Three-valued where `evaluate` needs every value: `not app.debug and not is_serverless`
    is false on Vercel whatever app.debug holds, because one operand of an `and` is false
    (RoggerMS/Crunevo2 crunevo/app.py:723 keeps its logs/ mkdir off Vercel this way); an `or`
    with one true operand is true.
    """
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = truth(test.operand, module)
        return UNKNOWN if inner is UNKNOWN else not inner
    if isinstance(test, ast.BoolOp):
        values = [truth(value, module) for value in test.values]
        decisive = isinstance(test.op, ast.Or)  # the operand value that settles the result
        if decisive in values:
            return decisive
        return UNKNOWN if UNKNOWN in values else not decisive
    value = evaluate(test, module)
    return UNKNOWN if value is UNKNOWN else bool(value)


def branch_never_runs(module: Module, node: ast.AST, *, dashboard_may_set: bool = False) -> bool:
    """The node sits in a branch of an `if` (or conditional expression) that Vercel never
    takes: `if not os.environ.get("VERCEL"):`, the else of `if os.getenv("VERCEL"):`,
    `if __name__ == "__main__":`, `if not os.environ.get("X"):` after the module set X.
    A test that names the platform (LAMBDA, READ_ONLY, ...) but cannot be evaluated counts
    as ruling the write out: the code already tells the platforms apart.

    With `dashboard_may_set`, a test that reads a variable of the project's own (neither
    Vercel's, nor another host's, nor set by the module) rules nothing out: for code that
    would fix a crash (`if os.environ.get("PRODUCTION"): ALLOWED_HOSTS = [...]`) taking
    the variable as unset would turn the project's own switch into a false error."""
    child: ast.AST = node
    for parent in module.ancestors(node):
        if isinstance(parent, ast.If | ast.IfExp | ast.While):
            in_body = (
                child is parent.body
                if isinstance(parent, ast.IfExp)
                else any(child is s for s in parent.body)
            )
            in_else = (
                child is parent.orelse
                if isinstance(parent, ast.IfExp)
                else any(child is s for s in parent.orelse)
            )
            own_switch = dashboard_may_set and _reads_own_variable(parent.test, module)
            if (in_body or in_else) and not own_switch:
                value = truth(parent.test, module)
                if value is UNKNOWN and _PLATFORM_TEST.search(ast.unparse(parent.test)):
                    return True  # a platform test we cannot evaluate: the code tells them apart
                if value is not UNKNOWN and bool(value) != in_body:
                    return True
        child = parent
    return False


def _reads_own_variable(test: ast.expr, module: Module, depth: int = 0) -> bool:
    """Whether `test` reads an environment variable that only the project's own settings
    can set (following names to their one assigned value), or a key it cannot name."""
    for node in ast.walk(test):
        key: ast.expr | None = None
        if isinstance(node, ast.Call) and (call_name(node) or "") in _ENV_READS and node.args:
            key = node.args[0]
        elif isinstance(node, ast.Subscript) and dotted_name(node.value) in {
            "os.environ",
            "environ",
        }:
            key = node.slice
        elif isinstance(node, ast.Compare) and dotted_name(node.comparators[0]) in {
            "os.environ",
            "environ",
        }:
            key = node.left
        elif isinstance(node, ast.Name | ast.Attribute) and depth < 6:
            followed = _followed(node, module)
            if followed and _reads_own_variable(followed[1], followed[0], depth + 1):
                return True
        if key is None:
            continue
        name = evaluate(key, module)
        if not isinstance(name, str):
            return True
        known = name in _SET_ON_VERCEL or name in module.env_at_import
        if not known and not _OTHER_PLATFORMS.match(name):
            return True
    return False
