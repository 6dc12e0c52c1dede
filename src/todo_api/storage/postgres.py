"""Postgres backend over pg8000 (pure Python: nothing to compile, nothing to mismatch
with the platform's wheels), for Neon and any other Postgres.

The pool is deliberately small and hand-rolled: a serverless instance serves one
request at a time or a few, so a LIFO stack of idle connections with a liveness check
after idling is all that is needed, and a pool library would cost more import time
than the whole driver. Connections open lazily, on the first query, never at import.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from todo_api.storage import pg_wire
from todo_api.storage.connection import (
    Connection,
    DatabaseUnavailable,
    ReadTooLong,
    Row,
    TransactionFactory,
)
from todo_api.storage.postgres_url import PostgresParams

T = TypeVar("T")

MIGRATION_LOCK_KEY = 0x70D0A91  # any fixed 64-bit number unique to this application

IDLE_CHECK_AFTER = 30.0  # seconds idle before a connection is pinged on checkout
# Connections kept idle for the next request. Opening one (TCP, startup, SCRAM) costs
# several queries' worth; with 4 kept, 8 requests in flight made 1 in 3 open and then
# drop a connection. Keeping 8 does not raise the peak (the pool never limited how many
# are open at once), only how many of them stay; a serverless instance, one request at
# a time, still keeps one.
MAX_IDLE = 8
# A server that stops answering (a hung host, a frozen VM) leaves sockets open, so only a
# timeout ends the wait: seconds any one reply may take (connecting: postgres_url.py's
# CONNECT_TIMEOUT). A timed-out connection is not retried on a new one (a hung server
# would cost the wait twice): the request answers 503 with Retry-After within them.
REPLY_TIMEOUT = 5.0
MIGRATION_REPLY_TIMEOUT = 300.0  # waiting for another instance's migration, or DDL


class PostgresConnection:
    dialect = "postgres"

    def __init__(self, raw: pg_wire.Connection) -> None:
        self.raw = raw
        self.last_used = time.monotonic()

    def fetch_all(self, sql: str, /, **params: Any) -> list[Row]:
        rows = self.raw.run(sql, **params)
        if not rows:
            return []
        names = [column["name"] for column in self.raw.columns]
        return [dict(zip(names, row, strict=True)) for row in rows]

    def fetch_values(self, sql: str, /, **params: Any) -> list[Sequence[Any]]:
        rows: list[Sequence[Any]] = self.raw.run(sql, **params) or []
        return rows

    def fetch_one(self, sql: str, /, **params: Any) -> Row | None:
        rows = self.fetch_all(sql, **params)
        return rows[0] if rows else None

    def execute(self, sql: str, /, **params: Any) -> int:
        self.raw.run(sql, **params)
        return int(self.raw.row_count)


class PostgresDatabase:
    dialect = "postgres"
    local_reads = False  # every read is a network round trip: worker threads only

    def __init__(self, url: str) -> None:
        self.params = PostgresParams.from_url(url)
        self._idle: list[PostgresConnection] = []
        self._lock = threading.Lock()
        self._loop_can_wait = True  # False under an event loop with no reader callbacks

    @contextlib.contextmanager
    def transaction(self, *, immediate: bool = False) -> Iterator[PostgresConnection]:
        """A transaction on a pooled connection that is known to be alive.

        A pooled connection the server closed (a restart, a failover, Neon ending idle
        sessions) fails on BEGIN, before anything was done: it is replaced, and the other
        idle ones (likely closed by the same event) are dropped. A connection lost later,
        mid-transaction, is a DatabaseUnavailable (503): the work may or may not have
        happened, so it is not repeated.
        """
        conn = self._checkout()
        try:
            conn.raw.run("BEGIN")
        except Exception as exc:
            self._discard(conn)
            if not _connection_lost(exc):
                raise
            self._drop_idle()
            _raise_if_unresponsive(exc, self.params)
            conn = self._connect()
            conn.raw.run("BEGIN")
        healthy = False
        try:
            with _lost_is_unavailable(self.params), _commit_or_roll_back(conn):
                yield conn
            healthy = True
        finally:
            self._checkin(conn, healthy)

    def read_briefly(self, work: Callable[[Connection], T], seconds: float) -> T:
        """Never tried: a round trip cannot be bounded without blocking the loop for it."""
        raise ReadTooLong("PostgreSQL reads wait on the network")

    def read(self, work: Callable[[Connection], T]) -> T:
        """Read-only work on a pooled connection in autocommit: one round trip per
        statement. A pooled connection the server closed meanwhile shows only when the
        work fails; a read is safe to repeat, so it runs once more on a new connection."""
        conn = self._checkout()
        try:
            result = work(conn)
        except BaseException as exc:
            self._discard(conn)
            if not (isinstance(exc, Exception) and _connection_lost(exc)):
                raise
            self._drop_idle()
            _raise_if_unresponsive(exc, self.params)
            conn = self._connect()
            try:
                with _lost_is_unavailable(self.params):
                    result = work(conn)
            except BaseException:
                self._discard(conn)
                raise
        self._checkin(conn, healthy=True)
        return result

    @staticmethod
    @contextlib.contextmanager
    def transaction_on(conn: PostgresConnection) -> Iterator[PostgresConnection]:
        """A transaction on a connection the caller already holds."""
        conn.raw.run("BEGIN")
        with _commit_or_roll_back(conn):
            yield conn

    @contextlib.contextmanager
    def session(self) -> Iterator[PostgresConnection]:
        """A pooled connection outside any transaction (advisory locks, DDL runners)."""
        conn = self._checkout()
        healthy = False
        try:
            yield conn
            healthy = True
        finally:
            self._checkin(conn, healthy)

    @contextlib.contextmanager
    def migration_lock(self) -> Iterator[TransactionFactory]:
        """A session-level advisory lock, so two cold starts (or a cold start and
        `todo-api migrate`) cannot apply the same file twice; the transactions run on
        the session that holds it."""
        with self.session() as session:
            _reply_timeout(session, MIGRATION_REPLY_TIMEOUT)
            session.raw.run("SELECT pg_advisory_lock(:key)", key=MIGRATION_LOCK_KEY)
            try:
                yield lambda: self.transaction_on(session)
            finally:
                session.raw.run("SELECT pg_advisory_unlock(:key)", key=MIGRATION_LOCK_KEY)
                _reply_timeout(session, REPLY_TIMEOUT)

    async def ping_on_loop(self, budget: float) -> bool:
        """The ping on an idle connection without a worker thread (storage/pg_ping.py).
        No idle connection, or one the server closed meanwhile: False, and the caller's
        worker thread connects anew, as `read` would. A server that stops answering is
        a DatabaseUnavailable after REPLY_TIMEOUT, the idle ones dropped, as in `read`."""
        if not self._loop_can_wait:
            return False
        from todo_api.storage import pg_ping

        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            return False
        try:
            answered = await pg_ping.ping(conn.raw._usock, REPLY_TIMEOUT)
        except TimeoutError as exc:
            self._discard(conn)
            self._drop_idle()
            raise DatabaseUnavailable(_unresponsive(self.params)) from exc
        except NotImplementedError:  # an event loop that cannot wait on a socket
            self._loop_can_wait = answered = False
        except OSError:
            answered = False
        except BaseException:  # cancelled mid-exchange: the reply would be left unread
            self._discard(conn)
            raise
        if answered:
            self._checkin(conn, healthy=True)
        else:
            self._discard(conn)  # closed, refused, or a reply left unread
        return answered

    def _checkout(self) -> PostgresConnection:
        while True:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                return self._connect()
            if time.monotonic() - conn.last_used < IDLE_CHECK_AFTER or self._alive(conn):
                return conn

    def _checkin(self, conn: PostgresConnection, healthy: bool) -> None:
        conn.last_used = time.monotonic()
        with self._lock:
            if healthy and len(self._idle) < MAX_IDLE:
                self._idle.append(conn)
                return
        self._discard(conn)

    def _alive(self, conn: PostgresConnection) -> bool:
        """False for a session the server closed; a server that does not answer at all
        is a 503 at once, not one reply timeout per idle connection."""
        try:
            conn.raw.run("SELECT 1")
        except Exception as exc:
            self._discard(conn)
            self._drop_idle()
            _raise_if_unresponsive(exc, self.params)
            return False
        return True

    @staticmethod
    def _discard(conn: PostgresConnection) -> None:
        # pg_wire's close() also closes what pg8000's leaves open when the server is gone.
        with contextlib.suppress(Exception):
            conn.raw.close()

    def _connect(self) -> PostgresConnection:
        p = self.params
        try:
            raw = pg_wire.Connection(
                user=p.user,
                password=p.password,
                host=p.host,
                port=p.port,
                database=p.database,
                ssl_context=p.ssl_context,
                timeout=p.connect_timeout,
                application_name=p.application_name,
            )
        except (pg_wire.InterfaceError, pg_wire.DatabaseError, OSError) as exc:
            raise DatabaseUnavailable(_describe(exc, p)) from exc
        conn = PostgresConnection(raw)
        _reply_timeout(conn, REPLY_TIMEOUT)
        return conn

    def _drop_idle(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            self._discard(conn)

    def close(self) -> None:
        self._drop_idle()


# SQLSTATE classes of a session that is gone: 08 connection exception, 57 operator
# intervention (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now).
_LOST_CLASSES = ("08", "57")


def _connection_lost(exc: BaseException) -> bool:
    """pg8000 reports a closed socket as InterfaceError ("network error") or an OSError,
    and a session ended by the server as a DatabaseError with a class 08/57 code."""
    if isinstance(exc, pg_wire.InterfaceError | OSError):
        return True
    if isinstance(exc, pg_wire.DatabaseError) and exc.args:
        detail = exc.args[0]
        return isinstance(detail, dict) and str(detail.get("C", "")).startswith(_LOST_CLASSES)
    return False


def _reply_timeout(conn: PostgresConnection, seconds: float) -> None:
    """How long each read on the connection's socket may wait (pg8000 has one timeout,
    for connecting and every read alike)."""
    conn.raw._usock.settimeout(seconds)


def _timed_out(exc: BaseException | None) -> bool:
    """pg8000 wraps a socket timeout in InterfaceError ("network error")."""
    while exc is not None:
        if isinstance(exc, TimeoutError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _raise_if_unresponsive(exc: BaseException, params: PostgresParams) -> None:
    if _timed_out(exc):
        raise DatabaseUnavailable(_unresponsive(params)) from exc


def _unresponsive(params: PostgresParams) -> str:
    return f"Postgres at {params.host}:{params.port} did not answer within {REPLY_TIMEOUT:g} s"


@contextlib.contextmanager
def _commit_or_roll_back(conn: PostgresConnection) -> Iterator[None]:
    """End a begun transaction: COMMIT when the block completes, else ROLLBACK (its own
    failure suppressed, so the block's exception is the one raised)."""
    try:
        yield
    except BaseException:
        with contextlib.suppress(Exception):
            conn.raw.run("ROLLBACK")
        raise
    conn.raw.run("COMMIT")


@contextlib.contextmanager
def _lost_is_unavailable(params: PostgresParams) -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        if _connection_lost(exc):
            raise DatabaseUnavailable(
                f"lost the connection to Postgres at {params.host}:{params.port}: {exc}"
            ) from exc
        raise


def _describe(exc: BaseException, params: PostgresParams) -> str:
    """A one-line reason that names the server but never the password."""
    where = f"{params.host}:{params.port}/{params.database}"
    # pg8000 wraps socket errors in InterfaceError ("Can't create a connection ...").
    if isinstance(exc, socket.gaierror) or isinstance(exc.__cause__, socket.gaierror):
        return f"cannot resolve Postgres host {params.host!r}"
    if isinstance(exc, pg_wire.DatabaseError) and exc.args:
        detail = exc.args[0]
        if isinstance(detail, dict):
            return f"Postgres at {where} refused the connection: {detail.get('M', detail)}"
    return f"cannot connect to Postgres at {where}: {exc}"
