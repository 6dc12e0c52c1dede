"""A SQLite writer that waits past the busy timeout answers 503 problem+json with
Retry-After, never a 500, and the next write after the lock is released succeeds.

Another process holding the write lock is what a long migration, a backup tool or a
second app on the same file does; the test plays it with a plain sqlite3 connection in
BEGIN IMMEDIATE, and a short SQLITE_BUSY_TIMEOUT so the wait is quick."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator

import httpx2
import pytest
from starlette.testclient import TestClient

from tests.conftest import Account
from todo_api.settings import Settings


@pytest.fixture
def db_path(database_url: str) -> str:
    return database_url.removeprefix("sqlite:///")


@pytest.fixture
def writer_lock(db_path: str) -> Iterator[sqlite3.Connection]:
    other = sqlite3.connect(db_path, isolation_level=None)
    yield other
    other.close()


def assert_busy(response: httpx2.Response) -> None:
    assert response.status_code == 503, response.text
    headers = response.headers
    assert headers["content-type"] == "application/problem+json"
    assert headers["retry-after"].isdigit()
    assert int(headers["retry-after"]) >= 1
    assert "busy" in response.json()["detail"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_writer_past_the_busy_timeout_gets_503_then_2xx_once_released(
    make_client: Callable[..., TestClient], writer_lock: sqlite3.Connection
) -> None:
    client = make_client(SQLITE_BUSY_TIMEOUT="0.2", AUTH_RATE_LIMIT="off")
    alice = Account(client, "alice@example.com")
    writer_lock.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    assert_busy(alice.request("POST", "/api/tasks", json={"title": "blocked"}))
    assert_busy(
        client.post("/api/auth/register", json={"email": "b@example.com", "password": "secret12"})
    )
    assert time.monotonic() - started < 5  # the configured 0.2 s, not the default 10 s
    # Readers are not writers: WAL lets them through while the lock is held.
    assert alice.request("GET", "/api/tasks").status_code == 200
    writer_lock.execute("ROLLBACK")
    assert alice.request("POST", "/api/tasks", json={"title": "after"}).status_code == 201


def test_the_busy_timeout_defaults_to_10_s_and_refuses_nonsense() -> None:
    assert Settings.from_env({}).sqlite_busy_timeout == 10.0
    assert Settings.from_env({"SQLITE_BUSY_TIMEOUT": "2.5"}).sqlite_busy_timeout == 2.5
    bad = Settings.from_env({"SQLITE_BUSY_TIMEOUT": "soon"})
    assert bad.sqlite_busy_timeout == 10.0
    assert any("SQLITE_BUSY_TIMEOUT" in problem for problem in bad.problems)
