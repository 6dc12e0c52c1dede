"""Which project file or folder a simple path expression names.

Used where a rule needs the real thing, not just "inside the bundle": whether a directory
that `os.makedirs(..., exist_ok=True)` creates is already shipped, or which folder a
`sys.path.insert(0, ...)` puts on the import path. Relative paths start at the working
directory, which on Vercel is /var/task, the project root; `__file__` is the module.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

from preflight.source import Module
from preflight.syntax import call_name


def ships_file(module: Module, name: str) -> bool:
    """A file the code names by a relative path (a database, an env file) is in the
    project: at the working directory, /var/task on Vercel, or beside the module."""
    return (module.root / name).is_file() or (module.path.parent / name).is_file()


def on_disk(expr: ast.expr, module: Module, depth: int = 0) -> Path | None:
    """The project path `expr` names, normalised, or None when any part of it is not a
    constant we can follow. Bounded deep enough for Django's settings idiom, ten steps:
    `os.path.dirname(str(DB_PATH))`, `DB_PATH = BASE_DIR / "db.sqlite3"`, `BASE_DIR =
    Path(__file__).resolve().parent.parent` (ketulmehta13/Event-Management-System-Assignment
    backend/project/settings.py, whose exist_ok makedirs of the project folder was
    reported as a write when a bound of 8 lost the path)."""
    if depth > 16:
        return None
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        if expr.value.startswith(("/", "~")):
            return None
        return Path(os.path.normpath(module.root / expr.value))
    if isinstance(expr, ast.Name):
        if expr.id == "__file__":
            return module.path
        value = module.local_value(expr)
        return on_disk(value, module, depth + 1) if value is not None else None
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):
        base, tail = on_disk(expr.left, module, depth + 1), _constant(expr.right)
        if base is None or tail is None:
            return None
        return Path(os.path.normpath(base / tail))
    if isinstance(expr, ast.Attribute) and expr.attr == "parent":
        base = on_disk(expr.value, module, depth + 1)
        return base.parent if base is not None else None
    if isinstance(expr, ast.Call):
        return _call_on_disk(expr, module, depth)
    if isinstance(expr, ast.Subscript):
        value = stored_at(expr, module)
        return on_disk(value, module, depth + 1) if value is not None else None
    return None


def stored_at(expr: ast.Subscript, module: Module) -> ast.expr | None:
    """The one value the module stores at this constant key (`app.config["UPLOAD_FOLDER"]
    = "uploads"`, then `os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)`:
    leonchanwy/flask-vercel api/index.py:9-13, whose uploads/ ships); None when the key
    is stored more than once or not at all."""
    key = _constant(expr.slice)
    if key is None:
        return None
    where = ast.dump(expr.value)
    stored = [
        assign.value
        for assign in module.of(ast.Assign)
        for target in assign.targets
        if isinstance(target, ast.Subscript)
        and _constant(target.slice) == key
        and ast.dump(target.value) == where
    ]
    return stored[0] if len(stored) == 1 else None


def _call_on_disk(call: ast.Call, module: Module, depth: int) -> Path | None:
    name = call_name(call) or ""
    if name in {"Path.cwd", "pathlib.Path.cwd", "os.getcwd"}:
        return module.root
    method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    if name in {"os.path.join", "Path", "pathlib.Path"} or method == "joinpath":
        first: ast.expr | None
        if isinstance(call.func, ast.Attribute) and method == "joinpath":
            first, rest = call.func.value, call.args
        else:
            first, rest = (call.args[0] if call.args else None), call.args[1:]
        base = on_disk(first, module, depth + 1) if first is not None else None
        tails = [_constant(a) for a in rest]
        if base is None or any(t is None for t in tails):
            return None
        return Path(os.path.normpath(base.joinpath(*(t for t in tails if t is not None))))
    if name in {"os.path.dirname", "os.path.abspath", "os.path.realpath", "str"} or method in {
        "resolve",
        "absolute",
    }:
        target = call.args[0] if call.args else getattr(call.func, "value", None)
        base = on_disk(target, module, depth + 1) if isinstance(target, ast.expr) else None
        if base is None:
            return None
        return base.parent if name == "os.path.dirname" else base
    return None


def _constant(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    return None
