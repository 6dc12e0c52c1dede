"""The absolute names a module's imports refer to, and the first-party module a name is
imported from.

Below import_calls (which follows calls into other modules) and on_vercel (which
evaluates a module's expressions), so that both can resolve `from app.config import X`
the same way: one resolver for relative imports, not one per rule.
"""

from __future__ import annotations

import ast

from preflight.source import Module


def imported_from(module: Module, name: str) -> tuple[Module, str] | None:
    """The first-party module `name` is imported from here (`from app.config import
    settings`), with the name it has there; None without the closure's modules to look
    it up in (module.program, set once the closure is known)."""
    program = module.program
    if program is None:
        return None
    for node in module.of(ast.ImportFrom):
        for alias in node.names:
            if (alias.asname or alias.name) != name:
                continue
            source = absolute_import(module, node)
            target = program.module_named(source) if source else None
            if target is not None:
                return target, alias.name
    return None


def imported_value(module: Module, name: str) -> tuple[Module, ast.expr] | None:
    """The one module-level value a name imported from a first-party module has there
    (`from settings import ENV`, `ENV = os.getenv(...)` in settings.py), with that module."""
    imported = imported_from(module, name)
    if imported is None:
        return None
    target, original = imported
    value = target.constants.get(original)
    return (target, value) if value is not None else None


def absolute_import(module: Module, node: ast.ImportFrom) -> str | None:
    """The absolute dotted name an import-from names (relative ones from the module's
    own dotted name)."""
    if not node.level:
        return node.module
    names = dotted_names(module.rel)
    if not names:
        return None
    package = names[0].split(".")
    if not module.rel.endswith("__init__.py"):
        package = package[:-1]
    if node.level - 1 > len(package):
        return None
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base) or None


def dotted_names(rel: str) -> list[str]:
    """Dotted names a file may be imported as: the full path and without a leading src/."""
    parts = rel.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    names = [".".join(parts)] if parts else []
    if len(parts) > 1 and parts[0] == "src":
        names.append(".".join(parts[1:]))
    return [n for n in names if n]
