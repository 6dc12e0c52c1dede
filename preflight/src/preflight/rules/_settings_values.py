"""What `settings.NAME` holds when `settings` is a pydantic-settings object: the field's
default, as an unset environment variable leaves it.

FastAPI apps keep their paths in a settings class (Sowndharraj-m/vercel-fastapi-deployment
app/config.py: `class Settings(BaseSettings): UPLOAD_DIR: str = "./uploads"`, then
`settings = Settings()`, and each upload is written under `settings.UPLOAD_DIR`, in
read-only /var/task). The environment variable of that name can change it, as it can for
`os.getenv("UPLOAD_DIR", "./uploads")`, which the rules already read as its default.
Only a module-level instance of a class whose base is named BaseSettings, built here or
imported from a first-party module, with a constant default, counts.
"""

from __future__ import annotations

import ast

from preflight.import_calls import Program, absolute_import
from preflight.source import Module
from preflight.syntax import dotted_name


def settings_default(expr: ast.Attribute, module: Module) -> tuple[Module, ast.expr] | None:
    """The default of the settings field `expr` names, with the module it is written in."""
    if not isinstance(expr.value, ast.Name):
        return None
    found = _instance(expr.value.id, module)
    if found is None:
        return None
    owner, call = found
    cls = _settings_class(call, owner)
    if cls is None:
        return None
    for statement in cls.body:
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and statement.target.id == expr.attr
            and isinstance(statement.value, ast.Constant)
        ):
            return owner, statement.value
    return None


def _instance(name: str, module: Module) -> tuple[Module, ast.Call] | None:
    """`name = Cls(...)` at the top of this module, or of the first-party module it is
    imported from (`from app.config import settings`)."""
    value = module.constants.get(name)
    if isinstance(value, ast.Call):
        return module, value
    program = module.program
    if not isinstance(program, Program):  # None outside a closure
        return None
    for node in module.of(ast.ImportFrom):
        source = absolute_import(module, node)
        target = program.module_named(source) if source else None
        for alias in node.names if target is not None else ():
            if (alias.asname or alias.name) == name and target is not None:
                imported = target.constants.get(alias.name)
                return (target, imported) if isinstance(imported, ast.Call) else None
    return None


def _settings_class(call: ast.Call, module: Module) -> ast.ClassDef | None:
    """The class `call` builds, when it is defined in `module` on a BaseSettings base."""
    if not isinstance(call.func, ast.Name):
        return None
    for statement in module.tree.body:
        if isinstance(statement, ast.ClassDef) and statement.name == call.func.id:
            bases = [dotted_name(b) or "" for b in statement.bases]
            return statement if any(b.endswith("BaseSettings") for b in bases) else None
    return None
