"""The modules a package's __init__.py imports as it loads, guards left out.

What a dependency imports the moment the app imports it decides whether that import can
fail on the target: djangorestframework-simplejwt 5.3.0's __init__.py does `from
pkg_resources import get_distribution` at module level, and setuptools 82 no longer
ships pkg_resources. An import under `try/except ImportError` (or any handler), inside a
function or class, or behind `if TYPE_CHECKING` does not run or does not fail the load.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator


def module_level_imports(source: str) -> set[str]:
    """Top-level names of the modules `source` imports unguarded at module level
    (`import a.b` gives "a"; relative imports are the package's own, left out)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    return set(_imports(tree.body))


def _imports(body: list[ast.stmt]) -> Iterator[str]:
    for stmt in body:
        if isinstance(stmt, ast.Import):
            yield from (alias.name.split(".")[0] for alias in stmt.names)
        elif isinstance(stmt, ast.ImportFrom):
            if stmt.level == 0 and stmt.module:
                yield stmt.module.split(".")[0]
        elif isinstance(stmt, ast.If) and not _type_checking(stmt.test):
            yield from _imports(stmt.body)
            yield from _imports(stmt.orelse)
        elif isinstance(stmt, ast.With):
            yield from _imports(stmt.body)
        elif isinstance(stmt, ast.Expr):
            named = _dunder_import(stmt.value)
            if named is not None:
                yield named.split(".")[0]
        # try/except: guarded; def/class bodies: not run at import


def _type_checking(test: ast.expr) -> bool:
    name = test.attr if isinstance(test, ast.Attribute) else getattr(test, "id", "")
    return name == "TYPE_CHECKING"


def _dunder_import(node: ast.expr) -> str | None:
    """The module `__import__("pkg_resources").declare_namespace(__name__)` (fs 2.4.16)
    or a bare `__import__("x")` names; None for any other expression."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        node = node.func.value
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        return None
    if node.func.id != "__import__" or not node.args:
        return None
    argument = node.args[0]
    named = argument.value if isinstance(argument, ast.Constant) else None
    return named if isinstance(named, str) else None
