"""storage/pg_wire.py against pg8000's own connection on a real PostgreSQL: the same rows
and the same errors, in one round trip per statement instead of three."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pg8000.native
import pytest

from tests.services.postgres import PostgresServer
from todo_api.storage import pg_wire
from todo_api.storage.postgres import PostgresConnection, PostgresDatabase
from todo_api.storage.postgres_url import PostgresParams

# Values fromisoformat reads, and ones it refuses (pg8000's parser then answers).
SQL = """SELECT
    TIMESTAMPTZ '2026-12-03 07:42:04.123456+00' AS micro,
    TIMESTAMPTZ '2026-12-03 07:42:04+00' AS whole,
    TIMESTAMPTZ '2026-12-03 07:42:04.1+00' AS tenth,
    TIMESTAMPTZ 'infinity' AS forever,
    TIMESTAMPTZ '-infinity' AS never,
    DATE '2026-02-28' AS day,
    DATE 'infinity' AS last_day,
    CAST(NULL AS TIMESTAMPTZ) AS missing,
    :text AS echoed, CAST(:number AS INTEGER) + 1 AS added"""


def _connect(cls: Any, url: str) -> Any:
    p = PostgresParams.from_url(url)
    return cls(user=p.user, password=p.password, host=p.host, port=p.port,
               database=p.database, ssl_context=False)  # fmt: skip


@pytest.fixture
def pair(postgres_url: str) -> Iterator[tuple[Any, Any]]:
    plain, ours = (
        _connect(pg8000.native.Connection, postgres_url),
        _connect(pg_wire.Connection, postgres_url),
    )
    yield plain, ours
    for conn in (plain, ours):  # as the pool closes them: pg8000's close leaves the socket
        PostgresDatabase._discard(PostgresConnection(conn))


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata", "America/St_Johns"])
def test_same_rows_as_pg8000(pair: tuple[Any, Any], zone: str) -> None:
    plain, ours = pair
    for conn in pair:
        conn.run(f"SET TIME ZONE '{zone}'")
    expected = plain.run(SQL, text="tâche", number=41)
    got = ours.run(SQL, text="tâche", number=41)
    assert got == expected
    assert [type(v) for v in got[0]] == [type(v) for v in expected[0]]
    assert [c["name"] for c in ours.columns] == [c["name"] for c in plain.columns]
    assert got[0][-2:] == ["tâche", 42]


class CountingFlushes:
    """A connection's socket file that counts flushes: one per round trip in pg8000."""

    def __init__(self, sock: Any) -> None:
        self.sock, self.flushes = sock, 0

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.sock, attr)

    def flush(self) -> None:
        self.flushes += 1
        self.sock.flush()


def test_one_round_trip_per_statement(pair: tuple[Any, Any]) -> None:
    flushes = []
    for conn in pair:
        counting = CountingFlushes(conn._sock)
        conn._sock = counting
        conn.run("SELECT :a::int AS a", a=1)
        conn._sock = counting.sock
        flushes.append(counting.flushes)
    assert flushes == [3, 1]  # pg8000's own, ours


def test_errors_are_pg8000s_and_the_connection_stays_usable(pair: tuple[Any, Any]) -> None:
    for conn in pair:
        with pytest.raises(pg8000.native.DatabaseError) as failed:
            conn.run("SELECT * FROM no_such_table WHERE id = :id", id=1)
        assert failed.value.args[0]["C"] == "42P01"
        with pytest.raises(pg8000.native.DatabaseError) as bad_value:
            conn.run("SELECT CAST(:n AS INTEGER)", n="not a number")
        assert bad_value.value.args[0]["C"] == "22P02"
        assert conn.run("SELECT :n::int + 1", n=1) == [[2]]


def test_a_failed_statement_fails_its_transaction_as_before(pair: tuple[Any, Any]) -> None:
    for conn in pair:
        conn.run("BEGIN")
        with pytest.raises(pg8000.native.DatabaseError):
            conn.run("SELECT CAST(:n AS INTEGER)", n="x")
        with pytest.raises(pg8000.native.DatabaseError) as aborted:
            conn.run("SELECT :n::int", n=1)
        assert aborted.value.args[0]["C"] == "25P02"  # in failed transaction block
        conn.run("ROLLBACK")
        assert conn.run("SELECT :n::int", n=3) == [[3]]


# A fresh interpreter (this one has pg8000, hence scramp, loaded already): the first
# query on SQLite, then on a trust server, then a SCRAM login, through the app's Database.
COLD_PATH = """
import asyncio, sys
from todo_api.storage.database import Database

def loaded(name):
    module = sys.modules.get(name)
    return module is not None and getattr(module, "_module", True) is not None

def first(url, sql):
    return asyncio.run(Database(url).run(lambda c: c.fetch_one(sql)))

assert first(sys.argv[3], "SELECT 1 AS ok") == {"ok": 1}
print(loaded("importlib.resources"), loaded("anyio._backends._asyncio"))
assert first(sys.argv[1], "SELECT 1 AS ok") == {"ok": 1}
print(loaded("scramp"), loaded("asn1crypto"), loaded("anyio._backends._asyncio"),
      loaded("dateutil.tz"), loaded("zoneinfo"), loaded("importlib.metadata"))
from dateutil.parser import parse  # pg8000's fallback: tz.tzoffset through the stand-in
assert parse("2026-12-03 07:42:04 +0100").utcoffset().total_seconds() == 3600
print(loaded("dateutil.tz"))
assert first(sys.argv[2], "SELECT current_user AS u") == {"u": "neon_user"}
print(loaded("scramp"))
import importlib.metadata, pg8000  # the real module now, and pg8000 got its true version
print(importlib.metadata.version("pg8000") == pg8000.__version__ != "",
      loaded("importlib.metadata"))
"""


def test_the_first_query_loads_only_what_it_uses(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    """The migration check lists its folder without importlib.resources (zipfile and
    tempfile with it); the thread hop needs no anyio backend; trust (or md5) auth never
    needs scramp and its asn1crypto, nor a timestamp fromisoformat reads dateutil.tz:
    a sixth of a cold start; dateutil's parser and SCRAM still work. pg8000's version
    comes from its METADATA without importlib.metadata (7 % of a first write), and is
    the version importlib.metadata reads."""
    result = subprocess.run(
        [sys.executable, "-c", COLD_PATH, postgres_server.url(postgres_server.create_database()),
         postgres_server.neon_style_url(postgres_server.create_database()),
         f"sqlite:///{tmp_path / 'cold.sqlite3'}"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False"] * 8 + ["True", "True", "True", "True"]
