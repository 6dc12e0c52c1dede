"""The application's database: picked from DATABASE_URL, opened and migrated lazily.

Nothing connects at import or at app creation. The first request that needs the
database opens it and applies pending migrations (under a lock, so concurrent cold
starts cannot race); a database that cannot be reached is a 503 with the reason.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar
from urllib.parse import unquote, urlsplit

from todo_api.storage.connection import Backend, Connection, DatabaseUnavailable, ReadTooLong
from todo_api.worker_threads import run_sync

T = TypeVar("T")

# The longest a read may hold the event loop before it is moved to a worker thread.
READ_ON_LOOP_SECONDS = 0.002


def open_backend(url: str, *, sqlite_busy_timeout: float = 10.0) -> Backend:
    """sqlite:///relative/path, sqlite:////absolute/path, postgres[ql]://...

    `sqlite_busy_timeout`: seconds a SQLite writer waits for the write lock."""
    try:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "sqlite":
            path = unquote(url.split(":///", 1)[1]) if ":///" in url else ""
            if not path or "\x00" in path:
                raise DatabaseUnavailable(
                    f"SQLite URL needs a file path (and no NUL in it): {url!r}",
                    public="DATABASE_URL is a sqlite: URL without a usable file path",
                )
            from pathlib import Path

            from todo_api.storage.sqlite import SqliteDatabase

            return SqliteDatabase(Path(path), busy_timeout=sqlite_busy_timeout)
        if scheme in ("postgres", "postgresql"):
            from todo_api.storage.postgres import PostgresDatabase

            return PostgresDatabase(url)
    except (ValueError, OSError) as exc:
        # urlsplit and .port: an unclosed [, a port out of range or not a number;
        # ssl: a sslrootcert file that is missing or not a certificate.
        raise DatabaseUnavailable(
            f"DATABASE_URL cannot be used: {type(exc).__name__}: {exc}",
            public="DATABASE_URL is malformed (the log says why)",
        ) from None
    unsupported = (
        f"DATABASE_URL scheme {scheme[:20] or '(none)'!r} is not supported; "
        "use sqlite:///path or postgres://user:pass@host/db"
    )
    raise DatabaseUnavailable(unsupported, public=unsupported)


class Database:
    def __init__(self, url: str, *, sqlite_busy_timeout: float = 10.0) -> None:
        self.url = url
        self.sqlite_busy_timeout = sqlite_busy_timeout
        self._backend: Backend | None = None
        self._migrated = False
        self._lock = threading.RLock()  # ensure_migrated -> backend() re-enters it

    @property
    def dialect(self) -> str:
        scheme = self.url.partition(":")[0].lower()  # urlsplit raises on a malformed URL
        return "sqlite" if scheme == "sqlite" else "postgres"

    def backend(self) -> Backend:
        if self._backend is None:
            with self._lock:
                if self._backend is None:
                    self._backend = open_backend(
                        self.url, sqlite_busy_timeout=self.sqlite_busy_timeout
                    )
        return self._backend

    def ensure_migrated(self) -> None:
        if self._migrated:
            return
        with self._lock:
            if not self._migrated:
                from todo_api.storage.migrate import apply_migrations

                apply_migrations(self.backend())
                self._migrated = True

    @contextlib.contextmanager
    def transaction(self, *, read_only: bool = False) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back on an exception.

        Unless `read_only`, SQLite takes the write lock up front (BEGIN IMMEDIATE): a
        deferred transaction that reads and then writes fails at once with "database is
        locked" when another writer committed meanwhile (busy_timeout cannot help it),
        whereas BEGIN IMMEDIATE waits its turn. Postgres ignores the flag.
        """
        self.ensure_migrated()
        with self.backend().transaction(immediate=not read_only) as conn:
            yield conn

    def call(self, work: Callable[[Connection], T], *, read_only: bool = False) -> T:
        if read_only:
            self.ensure_migrated()
            return self.backend().read(work)
        with self.transaction() as conn:
            return work(conn)

    async def run(self, work: Callable[[Connection], T], *, read_only: bool = False) -> T:
        """Run `work(conn)` in one transaction on a worker thread (the drivers block).

        A read from a local file (SQLite, once migrated) is first tried here, on the
        event loop, for at most READ_ON_LOOP_SECONDS: the trip to a worker thread and
        back costs more than such a read, and it doubled served requests/s. Writes wait
        for SQLite's write lock, so they always go to a thread."""
        if read_only and self._migrated:
            backend = self.backend()
            if backend.local_reads:
                try:
                    return backend.read_briefly(work, READ_ON_LOOP_SECONDS)
                except ReadTooLong:
                    pass  # nothing was written: run it again where waiting is harmless
        return await run_sync(lambda: self.call(work, read_only=read_only))

    async def ping_on_loop(self) -> float | None:
        """`ping` without a worker thread where the backend can (Backend.ping_on_loop):
        the trip to a thread costs what a loopback ping does. None: call `ping` on one
        (not migrated yet, no idle connection, a lost one)."""
        if not self._migrated:
            return None
        started = time.perf_counter()
        if not await self.backend().ping_on_loop(READ_ON_LOOP_SECONDS):
            return None
        return (time.perf_counter() - started) * 1000

    def ping(self) -> float:
        """Round-trip time of a trivial query in milliseconds; raises when unreachable."""
        started = time.perf_counter()
        self.backend().read(lambda conn: conn.fetch_one("SELECT 1 AS ok"))
        return (time.perf_counter() - started) * 1000

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
