"""/health tells the truth while every worker thread is taken.

Requests that block (database writes, file uploads to a slow store) hold worker threads;
with all of them busy, a health check that needed one too waited behind them, and a load
balancer took a live instance for a dead one. The ping runs on the event loop instead
(storage/pg_ping.py for PostgreSQL, plain or TLS; a bounded read for SQLite).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from starlette.testclient import TestClient

from tests.services.postgres import PostgresServer
from todo_api.worker_threads import MAX_THREADS, run_sync


@contextlib.contextmanager
def every_worker_thread_busy() -> Iterator[None]:
    """MAX_THREADS blocking jobs on the app's worker threads, released at the end."""
    release = threading.Event()
    loop = asyncio.new_event_loop()
    runner = threading.Thread(target=loop.run_forever, daemon=True)
    runner.start()
    started = threading.Semaphore(0)

    def hold() -> None:
        started.release()
        release.wait(30)

    jobs = [asyncio.run_coroutine_threadsafe(run_sync(hold), loop) for _ in range(MAX_THREADS)]
    for _ in range(MAX_THREADS):
        assert started.acquire(timeout=10), "the worker threads did not all start"
    try:
        yield
    finally:
        release.set()
        for job in jobs:
            job.result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        runner.join(10)
        loop.close()


def healthy_within(client: TestClient, seconds: float) -> None:
    started = time.monotonic()
    response = client.get("/health")
    took = time.monotonic() - started
    assert response.status_code == 200, response.text
    assert response.json()["database"]["status"] == "ok"
    assert took < seconds, f"/health took {took:.2f} s with every worker thread busy"


@pytest.fixture
def warm(client: TestClient) -> TestClient:
    """An instance that has served before: database migrated, a connection pooled."""
    for _ in range(2):
        assert client.get("/health").status_code == 200
    return client


def test_health_answers_while_every_worker_thread_is_busy(warm: TestClient) -> None:
    with every_worker_thread_busy():
        for _ in range(3):
            healthy_within(warm, 1.0)


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_over_tls_with_scram_too(
    postgres_server: PostgresServer, make_client: Callable[..., TestClient]
) -> None:
    # Neon's URLs: TLS (verified), SCRAM; the socket the ping uses is a TLS one.
    url = postgres_server.neon_style_url(postgres_server.create_database())
    client = make_client(DATABASE_URL=url)
    for _ in range(2):
        assert client.get("/health").status_code == 200
    with every_worker_thread_busy():
        for _ in range(3):
            healthy_within(client, 1.0)


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_pooled_connection_the_server_ended_is_replaced(
    private_postgres: PostgresServer, make_client: Callable[..., TestClient]
) -> None:
    client = make_client(DATABASE_URL=private_postgres.url())
    for _ in range(2):
        assert client.get("/health").status_code == 200
    private_postgres.psql(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE application_name = 'todo_api'"
    )
    for _ in range(3):
        healthy_within(client, 5.0)
