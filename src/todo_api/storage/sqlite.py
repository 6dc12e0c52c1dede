"""SQLite backend: the zero-config laptop default (a file in the data folder).

Connections are kept in a small LIFO stack of idle ones and handed to whichever thread
runs the next transaction (check_same_thread=False; one thread at a time uses a
connection): a worker thread for writes, and for reads the event loop's own thread
first, within a time budget (`read_briefly`). Opening one per transaction, with its
PRAGMAs, cost ~0.5 ms: a third of an authenticated list of 50 tasks. Nothing but the
connection is kept: every transaction reads the file afresh. WAL mode lets readers
proceed during a write; `busy_timeout` waits for a writer instead of failing, and a
writer still waiting when it runs out is `DatabaseBusy` (a 503 with Retry-After): the
lock is another writer's, so trying again shortly is the remedy, not a bug report.
A write the disk refuses (SQLITE_FULL on ENOSPC; SQLITE_IOERR_WRITE on EFBIG or EDQUOT,
which SQLite's unix VFS does not tell apart from ENOSPC) is `DatabaseFull`, a 507: the
transaction rolled back, so nothing half-written is kept.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from todo_api.storage.connection import (
    Connection,
    DatabaseFull,
    DatabaseUnavailable,
    ReadTooLong,
    Row,
    TransactionFactory,
)

T = TypeVar("T")


def _adapt_datetime(value: dt.datetime) -> str:
    # One fixed format so timestamps stored as text also sort correctly.
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _convert_timestamptz(raw: bytes) -> dt.datetime:
    return dt.datetime.fromisoformat(raw.decode())


sqlite3.register_adapter(dt.datetime, _adapt_datetime)
sqlite3.register_adapter(dt.date, lambda value: value.isoformat())
sqlite3.register_converter("TIMESTAMPTZ", _convert_timestamptz)
sqlite3.register_converter("DATE", lambda raw: dt.date.fromisoformat(raw.decode()))
sqlite3.register_converter("BOOLEAN", lambda raw: raw not in (b"0", b""))

# Idle connections kept: opening one (connect + PRAGMAs) costs more than the page read
# it serves. 4 was too few under load: with 8 requests in flight, 1 in 10 opened and
# closed a connection of its own (1 in 5 at 32). The pool never holds more than ran at
# once (worker threads: anyio's limit is 40), and an idle connection costs its page cache.
MAX_IDLE = 32


def _close_all(idle: list[sqlite3.Connection]) -> None:
    while idle:
        with contextlib.suppress(sqlite3.Error):
            idle.pop().close()


BUSY_RETRY_AFTER = 2  # seconds; a writer holds the lock, so a moment's wait is the cure
_BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_SQLITE_IOERR_WRITE = 778  # SQLITE_IOERR | (3 << 8); the sqlite3 module names no extended codes


class DatabaseBusy(DatabaseUnavailable):
    """Another writer held SQLite's write lock for longer than the busy timeout."""


def _code(exc: sqlite3.Error) -> int | None:
    if not isinstance(exc, sqlite3.OperationalError):
        return None
    return getattr(exc, "sqlite_errorcode", None)


def _is_busy(exc: sqlite3.Error) -> bool:
    # Extended codes (SQLITE_BUSY_SNAPSHOT, ...) carry the primary code in the low byte.
    code = _code(exc)
    return code is not None and code & 0xFF in _BUSY_CODES


def _is_full(exc: sqlite3.Error) -> bool:
    code = _code(exc)
    return code is not None and (code & 0xFF == sqlite3.SQLITE_FULL or code == _SQLITE_IOERR_WRITE)


@contextlib.contextmanager
def _refusals_are_unavailable(path: Path, timeout: float) -> Iterator[None]:
    """A held write lock or a full disk becomes the matching `DatabaseUnavailable`."""
    try:
        yield
    except sqlite3.Error as exc:
        if _is_busy(exc):
            raise DatabaseBusy(
                f"SQLite {path}: still locked by another writer after {timeout:g} s ({exc})",
                public="The database is busy with another write; try again shortly",
                retry_after=BUSY_RETRY_AFTER,
            ) from exc
        if _is_full(exc):
            raise DatabaseFull(
                f"SQLite {path}: the write was refused ({exc})",
                public="The database's storage is full; nothing was saved",
            ) from exc
        raise


class SqliteConnection:
    dialect = "sqlite"

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw

    def fetch_all(self, sql: str, /, **params: Any) -> list[Row]:
        # Plain tuples zipped with the column names once: a sqlite3.Row per row, then a
        # dict of it, cost a third more on a page of 50 tasks.
        cursor = self.raw.execute(sql, params)
        rows = cursor.fetchall()
        if not rows:
            return []
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in rows]

    def fetch_values(self, sql: str, /, **params: Any) -> list[Sequence[Any]]:
        rows: list[Sequence[Any]] = self.raw.execute(sql, params).fetchall()
        return rows

    def fetch_one(self, sql: str, /, **params: Any) -> Row | None:
        # fetchall: a half-read cursor (e.g. INSERT ... RETURNING) would block COMMIT.
        rows = self.fetch_all(sql, **params)
        return rows[0] if rows else None

    def execute(self, sql: str, /, **params: Any) -> int:
        return self.raw.execute(sql, params).rowcount


# How often (in SQLite virtual-machine steps, a few microseconds' worth) a brief read
# looks at the clock: often enough to stop near its budget, rarely enough to cost nothing.
_STEPS_BETWEEN_CHECKS = 1000


class SqliteDatabase:
    dialect = "sqlite"
    local_reads = True

    def __init__(self, path: Path, *, busy_timeout: float = 10.0) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        # The folder and WAL mode (stored in the file) need setting once, not per request.
        self._prepared = False
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        # An app dropped without its lifespan shutdown (tests, scripts) still closes its
        # idle connections, rather than leaving them to a ResourceWarning at collection.
        weakref.finalize(self, _close_all, self._idle)

    @contextlib.contextmanager
    def transaction(
        self, *, immediate: bool = False, overdue: Callable[[], bool] | None = None
    ) -> Iterator[SqliteConnection]:
        """`overdue`: checked as statements run; once true, the statement is interrupted.
        With it, nothing is waited for: busy means fail at once, and only an idle pooled
        connection is used (opening one reads the schema, which can wait for a lock)."""
        raw = self._checkout() if overdue is None else self._idle_connection()
        if raw is None:
            raise ReadTooLong("no idle SQLite connection")
        healthy = False
        try:
            if overdue is not None:
                raw.set_progress_handler(overdue, _STEPS_BETWEEN_CHECKS)
                raw.execute("PRAGMA busy_timeout = 0")
            with _refusals_are_unavailable(self.path, self.busy_timeout):
                raw.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
                yield SqliteConnection(raw)
                raw.commit()
            healthy = True
        except BaseException:
            raw.set_progress_handler(None, 0)  # the rollback must not be interrupted too
            with contextlib.suppress(sqlite3.Error):
                raw.rollback()
                healthy = not raw.in_transaction
            raise
        finally:
            if overdue is not None and healthy:
                healthy = self._restore(raw)
            self._checkin(raw, healthy)

    def _restore(self, raw: sqlite3.Connection) -> bool:
        """Undo `overdue`'s settings on a connection going back to the pool; False when
        the connection can no longer be used (it is then closed, not pooled)."""
        raw.set_progress_handler(None, 0)
        try:
            raw.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        except sqlite3.Error:
            return False
        return True

    def read(self, work: Callable[[Connection], T]) -> T:
        """Read-only work in a deferred transaction: its statements see one snapshot."""
        with self.transaction() as conn:
            return work(conn)

    def read_briefly(self, work: Callable[[Connection], T], seconds: float) -> T:
        """`read` on the caller's thread, stopped (ReadTooLong) after `seconds` or when a
        lock is held. In WAL mode a reader takes no lock a writer holds, so a read of a
        page of rows is over in well under a millisecond: less than the trip to a worker
        thread and back costs (measured: a page of 50 tasks in 0.66 ms in-process, 1.4 ms
        with the hop). A long one (a search over many rows, a cold disk) is cut at the
        budget and run again on a worker thread, so the event loop waits at most that."""
        deadline = time.perf_counter() + seconds
        try:
            with self.transaction(overdue=lambda: time.perf_counter() > deadline) as conn:
                return work(conn)
        except DatabaseBusy as exc:
            raise ReadTooLong(str(exc)) from None
        except sqlite3.OperationalError as exc:
            if _code(exc) != sqlite3.SQLITE_INTERRUPT:
                raise
            raise ReadTooLong(f"SQLite read still running after {seconds:g} s") from None

    async def ping_on_loop(self, budget: float) -> bool:
        try:
            self.read_briefly(lambda conn: conn.fetch_one("SELECT 1 AS ok"), budget)
        except ReadTooLong:
            return False
        return True

    def _checkout(self) -> sqlite3.Connection:
        return self._idle_connection() or self._open()

    def _idle_connection(self) -> sqlite3.Connection | None:
        with self._lock:
            return self._idle.pop() if self._idle else None

    def _checkin(self, raw: sqlite3.Connection, healthy: bool) -> None:
        with self._lock:
            if healthy and len(self._idle) < MAX_IDLE:
                self._idle.append(raw)
                return
        raw.close()

    @contextlib.contextmanager
    def migration_lock(self) -> Iterator[TransactionFactory]:
        """`BEGIN IMMEDIATE` takes the write lock at the start of each migration's
        transaction, so a second runner waits and then sees the file applied."""
        yield lambda: self.transaction(immediate=True)

    def _open(self) -> sqlite3.Connection:
        try:
            if not self._prepared:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            raw = sqlite3.connect(
                self.path,
                detect_types=sqlite3.PARSE_DECLTYPES,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                check_same_thread=False,
                timeout=self.busy_timeout,
            )
            raw.execute("PRAGMA foreign_keys = ON")
            raw.execute("PRAGMA synchronous = NORMAL")
            if not self._prepared:
                with _refusals_are_unavailable(self.path, self.busy_timeout):
                    raw.execute("PRAGMA journal_mode = WAL")
                self._prepared = True
        except DatabaseUnavailable:  # busy or full: close, then say so
            raw.close()
            raise
        except (OSError, sqlite3.Error) as exc:
            raise DatabaseUnavailable(
                f"cannot open SQLite database {self.path}: {exc}",
                public="The database file cannot be opened",
            ) from exc
        return raw

    def close(self) -> None:
        with self._lock:
            _close_all(self._idle)
