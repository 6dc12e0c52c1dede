"""Modules that stand in sys.modules until first used, for imports third-party packages
make at their own import for what few processes use (issue 13).

`defer(name)` puts a stand-in under `name` before the package that imports it is
imported; the first attribute read through the stand-in imports the module itself
(sys.modules holds the real one from then on) and reads it there. Nothing of the package
is replaced: a module already imported is left alone, and were the package ever to read
the module at import, it would simply be imported then. (The standard library's
LazyLoader cannot do this: on CPython 3.12 an `import x` statement reads the module's
__spec__, which runs it.) The callers say what they defer and what it costs:
storage/pg_wire.py (pg8000's scramp, dateutil.tz) and todo_api/__init__.py
(msgspec.inspect).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from importlib.machinery import ModuleSpec, PathFinder
from types import ModuleType
from typing import Any


class ImportedOnFirstUse(ModuleType):
    """Stands in sys.modules for a module until one of its attributes is read; then
    imports the module (sys.modules holds the real one from then on) and reads it there."""

    def __init__(self, spec: ModuleSpec) -> None:
        super().__init__(spec.name)
        self.__spec__ = spec
        self._lock = threading.Lock()
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:  # only what the stand-in lacks
        with self._lock:
            if self._module is None:
                if sys.modules.get(self.__name__) is self:
                    del sys.modules[self.__name__]
                try:
                    self._module = importlib.import_module(self.__name__)
                except BaseException:
                    sys.modules.setdefault(self.__name__, self)
                    raise
        return getattr(self._module, attribute)


def defer(name: str) -> None:
    """Put a stand-in for module `name` in sys.modules unless it is imported already."""
    if name not in sys.modules:
        spec = find_spec_only(name)
        if spec is not None:
            sys.modules[name] = ImportedOnFirstUse(spec)


def find_spec_only(name: str) -> ModuleSpec | None:
    """Where `name` would be imported from, running nothing: importlib.util.find_spec
    imports the parent package of a submodule, which for msgspec.inspect is the import
    being deferred."""
    parent, _, _ = name.rpartition(".")
    if not parent or parent in sys.modules:
        return importlib.util.find_spec(name)
    parent_spec = find_spec_only(parent)
    if parent_spec is None or parent_spec.submodule_search_locations is None:
        return None
    return PathFinder.find_spec(name, list(parent_spec.submodule_search_locations))
