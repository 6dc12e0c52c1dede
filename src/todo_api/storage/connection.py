"""The one connection interface query modules use, whatever the database.

Queries are written once with `:name` parameters, which both sqlite3 and pg8000's
native interface understand; rows come back as dicts with Python values (bool, date,
aware datetime) on both. Query functions never commit: the transaction belongs to the
caller (`Database.run`). `Backend` is what each database module (sqlite, postgres)
provides to `Database` and to the migration runner, so neither names a concrete class.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

Row = dict[str, Any]
T = TypeVar("T")


class Connection(Protocol):
    dialect: str  # "sqlite" | "postgres": the only place callers may branch on it

    def fetch_all(self, sql: str, /, **params: Any) -> list[Row]: ...

    def fetch_one(self, sql: str, /, **params: Any) -> Row | None: ...

    def fetch_values(self, sql: str, /, **params: Any) -> list[Sequence[Any]]:
        """The rows as sequences in the SELECT's column order, for hot paths that read
        many rows (a page of tasks): no dict per row."""
        ...

    def execute(self, sql: str, /, **params: Any) -> int:
        """Run a statement; return the number of rows it changed."""
        ...


# Opens one transaction; the migration runner calls it once per file.
TransactionFactory = Callable[[], contextlib.AbstractContextManager[Connection]]


class Backend(Protocol):
    dialect: str
    #: Reads come from a local file (SQLite), so one can be tried on the event loop's own
    #: thread within a time budget (`read_briefly`); False where every read waits on the
    #: network (PostgreSQL), which only a worker thread may do.
    local_reads: bool

    def transaction(
        self, *, immediate: bool = False
    ) -> contextlib.AbstractContextManager[Connection]: ...

    def read(self, work: Callable[[Connection], T]) -> T:
        """Run work that never writes, with no more round trips than its statements
        need (PostgreSQL: no BEGIN/COMMIT; under READ COMMITTED every statement takes
        its own snapshot inside a transaction too, so one would add only latency)."""
        ...

    def read_briefly(self, work: Callable[[Connection], T], seconds: float) -> T:
        """`read`, stopped with ReadTooLong once it has run `seconds` or when it would wait
        for a lock. Called only when `local_reads`."""
        ...

    async def ping_on_loop(self, budget: float) -> bool:
        """`SELECT 1` on the event loop's own thread where that cannot stall it: SQLite
        within `budget` seconds of holding the loop, PostgreSQL on an idle connection,
        awaited (its reply timeout bounds it). False when a worker thread has to ping
        (no idle connection, a lost one, the budget spent: nothing is left half done).
        Raises DatabaseUnavailable when the server does not answer."""
        ...

    def migration_lock(self) -> contextlib.AbstractContextManager[TransactionFactory]:
        """Hold the lock that serialises migration runners; yield how to open a
        transaction under it (PostgreSQL: an advisory lock on one session; SQLite:
        `BEGIN IMMEDIATE`, which takes the write lock per transaction)."""
        ...

    def close(self) -> None: ...


class DatabaseUnavailable(Exception):
    """The database cannot be reached or opened; answered as 503, never a crash.

    str() is for the log and may name the host, port, database or file; `public` is what
    clients are told, in words only. `retry_after` (seconds) is set when waiting is
    the remedy, and becomes the 503's Retry-After."""

    def __init__(
        self,
        detail: str,
        public: str = "The database is unreachable",
        *,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(detail)
        self.public = public
        self.retry_after = retry_after


class DatabaseFull(DatabaseUnavailable):
    """The database's disk (or the process's file-size limit) refused a write: answered
    as 507 like a full file store, since the write was refused and nothing was kept."""


class ReadTooLong(Exception):
    """A read tried on the caller's thread (`Backend.read_briefly`) outran its budget or
    would have waited for a lock, and was stopped. It wrote nothing, so the caller runs
    it again where waiting is harmless: on a worker thread."""
