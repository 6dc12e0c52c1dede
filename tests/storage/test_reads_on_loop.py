"""SQLite reads are answered on the event loop's thread when they are brief, and moved to
a worker thread when they are not: a long read is cut at its budget and finished there,
and a read that meets a lock waits for it there, while the loop goes on serving.

Why it matters: a trip to a worker thread and back cost more than a page of tasks from
SQLite (storage/sqlite.py `read_briefly`); but a search over many rows, or a file another
program has locked, must never stall every other request on the loop."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from todo_api.storage.connection import Connection
from todo_api.storage.database import READ_ON_LOOP_SECONDS, Database

# ~3 million steps of SQLite's VM: far longer than READ_ON_LOOP_SECONDS on any machine.
LONG_READ = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) "
    "SELECT count(*) AS n FROM c"
)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'todo.db'}", sqlite_busy_timeout=10)
    db.ensure_migrated()
    yield db
    db.close()


class Attempts:
    """Wraps read work: records on which thread, and for how long, each attempt ran."""

    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.runs: list[tuple[str, float]] = []

    def __call__(self, conn: Connection) -> Any:
        started = time.perf_counter()
        try:
            return conn.fetch_one(self.sql)
        finally:
            self.runs.append((threading.current_thread().name, time.perf_counter() - started))

    @property
    def threads(self) -> list[str]:
        return [name for name, _ in self.runs]


async def ticking(work: Callable[[], Any]) -> tuple[Any, int]:
    """`work()`'s result and how many times the loop ran another task meanwhile."""
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0)
            ticks += 1

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)
    ticks = 0
    try:
        result = await work()
    finally:
        ticker.cancel()
    return result, ticks


def test_a_brief_read_runs_on_the_loop_and_a_write_on_a_worker(database: Database) -> None:
    loop_thread = threading.current_thread().name
    read = Attempts("SELECT count(*) AS n FROM tasks")
    write = Attempts("INSERT INTO users (id, email, name, password_hash, auth_source, "
                     "created_at, updated_at) VALUES ('u1', 'a@example.com', NULL, '-', "
                     "'local', '2026-12-03T00:00:00+00:00', '2026-12-03T00:00:00+00:00') "
                     "RETURNING id")  # fmt: skip

    async def both() -> tuple[Any, Any]:
        return await database.run(read, read_only=True), await database.run(write)

    assert asyncio.run(both()) == ({"n": 0}, {"id": "u1"})
    assert read.threads == [loop_thread]
    assert write.threads != [loop_thread]
    assert len(write.threads) == 1


def test_a_long_read_is_cut_and_finished_on_a_worker_while_the_loop_serves(
    database: Database,
) -> None:
    loop_thread = threading.current_thread().name
    read = Attempts(LONG_READ)
    result, ticks = asyncio.run(ticking(lambda: database.run(read, read_only=True)))
    assert result == {"n": 3_000_000}
    assert read.threads[0] == loop_thread
    assert read.threads[1] != loop_thread
    assert len(read.runs) == 2
    on_loop = read.runs[0][1]
    assert on_loop < 50 * READ_ON_LOOP_SECONDS, on_loop  # cut near the budget, not run out
    assert ticks > 0  # the loop served other work while the worker finished the read
    # The cut left the pooled connection as good as new: the next brief read is served.
    again = Attempts("SELECT 1 AS ok")
    assert asyncio.run(database.run(again, read_only=True)) == {"ok": 1}
    assert again.threads == [loop_thread]


def test_a_read_meeting_a_lock_waits_on_a_worker_while_the_loop_serves(
    database: Database, tmp_path: Path
) -> None:
    # A file taken out of WAL mode (as the sqlite3 shell or an old tool can leave it)
    # blocks readers while another program holds its exclusive lock.
    database.close()
    other = sqlite3.connect(tmp_path / "todo.db", isolation_level=None, check_same_thread=False)
    assert other.execute("PRAGMA journal_mode = DELETE").fetchone() == ("delete",)
    warm = Attempts("SELECT 1 AS ok")  # the pool was closed: a worker opens a connection
    assert asyncio.run(database.run(warm, read_only=True)) == {"ok": 1}
    other.execute("BEGIN EXCLUSIVE")
    read = Attempts("SELECT count(*) AS n FROM tasks")

    async def read_then_release() -> Any:
        asyncio.get_running_loop().call_later(0.3, other.execute, "ROLLBACK")
        return await database.run(read, read_only=True)

    try:
        result, ticks = asyncio.run(ticking(read_then_release))
    finally:
        other.close()
    assert result == {"n": 0}
    loop_thread = threading.current_thread().name
    # Tried on the loop with the pooled connection, refused at once, then waited for the
    # lock on a worker thread.
    assert read.threads[0] == loop_thread
    assert read.threads[1] != loop_thread
    assert read.runs[0][1] < 0.2
    assert ticks > 0
