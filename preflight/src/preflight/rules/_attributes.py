"""What `self.name` holds, when its class sets it once from something visible.

A class that wraps a file names its path once, in `__init__`, often as a parameter with a
default (Rajesh5101x/Rajesh_portfolio api/index.py: `def __init__(self,
db_name='contact.db'): self.db_name = db_name`, then `sqlite3.connect(self.db_name)` in
each method, on a database in read-only /var/task). The default is what the attribute
holds only when no construction in the module passes that parameter, so anything else
(a second assignment, a caller that passes a path, a class never built here) is unknown.
"""

from __future__ import annotations

import ast

from preflight.call_index import calls_named
from preflight.source import Module


def self_attribute_value(expr: ast.Attribute, module: Module) -> ast.expr | None:
    """The expression `self.<attr>` was set to, or None when that is not certain."""
    if not (isinstance(expr.value, ast.Name) and expr.value.id == "self"):
        return None
    cls = next((a for a in module.ancestors(expr) if isinstance(a, ast.ClassDef)), None)
    if cls is None:
        return None
    assigned = [
        (function, node.value)
        for function in cls.body
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
        if isinstance(node, ast.Assign) and any(_is_self_attr(t, expr.attr) for t in node.targets)
    ]
    if len(assigned) != 1 or assigned[0][0].name != "__init__":
        return None
    init, value = assigned[0]
    if not isinstance(value, ast.Name):
        return value if isinstance(value, ast.Constant) else None
    return _default_never_overridden(init, value.id, cls.name, module)


def _is_self_attr(target: ast.expr, attr: str) -> bool:
    return (
        isinstance(target, ast.Attribute)
        and target.attr == attr
        and isinstance(target.value, ast.Name)
        and target.value.id == "self"
    )


def _default_never_overridden(
    init: ast.FunctionDef | ast.AsyncFunctionDef, param: str, cls: str, module: Module
) -> ast.expr | None:
    """The constant default of `param`, when the module builds `cls` and no call passes it."""
    args = init.args
    positional = [*args.posonlyargs, *args.args]
    names = [a.arg for a in positional]
    if param not in names or names.index(param) == 0:
        return None  # not a parameter of its own (or `self`)
    index = names.index(param)
    offset = len(positional) - len(args.defaults)
    if index < offset:
        return None  # no default: every caller passes it
    default = args.defaults[index - offset]
    if not isinstance(default, ast.Constant):
        return None
    calls = [c for c in calls_named(module, (cls,)) if isinstance(c.func, ast.Name)]
    for call in calls:
        starred = any(isinstance(a, ast.Starred) for a in call.args)
        if starred or len(call.args) >= index or any(k.arg in {param, None} for k in call.keywords):
            return None
    return default if calls else None
