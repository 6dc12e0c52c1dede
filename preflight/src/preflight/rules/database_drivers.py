"""F2: the database driver that Django's DATABASES or a SQLAlchemy URL names is not installed.

Neither framework declares a driver, and the app never imports one by name, so PF201 sees
nothing missing. `'ENGINE': 'django.db.backends.postgresql'` loads psycopg (or psycopg2)
when the first query opens a connection: Django answers 500 ImproperlyConfigured ("Error
loading psycopg2 or psycopg module") to every request that touches the database.
SQLAlchemy's create_engine("postgresql://...") imports psycopg2 while it builds the engine,
which is usually the cold start. drkostas/hevy2garmin#357 (fixed in #358) is such a
deploy: Vercel + Neon, the app boots, and the first query fails with `No module named
'psycopg2'`.

One scheme fails whatever is installed: SQLAlchemy 1.4 dropped the `postgres://` alias
(NoSuchModuleError: Can't load plugin: sqlalchemy.dialects:postgres). Django still maps
its old `postgresql_psycopg2` name to `postgresql` (django/db/utils.py load_backend, 5.2).

Only literal names count. An engine or URL read from the environment, or a DATABASES that
the module rewrites later (dj_database_url), is not known before the deploy.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from preflight.call_index import calls_named
from preflight.context import CheckContext
from preflight.deps.mapping import candidates
from preflight.findings import Finding, Location, Severity
from preflight.on_vercel import branch_never_runs
from preflight.rules import _database_driver_examples as examples
from preflight.rules.base import ProjectRule
from preflight.source import Module
from preflight.vercel_config import own_install_step


@dataclass(frozen=True)
class Driver:
    modules: tuple[str, ...]  # any one of them is enough
    require: str  # what the fix asks for
    error: str = ""  # Django's ImproperlyConfigured text when none is there


_PSYCOPG2 = Driver(("psycopg2",), "psycopg2-binary")
_MYSQLDB = Driver(("MySQLdb",), "PyMySQL (with a mysql+pymysql:// URL)")
# SQLAlchemy's dialect[+driver] -> the DBAPI module create_engine imports (its default
# driver when none is named: psycopg2 for postgresql, mysqlclient's MySQLdb for mysql).
_SQLALCHEMY: dict[str, Driver] = {
    "postgresql": _PSYCOPG2,
    "postgresql+psycopg2": _PSYCOPG2,
    "postgresql+psycopg": Driver(("psycopg",), '"psycopg[binary]"'),
    "postgresql+asyncpg": Driver(("asyncpg",), "asyncpg"),
    "postgresql+pg8000": Driver(("pg8000",), "pg8000"),
    "mysql": _MYSQLDB,
    "mysql+mysqldb": _MYSQLDB,
    "mariadb": _MYSQLDB,
    "mariadb+mysqldb": _MYSQLDB,
    "mysql+pymysql": Driver(("pymysql",), "PyMySQL"),
    "mariadb+pymysql": Driver(("pymysql",), "PyMySQL"),
    "mysql+mysqlconnector": Driver(("mysql.connector",), "mysql-connector-python"),
    "mysql+aiomysql": Driver(("aiomysql",), "aiomysql"),
    "mysql+asyncmy": Driver(("asyncmy",), "asyncmy"),
    "mssql+pymssql": Driver(("pymssql",), "pymssql"),
    "sqlite+aiosqlite": Driver(("aiosqlite",), "aiosqlite"),
}
_ENGINE_CALLS = ("create_engine", "create_async_engine")
_URI_KEY = "SQLALCHEMY_DATABASE_URI"
_DJANGO_BACKENDS = "django.db.backends."


def _django_driver(backend: str, django: Version | None) -> Driver | None:
    """The driver modules Django's backend loads, newest Django's choice when unknown."""
    if backend in ("postgresql", "postgresql_psycopg2"):
        new = django is None or django >= Version("4.2")  # 4.2 added psycopg 3
        modules = ("psycopg", "psycopg2") if new else ("psycopg2",)
        loaded = "psycopg2 or psycopg" if new else "psycopg2"
        error = f"Error loading {loaded} module"
        return Driver(modules, "psycopg2-binary", error)
    if backend == "mysql":
        shim = (
            "PyMySQL and call pymysql.install_as_MySQLdb() in the settings' package "
            "__init__.py, which the function imports (mysqlclient builds from source)"
        )
        return Driver(("MySQLdb",), shim, "Error loading MySQLdb module")
    if backend == "oracle":
        return Driver(("oracledb", "cx_Oracle"), "oracledb", "Error loading oracledb module")
    return None  # sqlite3 and dummy need nothing; another package's backend is PF201's


class DatabaseDriverMissing(ProjectRule):
    """A database URL or Django ENGINE whose driver no installed distribution provides."""

    id = "PF207"
    fid = "F2"
    name = "database-driver-missing"
    severity = Severity.ERROR
    message = "the database driver this engine loads is not installed"
    fix = "declare the driver in the manifest Vercel installs from"
    needs_index = True

    VALID = examples.VALID
    INVALID = examples.INVALID

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        manifest = ctx.project.manifest
        if manifest is not None and manifest.installs_nothing:
            return  # nothing is installed at all: PF301 says so once
        installed = ctx.installed
        unsure = bool(ctx.resolution.unavailable or ctx.resolution.incomplete)
        unsure = unsure or own_install_step(ctx.project.root) is not None
        django, sqlalchemy = _version(ctx, "django"), _version(ctx, "sqlalchemy")
        mysqldb_shim = _installs_mysqldb_shim(ctx)
        flask_sqlalchemy = any(m.imports_anywhere("flask_sqlalchemy") for m in ctx.closure.modules)
        # without the framework itself, its import is the crash (PF201)
        uses_django, uses_sqlalchemy = "django" in installed, "sqlalchemy" in installed
        for module in ctx.closure.modules:
            surely = module.path in ctx.closure.required and not unsure
            for node, backend in _django_engines(module) if uses_django else ():
                finding = self._django(backend, node, module, django, installed, mysqldb_shim)
                if finding is not None:
                    yield _graded(finding, surely)
            for node, scheme in (
                _sqlalchemy_urls(module, flask_sqlalchemy) if uses_sqlalchemy else ()
            ):
                finding = self._sqlalchemy(scheme, node, module, sqlalchemy, installed)
                if finding is not None:
                    yield _graded(finding, surely)

    def _django(
        self,
        backend: str,
        node: ast.Constant,
        module: Module,
        django: Version | None,
        installed: frozenset[str],
        mysqldb_shim: bool,
    ) -> Finding | None:
        driver = _django_driver(backend, django)
        if driver is None or _has(driver, installed) or (backend == "mysql" and mysqldb_shim):
            return None
        return self.at(
            Location(module.path, node.lineno, node.col_offset + 1),
            f"ENGINE '{_DJANGO_BACKENDS}{backend}' loads {' or '.join(driver.modules)}, and "
            f"{'neither is' if len(driver.modules) > 1 else 'it is not'} installed: every "
            "request that touches the database answers 500 (ImproperlyConfigured: "
            f'"{driver.error}")',
            fix=f"require {driver.require}",
        )

    def _sqlalchemy(
        self,
        scheme: str,
        node: ast.Constant,
        module: Module,
        sqlalchemy: Version | None,
        installed: frozenset[str],
    ) -> Finding | None:
        where = Location(module.path, node.lineno, node.col_offset + 1)
        dialect = scheme.split("+")[0]
        if dialect == "postgres" and sqlalchemy is not None and sqlalchemy >= Version("1.4"):
            return self.at(
                where,
                f"SQLAlchemy {sqlalchemy} has no 'postgres' dialect (the alias was dropped in "
                "1.4): creating the engine raises NoSuchModuleError (\"Can't load plugin: "
                'sqlalchemy.dialects:postgres")',
                fix="spell the URL postgresql:// (url.replace('postgres://', 'postgresql://', 1))",
            )
        driver = _SQLALCHEMY.get(scheme)
        if driver is None or _has(driver, installed):
            return None
        return self.at(
            where,
            f"a {scheme}:// URL makes SQLAlchemy import {driver.modules[0]}, and it is not "
            "installed: creating the engine raises ModuleNotFoundError",
            fix=f"require {driver.require}",
        )


def _graded(finding: Finding, surely: bool) -> Finding:
    """An error where the module surely loads on Vercel and what is installed is known."""
    if surely:
        return finding
    return dataclasses.replace(finding, severity=Severity.WARNING)


def _version(ctx: CheckContext, name: str) -> Version | None:
    package = ctx.resolution.packages.get(name)
    try:
        return Version(package.version) if package and package.version else None
    except InvalidVersion:
        return None


def _has(driver: Driver, installed: frozenset[str]) -> bool:
    return any(candidates(module) & installed for module in driver.modules)


def _installs_mysqldb_shim(ctx: CheckContext) -> bool:
    """`pymysql.install_as_MySQLdb()` runs somewhere the function imports: PyMySQL then
    answers Django's `import MySQLdb` (one only manage.py calls never runs on Vercel)."""
    return any(calls_named(m, ("install_as_MySQLdb",)) for m in ctx.closure.modules)


def _django_engines(module: Module) -> Iterator[tuple[ast.Constant, str]]:
    """Each literal `'ENGINE': 'django.db.backends.X'` of the default database in a
    `DATABASES = {...}` that runs on Vercel and that the module does not rewrite later."""
    if "DATABASES" not in module.text:
        return
    assigns = [
        a
        for a in module.of(ast.Assign)
        if isinstance(a, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "DATABASES" for t in a.targets)
    ]
    if not assigns or _rewritten(module):
        return
    for assign in assigns:
        if not isinstance(assign.value, ast.Dict) or branch_never_runs(module, assign):
            continue
        default = _entry(assign.value, "default")
        engine = _entry(default, "ENGINE") if isinstance(default, ast.Dict) else None
        if (
            isinstance(engine, ast.Constant)
            and isinstance(engine.value, str)
            and engine.value.startswith(_DJANGO_BACKENDS)
        ):
            yield engine, engine.value.removeprefix(_DJANGO_BACKENDS)


def _rewritten(module: Module) -> bool:
    """`DATABASES['default'] = dj_database_url.config()`, `DATABASES['default'].update(...)`:
    the engine that runs is decided later, often from the environment."""
    for node in module.of(ast.Subscript):
        value = node.value
        if isinstance(value, ast.Name) and value.id == "DATABASES":
            parent = module.parents.get(node)
            if isinstance(node.ctx, ast.Store) or isinstance(parent, ast.Attribute):
                return True
    return any(
        isinstance(c.func, ast.Attribute)
        and isinstance(c.func.value, ast.Name)
        and c.func.value.id == "DATABASES"
        for c in calls_named(module, ("update", "setdefault"))
    )


def _entry(mapping: ast.Dict, key: str) -> ast.expr | None:
    for k, v in zip(mapping.keys, mapping.values, strict=True):
        if isinstance(k, ast.Constant) and k.value == key:
            return v
    return None


def _sqlalchemy_urls(module: Module, flask_sqlalchemy: bool) -> Iterator[tuple[ast.Constant, str]]:
    """Literal URLs SQLAlchemy builds an engine from, with their `dialect[+driver]`: the
    first argument of create_engine (or a module constant it names), and the value of
    SQLALCHEMY_DATABASE_URI (Flask-SQLAlchemy's engine) where the function uses
    flask_sqlalchemy."""
    if "://" not in module.text:
        return
    constants = module.constants
    for call in calls_named(module, _ENGINE_CALLS):
        first = call.args[0] if call.args else None
        if isinstance(first, ast.Name):
            first = constants.get(first.id)
        found = _url(first)
        if found is not None and not branch_never_runs(module, call):
            yield found
    if _URI_KEY not in module.text or not flask_sqlalchemy:
        return
    for assign in module.of(ast.Assign):
        if isinstance(assign, ast.Assign) and _names_uri_key(assign.targets[0]):
            found = _url(assign.value)
            if found is not None and not branch_never_runs(module, assign):
                yield found


def _names_uri_key(target: ast.expr) -> bool:
    """`SQLALCHEMY_DATABASE_URI = ...` (a Config class) or `app.config["..."] = ...`."""
    if isinstance(target, ast.Name):
        return target.id == _URI_KEY
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
        return target.slice.value == _URI_KEY
    return False


def _url(node: ast.expr | None) -> tuple[ast.Constant, str] | None:
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
        return None
    scheme, sep, _ = node.value.partition("://")
    if not sep or not scheme.replace("+", "").replace("_", "").isalnum():
        return None
    return node, scheme.lower()
