"""What a call writes to: the path argument of open(..., "w"), os.makedirs, FileHandler,
Path.write_text, DataFrame.to_csv and kin, as a PathInfo (UNKNOWN when not visible).

Kept apart from the rule so that every write-shaped call is recognised in one place.
"""

from __future__ import annotations

import ast

from preflight.call_index import calls_named
from preflight.rules._paths import PathInfo, Where, classify
from preflight.rules._stdlib_names import file_module_aliases, qualified_call_name
from preflight.rules._uploads import is_upload
from preflight.source import Module
from preflight.syntax import call_name, dotted_name

_WRITE_MODE_CHARS = set("wax+")
_PATH_WRITE_METHODS = {"write_text", "write_bytes", "touch", "mkdir", "symlink_to"}
# Call name -> index of the path argument that is written to.
_WRITE_CALLS = {
    "os.mkdir": 0,
    "os.makedirs": 0,
    "os.rename": 1,
    "os.replace": 1,
    "shutil.copy": 1,
    "shutil.copy2": 1,
    "shutil.copyfile": 1,
    "shutil.copytree": 1,
    "shutil.move": 1,
    "logging.FileHandler": 0,
    "FileHandler": 0,
    "logging.handlers.RotatingFileHandler": 0,
    "logging.handlers.TimedRotatingFileHandler": 0,
    "logging.handlers.WatchedFileHandler": 0,
    "RotatingFileHandler": 0,
    "TimedRotatingFileHandler": 0,
    "WatchedFileHandler": 0,
    # Downloads to a named file: a model fetched at import into the working directory
    # (abdulrhmansalama/tumor-prediction app.py: gdown.download(url, "brain_tumor_model.h5")
    # beside the code, in read-only /var/task).
    "gdown.download": 1,
    "urllib.request.urlretrieve": 1,
    "wget.download": 1,
}
# The keyword each download call names its target file with (gdown 5 `output`, the
# standard library's `filename`, wget 3.2 `out`).
_TARGET_KEYWORDS = {
    "gdown.download": "output",
    "urllib.request.urlretrieve": "filename",
    "wget.download": "out",
}
_DATAFRAME_WRITES = {"to_csv", "to_json", "to_parquet", "to_excel", "savefig"}
_OPEN_CALLS = {"open", "io.open", "codecs.open", "aiofiles.open"}
_CALL_COMMAND = {"call_command", "management.call_command", "django.core.management.call_command"}


# The last part of every name above: a call whose last part is none of these (after an
# import alias, `from os import makedirs as mk`) writes nothing, which one set lookup
# tells for nearly every call of a module (Django: 34k calls, 0.2% of them writes).
_LAST_PARTS = frozenset(
    name.rpartition(".")[2]
    for name in (*_OPEN_CALLS, *_WRITE_CALLS, *_CALL_COMMAND, "logging.basicConfig")
) | {"save", "open", "add", *_PATH_WRITE_METHODS, *_DATAFRAME_WRITES}


def written_path(call: ast.Call, module: Module) -> PathInfo | None:
    """Where `call` writes, when it is a write: a function named for writing (open in a
    write mode, shutil copies, logging files, collectstatic) or a method of a path, an
    upload or a dataframe."""
    if not _may_write(call.func, module):
        return None
    name = qualified_call_name(call, module) or ""
    if name in _OPEN_CALLS or name in _WRITE_CALLS or name == "logging.basicConfig":
        return _function_write(name, call, module)
    if name in _CALL_COMMAND:
        return _collectstatic(call, module)
    if _is_loguru_add(call, module):
        return _loguru_sink(call, module)
    if isinstance(call.func, ast.Attribute):
        return _method_write(call.func.attr, call.func.value, call, module)
    return None


def _may_write(func: ast.expr, module: Module) -> bool:
    """Whether the called name can be one of the writes (its last part, or an alias's)."""
    if isinstance(func, ast.Attribute):
        return func.attr in _LAST_PARTS
    if isinstance(func, ast.Name):
        return func.id in _LAST_PARTS or func.id in file_module_aliases(module)
    return False  # `factory()()`, `handlers[0]()`: no name to write with


def _is_loguru_add(call: ast.Call, module: Module) -> bool:
    """`logger.add(...)` on loguru's logger (`from loguru import logger`, `loguru.logger`)."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "add"):
        return False
    receiver = dotted_name(func.value)
    if receiver == "loguru.logger":
        return True
    return receiver is not None and any(
        node.module == "loguru" and (a.asname or a.name) == receiver
        for node in module.of(ast.ImportFrom)
        for a in node.names
        if a.name == "logger"
    )


def _loguru_sink(call: ast.Call, module: Module) -> PathInfo | None:
    """A str or Path sink is a file: loguru's FileSink makes its folder and opens the file
    when the sink is added, unless `delay=True` (loguru 0.7.2 _file_sink.py:189-192,
    `if not delay: ... self._create_dirs(path); self._create_file(path)`), so an
    import-time `logger.add("log/app.log")` dies with EROFS (000px/QQMusicApi
    api/index.py:22). Streams and callables are UNKNOWN here and never flagged."""
    if any(k.arg == "delay" and not _false(k.value) for k in call.keywords):
        return None
    sink = call.args[0] if call.args else None
    for kw in call.keywords:
        if kw.arg == "sink":
            sink = kw.value
    return classify(sink, module) if sink is not None else None


def _false(value: ast.expr) -> bool:
    return isinstance(value, ast.Constant) and not value.value


def _function_write(name: str, call: ast.Call, module: Module) -> PathInfo | None:
    if name in _OPEN_CALLS:
        mode = _mode(call, 1)
        if call.args and mode is not None and _WRITE_MODE_CHARS & set(mode):
            return classify(call.args[0], module)
        return None
    index = _WRITE_CALLS.get(name)
    if index is not None and len(call.args) > index:
        return classify(call.args[index], module)
    keywords = {"filename"} if index is None else {"filename", "dst", "name", "path"}
    if name in _TARGET_KEYWORDS:
        keywords = {_TARGET_KEYWORDS[name]}
    for kw in call.keywords:  # logging.basicConfig(filename=...), copy(src, dst=...)
        if kw.arg in keywords:
            return classify(kw.value, module)
    return None


def _method_write(
    method: str, receiver: ast.expr, call: ast.Call, module: Module
) -> PathInfo | None:
    if method == "save" and call.args and is_upload(receiver, module):
        return classify(call.args[0], module)  # Werkzeug's FileStorage.save(dst)
    if method in _PATH_WRITE_METHODS:
        return _pathlike(receiver, module)
    if method == "open":
        mode = _mode(call, 0)
        if mode is not None and _WRITE_MODE_CHARS & set(mode):
            return _pathlike(receiver, module)
    if method in _DATAFRAME_WRITES and call.args:
        return classify(call.args[0], module)
    return None


def _pathlike(receiver: ast.expr, module: Module) -> PathInfo | None:
    info = classify(receiver, module)
    # A bare string receiver ("x".touch) is not a path; require a Path-ish expression.
    if isinstance(receiver, ast.Constant):
        return None
    return info if info.where is not Where.UNKNOWN else None


def _mode(call: ast.Call, index: int) -> str | None:
    value: ast.expr | None = call.args[index] if len(call.args) > index else None
    for kw in call.keywords:
        if kw.arg == "mode":
            value = kw.value
    if value is None:
        return "r"
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    return None


def writes(module: Module) -> list[tuple[ast.AST, PathInfo]]:
    """Every write the module's code can make whose target is visible, in source order:
    calls, and file handlers of a logging dict (`LOGGING = {...}` in Django settings,
    `logging.config.dictConfig({...})`), which open their file when configured."""
    found: list[tuple[ast.AST, PathInfo]] = []
    for call in calls_named(module, _LAST_PARTS | file_module_aliases(module).keys()):
        target = written_path(call, module)
        if target is not None:
            found.append((call, target))
    for node in module.of(ast.Dict):
        filename = _logging_file(node)
        if filename is not None and _configures_logging(module, node):
            found.append((node, classify(filename, module)))
    return sorted(found, key=lambda f: (getattr(f[0], "lineno", 0), getattr(f[0], "col_offset", 0)))


def _logging_file(node: ast.Dict) -> ast.expr | None:
    """The `filename` of a handler dict whose class is a FileHandler that opens at once
    (`"delay": True` opens at the first record instead)."""
    items = {
        k.value: v
        for k, v in zip(node.keys, node.values, strict=True)
        if isinstance(k, ast.Constant)
    }
    kind, delay = items.get("class"), items.get("delay")
    if not (isinstance(kind, ast.Constant) and str(kind.value).endswith("FileHandler")):
        return None
    if isinstance(delay, ast.Constant) and delay.value is True:
        return None
    return items.get("filename")


def _configures_logging(module: Module, node: ast.Dict) -> bool:
    """The dict is inside `LOGGING = ...` (Django configures it at setup) or a dictConfig
    call's argument, directly or through a module-level name."""
    for parent in module.ancestors(node):
        if isinstance(parent, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in _LOGGING_NAMES for t in parent.targets
        ):
            return True
        if isinstance(parent, ast.Call) and (call_name(parent) or "").endswith("dictConfig"):
            return True
    return False


_LOGGING_NAMES = frozenset({"LOGGING", "LOGGING_CONFIG", "LOG_CONFIG"})


def _collectstatic(call: ast.Call, module: Module) -> PathInfo | None:
    """`call_command("collectstatic")` copies every static file into STATIC_ROOT. Vercel's
    builder already runs it at build time and leaves STATIC_ROOT out of the function
    (@vercel/python 25.0.0, src/django.ts runDjangoCollectStatic), so at run time it
    creates STATIC_ROOT in read-only /var/task; with django-storages it uploads instead."""
    first = call.args[0] if call.args else None
    if not (isinstance(first, ast.Constant) and first.value == "collectstatic"):
        return None
    if module.imports_anywhere("storages"):
        return None
    return PathInfo(Where.BUNDLE, "STATIC_ROOT")
