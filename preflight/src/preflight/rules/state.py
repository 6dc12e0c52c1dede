"""F7 (and F11): connections opened at import, module state written by handlers.

Instances are reused across requests and may serve them on threads: a connection opened
at import goes stale (and, if the database is unreachable, the import itself fails:
F11); a module-level list or dict written by a handler leaks one user's data into the
next request and differs between instances.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from preflight.call_index import calls_named
from preflight.findings import Finding, Severity
from preflight.rules.base import CodeRule, Invalid
from preflight.source import Module
from preflight.syntax import call_name

# Calls that open a network connection right away (not lazily, like SQLAlchemy engines,
# redis.Redis or boto3 clients, which are fine and even recommended at module level).
_CONNECT_CALLS = {
    "psycopg2.connect",
    "psycopg.connect",
    "psycopg.Connection.connect",
    "pg8000.connect",
    "pg8000.native.Connection",
    "pg8000.dbapi.connect",
    "pymysql.connect",
    "MySQLdb.connect",
    "mysql.connector.connect",
    "asyncpg.connect",
    "cx_Oracle.connect",
    "oracledb.connect",
    "pyodbc.connect",
    "socket.create_connection",
}
_CONNECT_NAMES = frozenset(name.rpartition(".")[2] for name in _CONNECT_CALLS)
_MUTATORS = {
    "append",
    "extend",
    "insert",
    "add",
    "update",
    "setdefault",
    "pop",
    "popitem",
    "remove",
    "discard",
    "clear",
    "appendleft",
}
_MUTABLE_FACTORIES = {"list", "dict", "set", "defaultdict", "collections.defaultdict", "deque"}
_MUTABLE_FACTORIES |= {"collections.deque", "OrderedDict", "collections.OrderedDict", "Counter"}


class ConnectionAtImport(CodeRule):
    """A database or socket connection opened while the module is imported."""

    id = "PF701"
    fid = "F7"
    name = "connection-at-import"
    severity = Severity.WARNING
    message = (
        "connection opened at import: the import fails when the database is unreachable, "
        "and the connection goes stale between invocations"
    )
    fix = "open connections per request (or lazily from a pool with pre-ping)"

    VALID = (
        "import psycopg2\ndef get_conn():\n    return psycopg2.connect('')\n",
        "from sqlalchemy import create_engine\nengine = create_engine('postgresql://x')\n",
        "import boto3\ns3 = boto3.client('s3')\n",
    )
    INVALID = (
        Invalid(
            "import psycopg2\nconn = psycopg2.connect('postgresql://db')\n",
            line=2,
            column=8,
            message=(
                "connection opened at import: the import fails when the database "
                "is unreachable, and the connection goes stale between "
                "invocations"
            ),
        ),
        Invalid(
            "import pymysql\n\nDB = pymysql.connect(host='db')\n",
            line=3,
            column=6,
            message=(
                "connection opened at import: the import fails when the database "
                "is unreachable, and the connection goes stale between "
                "invocations"
            ),
        ),
    )

    def check(self, module: Module) -> Iterator[Finding]:
        for node in calls_named(module, _CONNECT_NAMES):
            if (call_name(node) or "") in _CONNECT_CALLS and module.is_import_time(node):
                yield self.finding(module, node)


class GlobalStateInHandler(CodeRule):
    """A handler writes a module-level list/dict/set (or rebinds a `global`)."""

    id = "PF702"
    fid = "F7"
    name = "global-state-in-handler"
    severity = Severity.WARNING
    message = (
        "request handler writes module-level state: it is shared by requests on one instance "
        "and differs between instances"
    )
    fix = "keep per-request data local; persist shared data in a database or cache"

    VALID = (
        "from flask import Flask\napp = Flask(__name__)\n"
        "ITEMS = []\n@app.get('/')\ndef index():\n    items = []\n    items.append(1)\n"
        "    return str(ITEMS)\n",
        "CACHE = {}\ndef helper(x):\n    CACHE[x] = 1\n",
        # a lazy set-up, once per instance
        "READY = False\ndef view(request):\n    global READY\n    if not READY:\n"
        "        READY = True\n",
    )
    INVALID = (
        Invalid(
            "from flask import Flask\napp = Flask(__name__)\n"
            "TODOS = []\n@app.post('/todos')\ndef add():\n    TODOS.append(1)\n    return 'ok'\n",
            line=6,
            column=5,
            message="request handler add() writes global 'TODOS'",
        ),
        Invalid(
            "COUNT = 0\ndef view(request):\n    global COUNT\n    COUNT += 1\n",
            line=4,
            column=5,
            message="request handler view() writes global 'COUNT'",
        ),
        Invalid(
            "SEEN = {}\ndef view(request):\n    SEEN[request.path] = True\n",
            line=3,
            column=5,
            message="request handler view() writes global 'SEEN'",
        ),
    )

    def check(self, module: Module) -> Iterator[Finding]:
        mutable = {name for name, value in module.constants.items() if _is_mutable_value(value)}
        for handler in module.handlers:
            body = module.subtree(handler)
            declared_global = {
                n for node in body if isinstance(node, ast.Global) for n in node.names
            }
            local_names = _assigned_locals(module, handler) - declared_global
            for node in body:
                name = _written_global(node, mutable, declared_global, local_names)
                if name is not None and not _lazy_init(module, node, name):
                    yield self.finding(
                        module, node, f"request handler {handler.name}() writes global {name!r}"
                    )


def _lazy_init(module: Module, node: ast.AST, name: str) -> bool:
    """`global db_ready` ... `if not db_ready: init(); db_ready = True`: set once per
    instance, under a test of itself, the recommended lazy set-up (shytyk-develop/
    src17-tg-bot api/index.py:37-42), not one request's data."""
    if not isinstance(node, ast.Assign):
        return False
    return any(
        isinstance(parent, ast.If)
        and any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(parent.test))
        for parent in module.ancestors(node)
    )


def _is_mutable_value(value: ast.expr) -> bool:
    if isinstance(value, ast.List | ast.Dict | ast.Set | ast.ListComp | ast.DictComp):
        return True
    return isinstance(value, ast.Call) and (call_name(value) or "") in _MUTABLE_FACTORIES


def _assigned_locals(module: Module, function: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in module.subtree(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def _written_global(
    node: ast.AST, mutable: set[str], declared: set[str], local_names: set[str]
) -> str | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        target = node.func.value
        if (
            node.func.attr in _MUTATORS
            and isinstance(target, ast.Name)
            and target.id in mutable
            and target.id not in local_names
        ):
            return target.id
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        targets = [node.target]
    elif isinstance(node, ast.Delete):
        targets = node.targets
    for target in targets:
        if isinstance(target, ast.Name) and target.id in declared:
            return target.id
        if (
            isinstance(target, ast.Subscript)
            and isinstance(target.value, ast.Name)
            and target.value.id in mutable
            and target.value.id not in local_names
        ):
            return target.value.id
    return None
