"""Scale-out without drift: three `todo-api serve` processes on one PostgreSQL, cold
started at once and then driven by a bounded mixed load (register, login, create with
retried Idempotency-Keys, patch with and without If-Match, list, upload), as serverless
instances would be. Asserts 0 errors, 0 lost updates, 0 duplicate rows, migrations
applied once, and flat memory; prints the figures."""

from __future__ import annotations

import itertools
import os
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.services.app_process import AppProcess, start, stop, wait_until_up
from tests.services.postgres import PostgresServer
from todo_api.storage.migrate import discover

# Bounded for CI; SCALE_OUT_SECONDS=60 for a longer look at memory.
LOAD_SECONDS = float(os.environ.get("SCALE_OUT_SECONDS", "12"))
WORKERS = 6
PASSWORD = "scale-out-pw"


class Load:
    """Shared tallies of the run; every unexpected status is an error."""

    def __init__(self, apps: list[AppProcess]) -> None:
        self.apps = apps
        self.clients = [httpx.Client(base_url=app.url, timeout=30) for app in apps]
        self.turn = itertools.count()
        self.lock = threading.Lock()
        self.served: Counter[str] = Counter()
        self.errors: list[str] = []
        self.counter_increments = 0

    def client(self) -> httpx.Client:
        """Round robin over the instances, as a load balancer would."""
        return self.clients[next(self.turn) % len(self.clients)]

    def call(
        self, what: str, expected: set[int], method: str, path: str, **kw: Any
    ) -> httpx.Response:
        response = self.client().request(method, path, **kw)
        with self.lock:
            self.served[what] += 1
            if response.status_code not in expected:
                self.errors.append(f"{what}: {response.status_code} {response.text[:200]}")
        return response

    def close(self) -> None:
        for client in self.clients:
            client.close()


def register(load: Load, email: str) -> dict[str, str]:
    body = {"email": email, "password": PASSWORD}
    tokens = load.call("register", {201}, "POST", "/api/auth/register", json=body).json()
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def worker(load: Load, index: int, team: dict[str, str], counter_id: str, deadline: float) -> None:
    email = f"w{index}-{uuid.uuid4().hex[:6]}@example.com"
    auth = register(load, email)
    own: list[str] = []
    for step in itertools.count():
        if time.monotonic() > deadline:
            return
        # Everyone tries to take one email: exactly one account may result.
        if step == 0:
            load.call("register-dup", {201, 409}, "POST", "/api/auth/register",
                      json={"email": "contested@example.com", "password": PASSWORD})  # fmt: skip
        if step % 10 == 0:
            load.call("login", {200}, "POST", "/api/auth/login",
                      json={"email": email, "password": PASSWORD})  # fmt: skip
        # A create whose response was "lost": retried on another instance with its key.
        key = {"Idempotency-Key": f"k-{index}-{step}", **auth}
        title = {"title": f"task {index}-{step}"}
        first = load.call("create", {201}, "POST", "/api/tasks", json=title, headers=key)
        again = load.call("create-retry", {201}, "POST", "/api/tasks", json=title, headers=key)
        if first.status_code == again.status_code == 201:
            if first.json()["id"] != again.json()["id"]:
                load.errors.append("an idempotent retry created a second task")
            own.append(first.json()["id"])
        if own:
            load.call("patch", {200}, "PATCH", f"/api/tasks/{own[-1]}",
                      json={"priority": "high"}, headers=auth)  # fmt: skip
        increment(load, team, counter_id)
        load.call("list", {200}, "GET", "/api/tasks?limit=20", headers=auth)
        if step % 5 == 0 and own:
            files = {"file": (f"n{step}.txt", b"note " * 40, "text/plain")}
            load.call("upload", {201}, "POST", f"/api/tasks/{own[-1]}/attachments",
                      files=files, headers=auth)  # fmt: skip


def increment(load: Load, team: dict[str, str], task_id: str) -> None:
    """Read-modify-write of one shared counter with If-Match, retried on 412."""
    while True:
        read = load.call("read", {200}, "GET", f"/api/tasks/{task_id}", headers=team)
        if read.status_code != 200:
            return
        value = int(read.json()["title"])
        written = load.call(
            "patch-if-match", {200, 412}, "PATCH", f"/api/tasks/{task_id}",
            json={"title": str(value + 1)}, headers={**team, "If-Match": read.headers["etag"]},
        )  # fmt: skip
        if written.status_code == 200:
            with load.lock:
                load.counter_increments += 1
            return
        if written.status_code != 412:
            return


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_three_instances_on_one_postgres_do_not_drift(
    database_url: str, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    database = urlsplit(database_url).path.lstrip("/")
    env = {
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "INFO",
        "AUTH_ATTEMPTS_PER_ADDRESS": "1000000",
    }  # fmt: skip  (one test client address)
    apps = [start(env, tmp_path, wait=False) for _ in range(3)]
    try:
        for app in apps:
            wait_until_up(app)
        load = Load(apps)
        # Concurrent cold starts: the first database request of each instance at once.
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(lambda i: register(load, f"cold{i}@example.com"), range(3)))
        team = register(load, "team@example.com")
        counter = load.call("create", {201}, "POST", "/api/tasks", json={"title": "0"},
                            headers=team).json()["id"]  # fmt: skip
        deadline = time.monotonic() + LOAD_SECONDS
        samples: list[list[int]] = []  # RSS of each instance, at 1/3 and 2/3 of the load
        with ThreadPoolExecutor(WORKERS) as pool:
            futures = [pool.submit(worker, load, i, team, counter, deadline)
                       for i in range(WORKERS)]  # fmt: skip
            for _ in range(2):
                time.sleep(LOAD_SECONDS / 3)
                samples.append([app.rss() for app in apps])
            for future in futures:
                future.result()
        rss_end = [app.rss() for app in apps]
        final = load.clients[0].get(f"/api/tasks/{counter}", headers=team).json()["title"]
        load.close()

        def sql(query: str) -> str:
            return postgres_server.psql(query, database=database)

        served = sum(load.served.values())
        print(f"\nscale-out: {served} requests over {LOAD_SECONDS:.0f} s on 3 instances "
              f"({dict(load.served)}), errors {len(load.errors)}, counter {final} for "
              f"{load.counter_increments} increments, RSS MB at 1/3, 2/3 "
              f"{[[round(r / 2**20, 1) for r in sample] for sample in samples]} end "
              f"{[round(r / 2**20, 1) for r in rss_end]}")  # fmt: skip
        assert load.errors == []
        assert int(final) == load.counter_increments  # no lost update
        assert sql("SELECT count(*) FROM users WHERE email = 'contested@example.com'") == "1"
        assert sql("SELECT count(*) FROM (SELECT title FROM tasks GROUP BY user_id, title "
                   "HAVING count(*) > 1) AS d") == "0"  # fmt: skip
        assert sql("SELECT count(*) FROM users") == str(
            3 + 1 + WORKERS + 1
        )  # cold, team, workers, contested
        versions = [m.version for m in discover()]
        assert sql("SELECT string_agg(version::text, ',' ORDER BY version) "
                   "FROM schema_migrations") == ",".join(map(str, versions))  # fmt: skip
        applied = sum(app.log.read_text().count("applied migration") for app in apps)
        assert applied == len(versions)  # each file applied by exactly one instance
        # Flat: after the first third (every code path and the password hasher's arenas
        # warmed up) the last third adds no more than noise.
        for late, end in zip(samples[-1], rss_end, strict=True):
            assert end < late * 1.1 + 8 * 2**20, (samples, rss_end)
    finally:
        for app in apps:
            stop(app)
