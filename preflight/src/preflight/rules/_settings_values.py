"""What `settings.NAME` holds when `settings` is a pydantic-settings object: the field's
default, as an unset environment variable leaves it.

FastAPI apps keep their paths in a settings class (Sowndharraj-m/vercel-fastapi-deployment
app/config.py: `class Settings(BaseSettings): UPLOAD_DIR: str = "./uploads"`, then
`settings = Settings()`, and each upload is written under `settings.UPLOAD_DIR`, in
read-only /var/task). The environment variable of that name can change it, as it can for
`os.getenv("UPLOAD_DIR", "./uploads")`, which the rules already read as its default.
Only an instance of a class whose base is named BaseSettings, with a constant default,
counts: built in the module, by a first-party factory, or imported from a first-party
module.
"""

from __future__ import annotations

import ast

from preflight.import_calls import Program
from preflight.import_names import imported_from, imported_value
from preflight.project_paths import ships_file
from preflight.source import Module
from preflight.syntax import dotted_name


def settings_default(expr: ast.Attribute, module: Module) -> tuple[Module, ast.expr] | None:
    """The default of the settings field `expr` names, with the module it is written in."""
    if not isinstance(expr.value, ast.Name):
        return None
    found = _instance(expr.value, module)
    if found is None:
        return None
    owner, call = found
    defined = _settings_class(call, owner)
    if defined is None:
        return None
    owner, cls = defined
    for statement in cls.body:
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and statement.target.id == expr.attr
            and isinstance(statement.value, ast.Constant)
        ):
            return owner, statement.value
    return None


def _instance(name: ast.Name, module: Module) -> tuple[Module, ast.Call] | None:
    """The call that built what `name` holds: `settings = Settings()` here (at the top or
    in the function), through a first-party factory (`settings = get_settings()`, an
    lru_cache'd `return Settings()`: Sowndharraj-m's app/config.py), or at the top of the
    first-party module it is imported from (`from app.config import settings`)."""
    program = module.program if isinstance(module.program, Program) else None  # None: no closure
    value = module.local_value(name)
    if isinstance(value, ast.Call):
        returned = program.returns(module, value) if program is not None else None
        if program is None or not returned or len(returned) != 1:
            return module, value
        stand_in, built = returned[0]
        return (program.origin(stand_in), built) if isinstance(built, ast.Call) else None
    exported = imported_value(module, name.id)
    if exported is None or not isinstance(exported[1], ast.Call):
        return None
    return exported[0], exported[1]


def _settings_class(call: ast.Call, module: Module) -> tuple[Module, ast.ClassDef] | None:
    """The class `call` builds, when it is defined on a BaseSettings base, with the
    module that defines it."""
    return _class_named(call.func.id, module) if isinstance(call.func, ast.Name) else None


def _class_named(name: str, module: Module, hops: int = 3) -> tuple[Module, ast.ClassDef] | None:
    """The BaseSettings class `name` is in `module`: defined there, or in the first-party
    module it is imported from (luizweb/langchain-nextjs-fastapi-template: `from
    app.settings import Settings`, then `Settings()` at import in app/database.py),
    following a re-export or two (a package's __init__)."""
    for statement in module.tree.body:
        if isinstance(statement, ast.ClassDef) and statement.name == name:
            bases = [dotted_name(b) or "" for b in statement.bases]
            found = any(b.endswith("BaseSettings") for b in bases)
            return (module, statement) if found else None
    imported = imported_from(module, name) if hops else None
    if imported is None or imported[0] is module:
        return None
    return _class_named(imported[1], imported[0], hops - 1)


def required_fields(call: ast.Call, module: Module) -> list[str]:
    """The fields without a default of the pydantic-settings class `call` builds in this
    module: each must come from the environment, or the call raises ValidationError
    (YahyaAhmedKhan/fastapi-vercel's `settings = Settings()` at import, four required)."""
    if call.args or call.keywords:
        return []  # values passed in: pydantic takes them over the environment
    defined = _settings_class(call, module)
    if defined is None or _reads_shipped_env_file(*defined):
        return []
    cls = defined[1]
    return [
        statement.target.id
        for statement in cls.body
        if isinstance(statement, ast.AnnAssign)
        and isinstance(statement.target, ast.Name)
        and not statement.target.id.startswith("_")
        and "ClassVar" not in ast.unparse(statement.annotation)
        and (statement.value is None or _required_field(statement.value))
    ]


def _required_field(value: ast.expr) -> bool:
    """`Field(...)` (or `Field(..., description=...)`): pydantic's mark of a required field."""
    return (
        isinstance(value, ast.Call)
        and (dotted_name(value.func) or "").split(".")[-1] == "Field"
        and bool(value.args)
        and isinstance(value.args[0], ast.Constant)
        and value.args[0].value is Ellipsis
    )


def _reads_shipped_env_file(module: Module, cls: ast.ClassDef) -> bool:
    """The class reads an env file (`env_file=".env.production"`) that is in the project:
    pydantic-settings loads it itself at run time, so its values may be there."""
    for node in ast.walk(cls):
        if isinstance(node, ast.keyword) and node.arg == "env_file":
            for constant in ast.walk(node.value):
                name = constant.value if isinstance(constant, ast.Constant) else None
                if isinstance(name, str) and ships_file(module, name):
                    return True
    return False
