"""Which local files an import names: the modules and packages Python would load from
the search roots, found with os.path on strings and each answer remembered for the check
(the import closure asks for every import of every file).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from preflight.one_pass import table
from preflight.source import Module


def resolve_local_exact(name: str, roots: list[Path]) -> list[Path]:
    """Like resolve_local, but only when every part of the name resolves (so "app.log"
    does not pull in app.py)."""
    found = resolve_local(name, roots)
    if not found:
        return []
    last = name.rsplit(".", 1)[-1]
    tail = found[-1]
    resolved = tail.stem == last or (tail.name == "__init__.py" and tail.parent.name == last)
    return found if resolved else []


def package_parts(module: Module) -> list[str]:
    """The dotted package of a module, from the __init__.py files above it."""
    parts: list[str] = []
    directory = os.path.dirname(module.path)  # on strings, each probe once (resolve_local)
    while _probe(os.path.exists, os.path.join(directory, "__init__.py")):
        parts.insert(0, os.path.basename(directory))
        directory = os.path.dirname(directory)
    return parts


def resolve_local(name: str, roots: list[Path]) -> list[Path]:
    """The local modules `name` imports (each package's __init__.py, then the module),
    from the first root that has any; remembered per name and roots for the check
    (Django's files import 3,900 names, 2,200 of them different: 3% of a check)."""
    memo = table(_RESOLVED)
    if memo is None:
        return _resolve(name, roots)
    key = (name, *roots)  # the roots as they are now: a sys.path insert changes them
    found = memo.get(key)
    if not isinstance(found, tuple):
        found = memo[key] = tuple(_resolve(name, roots))
    return list(found)


_RESOLVED = "local modules by name and roots"
_PROBED = "path probes"


def _resolve(name: str, roots: list[Path]) -> list[Path]:
    # On strings, each probe asked once per check: Django's 3,900 imports probed through
    # pathlib were a tenth of a check.
    parts = name.split(".")
    for root in roots:
        found: list[str] = []
        base = os.fspath(root)
        for part in parts:
            package = os.path.join(base, part)
            init = os.path.join(package, "__init__.py")
            if _probe(os.path.isfile, init):
                found.append(init)
                base = package
                continue
            module = os.path.join(base, f"{part}.py")
            if _probe(os.path.isfile, module):
                found.append(module)
            elif _probe(os.path.isdir, package):
                # a PEP 420 namespace package (no __init__.py), at any depth, as Python
                # resolves it; it counts only when a module below it is found
                base = package
                continue
            break
        if found:
            return [Path(p) for p in found]
    return []


def _probe(test: Callable[[str], bool], path: str) -> bool:
    """`os.path.isfile(path)` or `isdir`, remembered for the check (the tree is read as
    it is when the check starts). Its own table: `remembered`'s closure per question
    cost as much as the stat it saves (32k probes on Django)."""
    memo = table(_PROBED)
    if memo is None:
        return test(path)
    key = (test, path)
    found = memo.get(key)
    if not isinstance(found, bool):
        found = memo[key] = test(path)
    return found
