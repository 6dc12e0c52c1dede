"""A module's calls by the last part of the name they call: `os.makedirs(...)` under
`makedirs`, `app.run(...)` under `run`, `open(...)` under `open`.

Most code rules look for a handful of called names, and each used to ask every call of
every module for its name: on Django's 34k calls that was over a dozen full scans and
250k name questions a check. A rule that can only match calls ending in known names asks
this index instead and looks at those calls alone. The last part is the one an import
alias cannot change (`import os as o; o.makedirs`), so filtering on it keeps every call
a rule would have matched; a rule that also matches aliased names (`from os import
makedirs as mk`) passes those too.
"""

from __future__ import annotations

import ast
from collections.abc import Collection

from preflight.source import Module
from preflight.syntax import last_attr

# Kept in the module's own __dict__, as a cached_property would be: it goes with the tree.
_KEY = "_preflight_calls_by_last"


def calls_named(module: Module, names: Collection[str]) -> list[ast.Call]:
    """The module's calls whose called name ends in one of `names`, in source order (the
    order of module.of(ast.Call))."""
    by_last = _by_last(module)
    found = [call for name in names for call in by_last.get(name, ())]
    if len(found) > 1 and len(names) > 1:
        found.sort(key=_preorder)
    return found


def _preorder(call: ast.Call) -> tuple[int, int, int, int]:
    """Source order with an enclosing call first (`open(p).write(x)`: write, then open)."""
    return (call.lineno, call.col_offset, -(call.end_lineno or 0), -(call.end_col_offset or 0))


def _by_last(module: Module) -> dict[str, list[ast.Call]]:
    found: dict[str, list[ast.Call]] | None = module.__dict__.get(_KEY)
    if found is None:
        found = {}
        for call in module.of(ast.Call):
            name = last_attr(call)
            if name is not None:
                try:
                    found[name].append(call)
                except KeyError:
                    found[name] = [call]
        module.__dict__[_KEY] = found
    return found
