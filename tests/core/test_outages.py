"""Outages degrade, then heal, against a real PostgreSQL server that the test stops,
starts and whose sessions it terminates: never a 500, a 503 problem+json while the
database is down, 2xx again within seconds once it is back, without restarting the app."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from tests.conftest import Account
from tests.services.postgres import PostgresServer
from todo_api.storage.postgres_url import PostgresParams


@pytest.fixture
def app(private_postgres: PostgresServer, make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(DATABASE_URL=private_postgres.url())


def busy_pool(account: Account) -> None:
    """A few requests at once, so the pool holds several idle connections."""
    for _ in range(3):
        assert account.request("GET", "/api/tasks").status_code == 200


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_sessions_closed_by_the_server_are_replaced(
    app: TestClient, private_postgres: PostgresServer
) -> None:
    alice = Account(app, "alice@example.com")
    busy_pool(alice)
    # What Neon does to idle connections, and what a failover does to all of them.
    private_postgres.psql(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE application_name = 'todo_api'"
    )
    for _ in range(5):
        response = alice.request("POST", "/api/tasks", json={"title": "after"})
        assert response.status_code == 201, response.text


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_restart_is_survived_without_an_error(
    app: TestClient, private_postgres: PostgresServer
) -> None:
    alice = Account(app, "alice@example.com")
    busy_pool(alice)
    private_postgres.stop("fast")
    private_postgres.start()
    for _ in range(5):
        assert alice.request("GET", "/api/tasks").status_code == 200


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_while_down_503_then_2xx_within_seconds_of_its_return(
    app: TestClient, private_postgres: PostgresServer
) -> None:
    alice = Account(app, "alice@example.com")
    busy_pool(alice)
    # The test server runs with synchronous_commit=off: give its WAL writer (200 ms) time
    # to flush the registration, or the crash below would forget the account.
    time.sleep(0.6)
    private_postgres.stop("immediate")  # a crash: sockets die without a goodbye
    for path in ("/api/tasks", "/api/auth/me"):
        down = alice.request("GET", path)
        assert down.status_code == 503, down.text
        assert down.headers["content-type"] == "application/problem+json"
        assert int(down.headers["retry-after"]) > 0  # when to come back, not just "no"
    health = app.get("/health")
    assert health.status_code == 503
    assert int(health.headers["retry-after"]) > 0
    private_postgres.start()
    started = time.monotonic()
    while alice.request("GET", "/api/tasks").status_code != 200:
        assert time.monotonic() - started < 5, "not back within 5 s of the database"
        time.sleep(0.1)
    assert alice.request("POST", "/api/tasks", json={"title": "back"}).status_code == 201


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_hung_server_is_a_503_within_seconds_then_2xx_soon_after_it_resumes(
    app: TestClient, private_postgres: PostgresServer
) -> None:
    alice = Account(app, "alice@example.com")
    busy_pool(alice)
    time.sleep(0.6)  # the registration reaches the WAL (synchronous_commit=off)
    private_postgres.pause()
    try:
        # A pooled connection that stops answering, then one opened to the frozen server.
        for path in ("/api/tasks", "/api/auth/me", "/api/tasks", "/health"):
            started = time.monotonic()
            down = alice.request("GET", path)
            took = time.monotonic() - started
            assert down.status_code == 503, down.text
            assert down.headers["content-type"] == "application/problem+json"
            assert int(down.headers["retry-after"]) > 0
            assert took < 7, f"{path} took {took:.1f} s to answer 503"
    finally:
        private_postgres.resume()
    started = time.monotonic()
    while alice.request("GET", "/api/tasks").status_code != 200:
        assert time.monotonic() - started < 8, "not back within 8 s of the database"
        time.sleep(0.1)
    assert alice.request("POST", "/api/tasks", json={"title": "back"}).status_code == 201


@pytest.mark.parametrize(
    ("query", "seconds"),
    [("", 5.0), ("?connect_timeout=30", 30.0), ("?connect_timeout=1", 2.0),
     ("?connect_timeout=0", 5.0), ("?connect_timeout=soon", 5.0)],
)  # fmt: skip
def test_connect_timeout_in_the_url_is_read_as_libpq_reads_it(query: str, seconds: float) -> None:
    # 0 is libpq's "wait for ever", which a hung server would turn into a stuck request.
    params = PostgresParams.from_url("postgresql://u@db.example.com/app" + query)
    assert params.connect_timeout == seconds
