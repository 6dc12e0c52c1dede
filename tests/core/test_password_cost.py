"""Passwords cost CPU, not availability: a flood of wrong logins must not stall other
users (issue 11: 4 clients looping on wrong passwords raised the median of
GET /api/tasks from 3 ms to 130 ms, because argon2 ran on the event loop)."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable

import httpx
import pytest

from tests.services.app_process import AppProcess

FLOODERS = 4


def _median_ms(client: httpx.Client, headers: dict[str, str], samples: int) -> float:
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        response = client.get("/api/tasks", headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
    return statistics.median(timings)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_login_flood_does_not_stall_other_users(
    app_process: Callable[..., AppProcess],
) -> None:
    app = app_process(AUTH_RATE_LIMIT="off")  # the flood must reach argon2, not a 429
    with httpx.Client(base_url=app.url, timeout=30) as client:
        body = {"email": "calm@example.com", "password": "correct horse battery"}
        token = client.post("/api/auth/register", json=body).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        client.post("/api/tasks", json={"title": "one"}, headers=headers)
        _median_ms(client, headers, 20)  # warm
        quiet = _median_ms(client, headers, 60)

        stop = threading.Event()
        refused = []

        def flood() -> None:
            wrong = {"email": "calm@example.com", "password": "wrong horse battery"}
            with httpx.Client(base_url=app.url, timeout=60) as attacker:
                while not stop.is_set():
                    refused.append(attacker.post("/api/auth/login", json=wrong).status_code)

        threads = [threading.Thread(target=flood) for _ in range(FLOODERS)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(0.5)  # the flood is under way
            flooded = _median_ms(client, headers, 60)
        finally:
            stop.set()
            for thread in threads:
                thread.join()
    assert set(refused) == {401}, "the flood ran and every attempt was a plain 401"
    # A quiet median is a few ms; argon2 on the event loop made it ~40x that. Off the
    # loop, with bounded concurrency, a GET waits for a core, not for the flood's queue.
    assert flooded < max(8 * quiet, quiet + 25), f"median {quiet:.1f} ms -> {flooded:.1f} ms"
