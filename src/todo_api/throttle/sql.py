"""Rate-limit counters in the app's own database (table `auth_throttle`, migration 0004).

One transaction per attempt: SQLite holds its write lock (BEGIN IMMEDIATE) and Postgres
locks the key rows (INSERT ... ON CONFLICT DO NOTHING, then SELECT ... FOR UPDATE in key
order, so two attempts on the same keys queue instead of deadlocking). Each attempt also
deletes a few rows idle for longer than the window, so the table stays small.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from todo_api.storage.connection import Connection
from todo_api.throttle import WINDOW, Limit, delay

T = TypeVar("T")

SWEEP_BATCH = 20


class TransactionRunner(Protocol):
    """What the counters need of `Services`: its `db()`, named here so this module does
    not import the module that builds it."""

    async def db(self, work: Callable[[Connection], T], *, read_only: bool = False) -> T: ...


class SqlCounters:
    def __init__(self, services: TransactionRunner) -> None:
        self.services = services  # its db(): a database outage is a 503 here too

    async def hit(self, limits: Sequence[Limit], now: float) -> float:
        return await self.services.db(lambda conn: _hit(conn, sorted(limits, key=_key), now))

    async def reset(self, key: str) -> None:
        await self.services.db(
            lambda conn: conn.execute("DELETE FROM auth_throttle WHERE key = :key", key=key)
        )

    async def forgive(self, key: str) -> None:
        await self.services.db(
            lambda conn: conn.execute(
                "UPDATE auth_throttle SET attempts = attempts - 1 "
                "WHERE key = :key AND attempts > 0",
                key=key,
            )
        )


def _key(limit: Limit) -> str:
    return limit.key


def _hit(conn: Connection, limits: list[Limit], now: float) -> float:
    lock = " FOR UPDATE" if conn.dialect == "postgres" else ""
    rows = {}
    for limit in limits:
        conn.execute(
            "INSERT INTO auth_throttle (key, attempts, blocked_until, last_at) "
            "VALUES (:key, 0, 0, :now) ON CONFLICT (key) DO NOTHING",
            key=limit.key,
            now=now,
        )
        row = conn.fetch_one(
            f"SELECT attempts, blocked_until, last_at FROM auth_throttle WHERE key = :key{lock}",
            key=limit.key,
        )
        assert row is not None
        rows[limit.key] = row
    wait = max(float(row["blocked_until"]) - now for row in rows.values())
    if wait > 0:
        return wait
    for limit in limits:
        row = rows[limit.key]
        attempts = 1 if float(row["last_at"]) < now - WINDOW else int(row["attempts"]) + 1
        wait_next = delay(attempts, limit.allowance)
        conn.execute(
            "UPDATE auth_throttle SET attempts = :attempts, blocked_until = :blocked, "
            "last_at = :now WHERE key = :key",
            attempts=attempts,
            # No block within the allowance: `now` itself would block a concurrent
            # attempt whose clock was read a moment earlier but got the lock later.
            blocked=now + wait_next if wait_next > 0 else 0.0,
            now=now,
            key=limit.key,
        )
    conn.execute(
        "DELETE FROM auth_throttle WHERE key IN (SELECT key FROM auth_throttle "
        "WHERE last_at < :cutoff LIMIT :batch)",
        cutoff=now - WINDOW,
        batch=SWEEP_BATCH,
    )
    return 0.0
