"""Apply the numbered SQL files in migrations/ exactly once per database.

Postgres: a session-level advisory lock serialises runners, so two cold starts (or a
cold start and `python -m todo_api migrate`) cannot apply the same file twice. SQLite:
`BEGIN IMMEDIATE` takes the write lock for the same effect. Each file runs in its own
transaction together with its bookkeeping row.

Migration files hold plain statements separated by `;` at the end of a line, written
to run unchanged on both SQLite and Postgres.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable

import msgspec

from todo_api.storage.connection import (
    Backend,
    Connection,
    DatabaseUnavailable,
    TransactionFactory,
)

logger = logging.getLogger("todo_api.migrate")

# A plain folder in every install this project supports (as http/ui.py's web/), so it is
# listed with os.scandir: importlib.resources.files() loaded zipfile, importlib's
# readers and their helpers on every cold start's first query (issue 13).
MIGRATIONS = os.path.join(os.path.dirname(__file__), "migrations")

_FILENAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

_LEDGER_VERSIONS = "SELECT version FROM schema_migrations"

CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP
)
"""


class Migration(msgspec.Struct, frozen=True):  # made in C: no generated code at import
    version: int
    name: str
    sql: str

    def statements(self) -> list[str]:
        parts = re.split(r";\s*$", self.sql, flags=re.MULTILINE)
        return [part.strip() for part in parts if part.strip()]


def discover() -> list[Migration]:
    found = []
    with os.scandir(MIGRATIONS) as entries:
        for entry in entries:
            match = _FILENAME.match(entry.name)
            if match:
                with open(entry.path, encoding="utf-8") as file:
                    found.append(Migration(int(match[1]), match[2], file.read()))
    return sorted(found, key=lambda m: m.version)


def apply_migrations(backend: Backend) -> list[int]:
    """Apply pending migrations; return the versions applied now.

    Every cold start calls this, so the common case (nothing pending) is one read
    without any lock; only when something is pending are the lock and DDL involved.
    """
    migrations = discover()
    if not _pending(backend, migrations):
        return []
    with backend.migration_lock() as transaction:
        return _apply_pending(transaction, migrations)


def _pending(backend: Backend, migrations: list[Migration]) -> bool:
    try:
        # A read (PostgreSQL: autocommit), not a transaction: BEGIN and COMMIT were two of
        # the seven round trips of a cold start's first write, around one SELECT.
        done = backend.read(
            lambda conn: {row["version"] for row in conn.fetch_all(_LEDGER_VERSIONS)}
        )
    except DatabaseUnavailable:
        raise
    except Exception:  # no ledger yet: sqlite3.OperationalError / pg8000 DatabaseError
        return True
    return any(m.version not in done for m in migrations)


def _apply_pending(
    transaction: TransactionFactory,
    migrations: list[Migration],
) -> list[int]:
    applied_now = []
    with transaction() as conn:
        conn.execute(CREATE_LEDGER)
    for migration in migrations:
        with transaction() as conn:
            # Re-read under the lock: another process may have applied it meanwhile.
            if _already_applied(conn, migration.version):
                continue
            for statement in migration.statements():
                conn.execute(statement)
            fill_in = _data_step(migration.version)
            if fill_in is not None:
                fill_in(conn)
            conn.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (:version, :name)",
                version=migration.version,
                name=migration.name,
            )
        logger.info("applied migration %04d_%s", migration.version, migration.name)
        applied_now.append(migration.version)
    return applied_now


def _data_step(version: int) -> Callable[[Connection], None] | None:
    """What a migration's SQL cannot do, run after its statements in its transaction:
    0006 stores Unicode case folds, which only Python computes alike everywhere."""
    if version == 6:
        from todo_api.tasks.folding import fold_stored_tasks

        return fold_stored_tasks
    return None


def _already_applied(conn: Connection, version: int) -> bool:
    row = conn.fetch_one("SELECT 1 AS hit FROM schema_migrations WHERE version = :v", v=version)
    return row is not None
