"""In-process cost of one request: todo_api's app driven over ASGI with no server and no
socket in between, against the bare pg8000 round trip for the same work (the floor no
framework can beat): the list of 50 tasks against the same SELECT on a kept connection,
/health against `SELECT 1`. Runs in our venv; `main` is what bench/run.py calls.

Two stricter floors beside them: `bare_list50_1rt`, the same rows through a pg8000
prepared statement (one round trip) with timestamps read by `fromisoformat`, i.e. the
driver with the per-query costs todo_api removed (storage/pg_wire.py) removed too; and
`floor_health`, a bare Starlette app answering a constant JSON on /health, what the
framework alone costs on that path, and `floor_health_select1`, the same app running the
bare `SELECT 1` on a worker thread first (as any blocking driver must under asyncio)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from anyio import to_thread
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from todo_api.auth import users
from todo_api.auth.access_tokens import issue_access_token
from todo_api.main import create_app
from todo_api.settings import Settings
from todo_api.tasks import queries

SECRET = "bench-secret-that-is-long-enough-0123456789"
LIST_SQL = (
    f"SELECT {queries.COLUMNS} FROM tasks WHERE user_id = :user_id "
    "ORDER BY created_at DESC, id DESC LIMIT :limit"
)


class AsgiClient:
    """GETs straight into the ASGI app: what a serverless instance runs per request."""

    def __init__(self, app: Any, token: str) -> None:
        self.app, self.token = app, token.encode()

    async def get(self, path: str, query: bytes = b"") -> None:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": "GET", "path": path, "raw_path": path.encode(), "query_string": query,
                 "root_path": "", "scheme": "http", "server": ("bench", 80),
                 "client": ("127.0.0.1", 1), "state": {},
                 "headers": [(b"host", b"bench"), (b"authorization", b"Bearer " + self.token)]}  # fmt: skip
        status = 0

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await self.app(scope, receive, send)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")


async def _constant(request: Any) -> JSONResponse:
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


FLOOR = Starlette(routes=[Route("/health", _constant)])


async def _timed(work: Callable[[], Awaitable[object]], calls: int) -> float:
    """Median milliseconds of `calls` sequential calls."""
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        await work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def setup(database_url: str) -> tuple[AsgiClient, str, Any]:
    os.environ.update(DATABASE_URL=database_url, BETTER_AUTH_SECRET=SECRET,
                      LOG_LEVEL="WARNING", AUTH_RATE_LIMIT="off")  # fmt: skip
    app = create_app(Settings.from_env())
    database = app.state.services.database
    database.ensure_migrated()
    user = database.call(lambda c: users.insert_local(
        c, email=f"bench-{time.time_ns()}@example.com", name=None, password_hash="-"))  # fmt: skip
    assert user is not None
    for n in range(50):
        database.call(lambda c, n=n: queries.insert(c, user_id=user.id, fields={
            "title": f"task {n}", "description": "bench", "completed": False,
            "priority": "medium", "due_date": None, "tags": ["a", "b"]}))  # fmt: skip
    token = issue_access_token(subject=user.id, email=user.email, secret=SECRET, ttl=3600)
    return AsgiClient(app, token), user.id, database


async def measure(database_url: str, rounds: int, calls: int) -> dict[str, list[float]]:
    """Per round, the median of `calls` calls of each; the rounds interleave them."""
    client, user_id, database = setup(database_url)
    samples: dict[str, list[float]] = {"list50": [], "health": [], "floor_health": []}
    floor = AsgiClient(FLOOR, "")
    closers: list[Callable[[], object]] = []  # the bare connections, when on Postgres
    if database.dialect == "postgres":
        import pg8000.native

        from todo_api.storage.postgres_url import PostgresParams

        p = PostgresParams.from_url(database_url)
        raw = pg8000.native.Connection(user=p.user, password=p.password, host=p.host,
                                       port=p.port, database=p.database, ssl_context=False)  # fmt: skip
        samples |= {"bare_list50": [], "bare_select1": [], "bare_list50_1rt": []}
        tuned = pg8000.native.Connection(user=p.user, password=p.password, host=p.host,
                                         port=p.port, database=p.database, ssl_context=False)  # fmt: skip
        tuned.register_in_adapter(1184, dt.datetime.fromisoformat)  # timestamptz
        tuned.register_in_adapter(1082, dt.date.fromisoformat)  # date
        prepared = tuned.prepare(LIST_SQL)

        async def bare_list() -> object:
            return raw.run(LIST_SQL, user_id=user_id, limit=51)

        async def bare_list_1rt() -> object:
            return prepared.run(user_id=user_id, limit=51)

        async def bare_ping() -> object:
            return raw.run("SELECT 1")

        closers += [raw.close, tuned.close]

        async def ping_in_thread(request: Any) -> JSONResponse:
            await to_thread.run_sync(lambda: raw.run("SELECT 1"))
            return await _constant(request)

        # The same framework, the same worker-thread hop a blocking driver needs, the ping.
        pinging = AsgiClient(Starlette(routes=[Route("/health", ping_in_thread)]), "")
        samples["floor_health_select1"] = []

    for _ in range(calls // 5):  # warm: pools filled, route modules imported
        await client.get("/api/tasks", b"limit=50")
        await client.get("/health")
        await floor.get("/health")
    for _ in range(rounds):
        samples["list50"].append(await _timed(lambda: client.get("/api/tasks", b"limit=50"), calls))
        samples["health"].append(await _timed(lambda: client.get("/health"), calls))
        samples["floor_health"].append(await _timed(lambda: floor.get("/health"), calls))
        if closers:
            samples["bare_list50"].append(await _timed(bare_list, calls))
            samples["bare_select1"].append(await _timed(bare_ping, calls))
            samples["bare_list50_1rt"].append(await _timed(bare_list_1rt, calls))
            samples["floor_health_select1"].append(
                await _timed(lambda: pinging.get("/health"), calls)
            )
    for close in closers:
        close()
    database.close()
    return samples


def main(database_url: str, rounds: int, calls: int) -> dict[str, list[float]]:
    return asyncio.run(measure(database_url, rounds, calls))


if __name__ == "__main__":  # python bench/in_process.py URL ROUNDS CALLS -> JSON
    import json

    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))))
