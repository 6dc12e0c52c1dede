"""Where a path expression points, as far as the source alone can tell.

Low noise is the point: a path built from a parameter, a setting or an environment
variable is UNKNOWN and never flagged; only paths we can see land in the read-only
bundle (/var/task: relative paths, `__file__`-relative paths, absolute paths outside
/tmp) or in HOME are reported.
"""

from __future__ import annotations

import ast
import enum
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from preflight.files import uploaded_files
from preflight.on_vercel import UNKNOWN, evaluate
from preflight.project_paths import stored_at
from preflight.rules._attributes import self_attribute_value
from preflight.rules._settings_values import settings_default
from preflight.rules._stdlib_names import qualified_call_name
from preflight.source import Module
from preflight.syntax import dotted_name


class Where(enum.Enum):
    TMP = "tmp"  # /tmp, tempfile.*: writable (but per instance: F6)
    BUNDLE = "bundle"  # relative to the working dir or the code: /var/task, read-only
    ABSOLUTE = "absolute"  # an absolute path outside /tmp: read-only on Lambda
    HOME = "home"  # ~ / Path.home(): not writable in the function
    SPECIAL = "special"  # :memory:, /dev/null, stdout: not a file write
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PathInfo:
    where: Where
    text: str | None = None  # the literal tail when known ("users.json", "public/x")

    @property
    def read_only(self) -> bool:
        return self.where in {Where.BUNDLE, Where.ABSOLUTE, Where.HOME}

    @property
    def first_part(self) -> str | None:
        if self.text is None:
            return None
        parts = [p for p in self.text.replace("\\", "/").split("/") if p not in {"", "."}]
        return parts[0] if parts else None


_UNKNOWN = PathInfo(Where.UNKNOWN)
_TEMP_CALLS = {
    "tempfile.gettempdir",
    "tempfile.mkdtemp",
    "tempfile.mkstemp",
    "gettempdir",
    "mkdtemp",
    "tempfile.TemporaryDirectory",
    "tempfile.NamedTemporaryFile",
}
_PASS_THROUGH_CALLS = {
    "os.path.dirname",
    "os.path.abspath",
    "os.path.realpath",
    "os.path.normpath",
    "os.path.expanduser",
    "os.fspath",
    "str",
    "Path",
    "pathlib.Path",
    "PurePath",
    "PosixPath",
    "pathlib.PurePath",
    "pathlib.PosixPath",
    "os.path.join",
    "path.join",
}
_PASS_THROUGH_ATTRS = {"parent", "parents", "resolve", "absolute", "expanduser", "joinpath"}
_PASS_THROUGH_ATTRS |= {"with_suffix", "with_name", "format"}


def classify_literal(text: str) -> PathInfo:
    if text in {"", ":memory:"} or text.startswith(("/dev/", "file::memory:")):
        return PathInfo(Where.SPECIAL, text)
    if text == "/tmp" or text.startswith("/tmp/"):  # noqa: S108 - recognising it, not using it
        return PathInfo(Where.TMP, text)
    if text.startswith("~"):
        return PathInfo(Where.HOME, text)
    if text.startswith("/"):
        return PathInfo(Where.ABSOLUTE, text)
    return PathInfo(Where.BUNDLE, text)


def classify(expr: ast.expr, module: Module, depth: int = 0) -> PathInfo:
    """Where `expr` points when it is used as a file path: one classifier per kind of
    expression (_CLASSIFIERS), each following what the path is built from."""
    if depth > 24:  # deep enough for a call chain's returns, bounded for recursion
        return _UNKNOWN
    classifier = _CLASSIFIERS.get(type(expr))
    return classifier(expr, module, depth) if classifier is not None else _UNKNOWN


def _constant(expr: ast.Constant, module: Module, depth: int) -> PathInfo:
    return classify_literal(expr.value) if isinstance(expr.value, str) else _UNKNOWN


def _name(expr: ast.Name, module: Module, depth: int) -> PathInfo:
    if expr.id == "__file__":
        return PathInfo(Where.BUNDLE, None)
    value = module.local_value(expr)
    if value is None and module.program is not None:
        # reassigned (`path = Path(raw)`, then `path = ROOT / path`): where all agree
        return _agree([(module, v) for v in module.local_values(expr)], depth)
    return classify(value, module, depth + 1) if value is not None else _UNKNOWN


def _bool_op(expr: ast.BoolOp, module: Module, depth: int) -> PathInfo:
    if not isinstance(expr.op, ast.Or) or len(expr.values) != 2:
        return _UNKNOWN
    first = evaluate(expr.values[0], module)  # `log_dir or default_dir()`
    if first is UNKNOWN:
        return _agree([(module, v) for v in expr.values], depth)
    return classify(expr.values[0] if first else expr.values[1], module, depth + 1)


def _joined_str(expr: ast.JoinedStr, module: Module, depth: int) -> PathInfo:
    if not expr.values:
        return _UNKNOWN
    first = expr.values[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return classify_literal(first.value + _joined_tail(expr))
    if isinstance(first, ast.FormattedValue):
        base = classify(first.value, module, depth + 1)
        return _with_tail(base, _joined_tail(expr).lstrip("/"))
    return _UNKNOWN


def _bin_op(expr: ast.BinOp, module: Module, depth: int) -> PathInfo:
    if not isinstance(expr.op, ast.Div | ast.Add | ast.Mod):
        return _UNKNOWN
    base = classify(expr.left, module, depth + 1)
    tail = expr.right.value if isinstance(expr.right, ast.Constant) else None
    if isinstance(expr.op, ast.Div) and isinstance(tail, str):
        return _with_tail(base, tail)
    return base


def _subscript(expr: ast.Subscript, module: Module, depth: int) -> PathInfo:
    if _is_parents(expr.value):
        return classify(expr.value, module, depth + 1)
    setting = _config_value(expr, module)
    return classify(setting, module, depth + 1) if setting is not None else _UNKNOWN


def _attribute(expr: ast.Attribute, module: Module, depth: int) -> PathInfo:
    if expr.attr not in _PASS_THROUGH_ATTRS:
        value = self_attribute_value(expr, module)  # `self.db_path`, set once in __init__
        if value is not None:
            return classify(value, module, depth + 1)
        field = settings_default(expr, module)  # `settings.UPLOAD_DIR`, a BaseSettings field
        return classify(field[1], field[0], depth + 1) if field is not None else _UNKNOWN
    return classify(expr.value, module, depth + 1)


def _call(expr: ast.Call, module: Module, depth: int) -> PathInfo:
    known = evaluate(expr, module)  # os.getenv("LOG_DIR", "logs"): the default on Vercel
    if isinstance(known, str):
        return classify_literal(known)
    return _classify_call(expr, module, depth)


_CLASSIFIERS: dict[type[ast.expr], Callable[[Any, Module, int], PathInfo]] = {
    ast.Constant: _constant,
    ast.Name: _name,
    ast.BoolOp: _bool_op,
    ast.JoinedStr: _joined_str,
    ast.BinOp: _bin_op,
    ast.Subscript: _subscript,
    ast.Attribute: _attribute,
    ast.Call: _call,
}

# Calls whose result is a known place whatever their arguments.
_FIXED_PLACES = {
    **dict.fromkeys(_TEMP_CALLS, PathInfo(Where.TMP)),
    "Path.home": PathInfo(Where.HOME),
    "pathlib.Path.home": PathInfo(Where.HOME),
    "Path.cwd": PathInfo(Where.BUNDLE),
    "pathlib.Path.cwd": PathInfo(Where.BUNDLE),
    "os.getcwd": PathInfo(Where.BUNDLE),
}


def _classify_call(call: ast.Call, module: Module, depth: int) -> PathInfo:
    """A call's path, in order: a fixed place, a join of its arguments, a path built from
    its first argument, a first-party function's returns, a path method's result."""
    name = qualified_call_name(call, module) or ""
    if name in _FIXED_PLACES:
        return _FIXED_PLACES[name]
    if name.endswith((".gettempdir", ".mkdtemp")):
        return PathInfo(Where.TMP)
    if name in {"os.path.join", "path.join"} and call.args:
        return _os_path_join(call, module, depth)
    if name in _PASS_THROUGH_CALLS and call.args:
        base = classify(call.args[0], module, depth + 1)
        return _with_tails(base, call.args[1:])  # Path(a, "b")
    if module.program is not None and depth < 16:
        returns = module.program.returns(module, call)
        if returns:  # a first-party function: where its return values point
            return _agree(returns, depth)
    if isinstance(call.func, ast.Attribute) and call.func.attr in _PASS_THROUGH_ATTRS:
        return _path_method(call, call.func, module, depth)
    return _UNKNOWN


def _os_path_join(call: ast.Call, module: Module, depth: int) -> PathInfo:
    base = classify(call.args[0], module, depth + 1)
    for arg in call.args[1:]:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            if arg.value.startswith("/"):
                base = classify_literal(arg.value)
            else:
                base = _with_tail(base, arg.value)
        else:
            base = _with_tail(base, None)
    return base


def _with_tails(base: PathInfo, args: list[ast.expr]) -> PathInfo:
    """`base` joined with each string-constant argument (others leave it as is)."""
    for arg in args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            base = _with_tail(base, arg.value)
    return base


def _path_method(call: ast.Call, func: ast.Attribute, module: Module, depth: int) -> PathInfo:
    """`p.with_name("x")`, `p.joinpath("a", "b")`, `p.resolve()`...: from `p`."""
    base = classify(func.value, module, depth + 1)
    if func.attr == "with_name" and call.args:
        arg = call.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            parent = base.text.rsplit("/", 1)[0] + "/" if base.text and "/" in base.text else ""
            return PathInfo(base.where, parent + arg.value) if base.read_only else base
    if func.attr == "joinpath":
        return _with_tails(base, call.args)
    return base


def _config_value(expr: ast.Subscript, module: Module) -> ast.expr | None:
    """`app.config["UPLOAD_FOLDER"]` -> the value of the module's one assignment
    `app.config["UPLOAD_FOLDER"] = ...` (Flask's usual upload setting), else None."""
    owner = dotted_name(expr.value)
    if owner is None or not owner.endswith("config"):
        return None
    return stored_at(expr, module)


def _agree(values: list[tuple[Module, ast.expr]], depth: int) -> PathInfo:
    """The place every candidate value points to, when they all point to the same one."""
    infos = [classify(value, module, depth + 1) for module, value in values]
    if not infos or any(i.where is not infos[0].where for i in infos):
        return _UNKNOWN
    texts = {i.text for i in infos}
    return PathInfo(infos[0].where, texts.pop() if len(texts) == 1 else None)


def _is_parents(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Attribute) and expr.attr == "parents"


def _joined_tail(expr: ast.JoinedStr) -> str:
    return "".join(
        v.value for v in expr.values[1:] if isinstance(v, ast.Constant) and isinstance(v.value, str)
    )


def _with_tail(base: PathInfo, tail: str | None) -> PathInfo:
    if base.where is Where.UNKNOWN:
        return base
    if tail is None:
        return PathInfo(base.where, base.text)
    if base.text is None:
        return PathInfo(base.where, tail) if base.where is Where.BUNDLE else base
    return PathInfo(base.where, f"{base.text.rstrip('/')}/{tail}")


def describe(info: PathInfo) -> str:
    """Human words for where a write lands."""
    shown = f"'{info.text}'" if info.text else "a file"
    if info.where is Where.BUNDLE:
        return f"{shown} inside the deployed code (/var/task is read-only)"
    if info.where is Where.HOME:
        return f"{shown} in HOME (not writable in the function)"
    return f"{shown} outside /tmp (the function's filesystem is read-only)"


def dotted(expr: ast.expr) -> str:
    return dotted_name(expr) or ast.unparse(expr)


@lru_cache(maxsize=16)
def shipped_directories(root: Path) -> frozenset[Path]:
    """Every directory that holds an uploaded file: it exists in /var/task on Vercel."""
    found: set[Path] = set()
    for path in uploaded_files(root):
        for parent in path.parents:
            if parent in found or parent == root.parent:
                break
            found.add(parent)
    return frozenset(found)


def ships_directory(path: Path, module: Module) -> bool:
    """True when `path` is a directory the deploy uploads (with files in it)."""
    normal = Path(os.path.normpath(path))
    return normal in shipped_directories(module.root)
