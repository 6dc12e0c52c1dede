"""F8, F6, F17: SQLite files in the read-only bundle or in per-instance /tmp.

A SQLite file shipped with the code can be read but not written (`attempt to write a
readonly database`); a copy in /tmp is private to one instance and gone on the next cold
start, so every instance sees different data.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from preflight.call_index import calls_named
from preflight.findings import Finding, Severity
from preflight.import_reach import reached_at_import
from preflight.one_pass import remembered
from preflight.project_paths import ships_file
from preflight.rules._paths import PathInfo, Where, classify, classify_literal
from preflight.rules._write_reach import runs_on_vercel
from preflight.rules.base import CodeRule, Invalid
from preflight.source import Chain, Module
from preflight.syntax import FunctionNode, call_name, last_attr

_SQLITE_CONNECT = {"sqlite3.connect", "sqlite3.dbapi2.connect", "aiosqlite.connect"}
_URL_CONSUMERS = {"create_engine", "create_async_engine", "Database", "connect", "from_url"}
_URL_KEYS = ("DATABASE", "DB_URL", "DB_URI", "SQLALCHEMY_DATABASE_URI")


def _sqlite_url_path(value: str) -> str | None:
    """The file path of a SQLAlchemy-style sqlite URL, None if not one."""
    head, sep, rest = value.partition(":///")
    if not sep or not head.startswith("sqlite"):
        return None
    return rest.split("?", 1)[0]  # sqlite:////tmp/x.db -> "/tmp/x.db"; sqlite:///x.db -> "x.db"


def _sqlite_targets(module: Module) -> list[tuple[ast.AST, PathInfo]]:
    """Where the module opens SQLite and on which path; PF701 and PF702 both ask, so it
    is found once per check (a tenth of the code rules on Django)."""
    return remembered(("sqlite targets", module.path), lambda: list(_find_sqlite(module)))


def _find_sqlite(module: Module) -> Iterator[tuple[ast.AST, PathInfo]]:
    for call in calls_named(module, ("connect",)):  # the last part of each _SQLITE_CONNECT
        if call.args and (call_name(call) or "") in _SQLITE_CONNECT:
            yield call, classify(call.args[0], module)
    for node in module.of(ast.Constant):
        value = node.value  # Django's 120k constants: one class test and a prefix each
        if value.__class__ is not str or not value.startswith("sqlite"):
            continue
        path = _sqlite_url_path(value)
        if path is None or not _url_used_as_database(node, module):
            continue
        yield node, classify_literal(path) if path else PathInfo(Where.SPECIAL)


def _url_used_as_database(node: ast.Constant, module: Module) -> bool:
    parent = module.parents.get(node)
    if isinstance(parent, ast.Call):
        # os.environ.get("DATABASE_URL", "sqlite:///local.db") is a local default: not flagged
        return node in parent.args[:1] and (last_attr(parent) or "") in _URL_CONSUMERS
    if isinstance(parent, ast.keyword) and parent.arg in {"url", "database_url"}:
        return True
    if isinstance(parent, ast.Assign):
        target = parent.targets[0]
        key = None
        if isinstance(target, ast.Name):
            key = target.id
        elif isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
            key = str(target.slice.value)
        return key is not None and any(k in key.upper() for k in _URL_KEYS)
    return False


def _opened_at_import_through(
    module: Module, node: ast.AST, reach: dict[FunctionNode, Chain]
) -> str:
    """The calls by which a module-level statement reaches this connect, when one does and
    runs on Vercel (`init_db()` at import, whose sqlite3.connect('usage.db') fails every
    cold start: 0xN404T/mimo-api-proxy app.py:12-13); "" otherwise."""
    function = module.enclosing_function(node)
    chain = reach.get(function) if function is not None else None
    if not chain or not runs_on_vercel(chain, module, node):
        return ""
    return " -> ".join(str(link) for link in chain)


def _severity(
    surely: Severity, module: Module, node: ast.AST, text: str | None, at_import: bool = False
) -> Severity:
    """A database file the deploy ships opens fine read-only: outside import time only the
    requests that write fail (mari-oliv/TechChallengeFase01 queries its committed
    vitibrasil.db), a warning as for PF501. One that is not shipped must be created, so
    every request that opens it fails: that stays an error. A URL (`create_engine(
    "sqlite:///./tmp/test.db")`) opens nothing at import: the engine connects on first
    use (wysdi/fastapi-vercel ships tmp/test.db and never queries it)."""
    opens_now = (at_import or module.is_import_time(node)) and not isinstance(node, ast.Constant)
    if surely is Severity.WARNING or opens_now or text is None:
        return surely
    return Severity.WARNING if ships_file(module, text) else surely


class SqliteInBundle(CodeRule):
    """A SQLite database file that lives in the deployed (read-only) code."""

    id = "PF801"
    fid = "F8"
    name = "sqlite-in-bundle"
    severity = Severity.ERROR
    message = "SQLite database file in the read-only bundle: writes fail"
    fix = "use a hosted database (Postgres: Neon, Supabase) via a DATABASE_URL env var"

    VALID = (
        "import sqlite3\nconn = sqlite3.connect(':memory:')\n",
        "import os\nURL = os.environ.get('DATABASE_URL', 'sqlite:///local.db')\n",
        "import sqlite3\ndef connect(path):\n    return sqlite3.connect(path)\n",
    )
    INVALID = (
        Invalid(
            "import sqlite3\ndef get_db():\n    return sqlite3.connect('app.db')\n",
            line=3,
            column=12,
            message="SQLite database 'app.db' is in the read-only bundle",
        ),
        Invalid(
            "from sqlalchemy import create_engine\nengine = create_engine('sqlite:///app.db')\n",
            2,
            column=24,
            message="SQLite database 'app.db' is in the read-only bundle",
        ),
        Invalid(
            "SQLALCHEMY_DATABASE_URI = 'sqlite:///data/app.db'\n",
            line=1,
            column=27,
            message="SQLite database 'data/app.db' is in the read-only bundle",
        ),
        Invalid(  # 0xN404T/mimo-api-proxy app.py: the table is made at import
            "import sqlite3\ndef init_db():\n    sqlite3.connect('usage.db').close()\n"
            "@app.get('/log')\ndef log():\n    return sqlite3.connect('usage.db')\ninit_db()\n",
            line=3,
            column=5,
            message=(
                "SQLite database 'usage.db' is in the read-only bundle, opened at import "
                "time through init_db() at app.py:7"
            ),
        ),
        # one database opened in several handlers is one cause, one finding
        Invalid(
            "import sqlite3\n@app.get('/a')\ndef a():\n    return sqlite3.connect('v.db')\n"
            "@app.get('/b')\ndef b():\n    return sqlite3.connect('v.db')\n",
            line=4,
            column=12,
            message="SQLite database 'v.db' is in the read-only bundle",
        ),
    )

    def check(self, module: Module) -> Iterator[Finding]:
        # one cause, one finding: the first connect to each database file, preferring one
        # that surely runs (mari-oliv/TechChallengeFase01 opens vitibrasil.db in 9 handlers)
        chosen: dict[str | None, tuple[tuple[bool, bool], Finding]] = {}
        reach = reached_at_import(module)
        for node, info in _sqlite_targets(module):
            if info.read_only and not module.guarded_by_platform_check(node):
                shown = f"'{info.text}'" if info.text else "a database file"
                via = _opened_at_import_through(module, node, reach)
                surely = Severity.ERROR if via else self.certainty(module, node)
                found = self.finding(
                    module,
                    node,
                    f"SQLite database {shown} is in the read-only bundle"
                    + (f", opened at import time through {via}" if via else ""),
                    severity=_severity(surely, module, node, info.text, bool(via)),
                )
                # an error over a warning, and one at every cold start over the rest
                rank = (found.severity is Severity.ERROR, bool(via))
                earlier = chosen.get(info.text)
                if earlier is None or rank > earlier[0]:
                    chosen[info.text] = rank, found
        yield from (found for _, found in chosen.values())


class SqliteInTmp(CodeRule):
    """A SQLite database in /tmp: writable, but per instance and lost on cold start."""

    id = "PF601"
    fid = "F6"
    name = "sqlite-in-tmp"
    severity = Severity.WARNING
    message = "SQLite database in /tmp: each instance has its own copy, lost on the next cold start"
    fix = "use a hosted database; /tmp is scratch space (512 MB, per instance)"

    VALID = ("import sqlite3\nconn = sqlite3.connect(':memory:')\n",)
    INVALID = (
        Invalid(
            "import sqlite3\ndef db():\n    return sqlite3.connect('/tmp/app.db')\n",
            3,
            column=12,
            message=(
                "SQLite database in /tmp: each instance has its own copy, lost on "
                "the next cold start"
            ),
        ),
        Invalid(
            "from sqlalchemy import create_engine\ne = create_engine('sqlite:////tmp/a.db')\n",
            2,
            column=19,
            message=(
                "SQLite database in /tmp: each instance has its own copy, lost on "
                "the next cold start"
            ),
        ),
    )

    def check(self, module: Module) -> Iterator[Finding]:
        for node, info in _sqlite_targets(module):
            if info.where is Where.TMP:
                yield self.finding(module, node)


_IN_TMP = (
    "Django DATABASES uses SQLite in /tmp: writable, but each instance starts with its own "
    "empty file (the build's migrations ran elsewhere), so queries fail with 'no such table' "
    "and writes are lost at the next cold start"
)


class DjangoSqlite(CodeRule):
    """Django's default DATABASES (SQLite next to manage.py) cannot work on Vercel."""

    id = "PF1701"
    fid = "F17"
    name = "django-sqlite"
    severity = Severity.WARNING
    message = "Django DATABASES uses SQLite: the file is read-only, so any write fails"
    fix = "configure DATABASES from a DATABASE_URL env var (e.g. dj-database-url + Postgres)"

    VALID = (
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql'}}\n",
        "import os\nif os.environ.get('DATABASE_URL'):\n    DATABASES = {}\nelse:\n"
        "    DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': 'db'}}\n",
    )
    INVALID = (
        Invalid(
            "DATABASES = {\n"
            "    'default': {\n"
            "        'ENGINE': 'django.db.backends.sqlite3',\n"
            "        'NAME': BASE_DIR / 'db.sqlite3',\n"
            "    }\n"
            "}\n",
            line=3,
            column=19,
            message=("Django DATABASES uses SQLite: the file is read-only, so any write fails"),
        ),
        Invalid(  # Donaldson17/Simple-Expense-Tracker settings.py:67
            "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3',\n"
            "                         'NAME': '/tmp/db.sqlite3'}}\n",
            line=1,
            column=36,
            message=_IN_TMP,
        ),
    )

    def check(self, module: Module) -> Iterator[Finding]:
        for node in module.of(ast.Dict):
            if not (isinstance(node, ast.Dict) and module.is_import_time(node)):
                continue
            if any(isinstance(p, ast.If | ast.Try | ast.IfExp) for p in module.ancestors(node)):
                continue  # a fallback (e.g. no DATABASE_URL: local development)
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == "ENGINE"
                    and isinstance(value, ast.Constant)
                    and value.value == "django.db.backends.sqlite3"
                ):
                    name = _dict_get(node, "NAME")
                    where = classify(name, module).where if name is not None else None
                    if where is Where.SPECIAL:
                        continue
                    # Donaldson17/Simple-Expense-Tracker: NAME '/tmp/db.sqlite3' is writable,
                    # but empty on every instance (no migrations ran there)
                    yield self.finding(module, value, _IN_TMP if where is Where.TMP else None)


def _dict_get(node: ast.Dict, key: str) -> ast.expr | None:
    for k, v in zip(node.keys, node.values, strict=True):
        if isinstance(k, ast.Constant) and k.value == key:
            return v
    return None
