"""The full dotted name of a call into the standard library's file modules, whatever
name the module imported them under.

`from os import path` then `path.dirname(__file__)`, or `from os.path import join`, are
as common in real apps as `os.path.join` (000px/QQMusicApi api/index.py:3, whose
import-time `open(f'{pwd}/credential.json', 'w')` went unseen because `path.dirname` was
not recognised). The path and write tables in _paths/_writes are keyed by the canonical
names, so every call is looked up through here first.
"""

from __future__ import annotations

import ast
import weakref

from preflight.source import Module
from preflight.syntax import call_name

# Only the modules whose functions the path and write tables name: an alias of anything
# else is left alone (a first-party `path` module stays `path`).
_FILE_MODULES = frozenset(
    {"os", "os.path", "pathlib", "shutil", "tempfile", "io", "codecs"}
    | {"logging", "logging.handlers", "urllib.request"}
)
# id(module) -> (weak reference, aliases): weak, so a finished check still frees its
# trees at once; the reference tells a reused id from the module it was computed for.
_CACHE: dict[int, tuple[weakref.ref[Module], dict[str, str]]] = {}


def file_module_aliases(module: Module) -> dict[str, str]:
    """Local name -> canonical dotted name, for names bound by importing the file modules."""
    cached = _CACHE.get(id(module))
    if cached is not None and cached[0]() is module:
        return cached[1]
    found: dict[str, str] = {}
    for node in module.of(ast.Import):
        for alias in node.names:
            if alias.asname and alias.name in _FILE_MODULES:
                found[alias.asname] = alias.name  # import os.path as osp
    for node_from in module.of(ast.ImportFrom):
        if node_from.level or node_from.module not in _FILE_MODULES:
            continue
        for alias in node_from.names:
            full = f"{node_from.module}.{alias.name}"
            # from os import path -> os.path; from os.path import join as pjoin -> os.path.join
            found[alias.asname or alias.name] = full
    if len(_CACHE) > 4096:  # entries of freed modules: drop them all, they are cheap to redo
        _CACHE.clear()
    _CACHE[id(module)] = (weakref.ref(module), found)
    return found


def qualified_call_name(call: ast.Call, module: Module) -> str | None:
    """`path.join` -> `os.path.join` after `from os import path`; other names as written."""
    name = call_name(call)
    if name is None:
        return None
    head, dot, rest = name.partition(".")
    full = file_module_aliases(module).get(head)
    if full is None:
        return name
    return f"{full}{dot}{rest}"
