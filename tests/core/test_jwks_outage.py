"""A Better Auth JWKS endpoint that hangs must not stall anyone else: EdDSA requests fail
fast with 503 (one time-bound fetch, then a negative cache), HS256 users never notice.
Over real HTTP, against a real socket that accepts connections and never answers."""

from __future__ import annotations

import socket
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.core.test_better_auth import BetterAuthServer
from todo_api.main import create_app
from todo_api.settings import Settings


class HangingServer:
    """Accepts every connection and never sends a byte (a JWKS host that is wedged)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.accepted: list[socket.socket] = []
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        self.stopped = True
        self.sock.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def hanging() -> Iterator[HangingServer]:
    server = HangingServer()
    yield server
    server.close()


@pytest.fixture
def http(
    make_settings: Callable[..., Settings],
    live_server: Callable[[Any], str],
    hanging: HangingServer,
) -> Iterator[httpx.Client]:
    settings = make_settings(BETTER_AUTH_URL=hanging.url, AUTH_RATE_LIMIT="off")
    with httpx.Client(base_url=live_server(create_app(settings)), timeout=60) as client:
        yield client


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_hanging_jwks_fails_eddsa_fast_and_leaves_hs256_users_alone(
    http: httpx.Client, hanging: HangingServer
) -> None:
    tokens = http.post("/api/auth/register", json={"email": "hs@example.com", "password": "pw1234"})
    hs256 = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
    signer = BetterAuthServer()  # only signs here: the app fetches keys from `hanging`
    try:
        eddsa = {"Authorization": f"Bearer {signer.token()}"}
    finally:
        signer.httpd.server_close()

    def edd(_: int) -> tuple[int, float]:
        started = time.monotonic()
        status = http.get("/api/tasks", headers=eddsa).status_code
        return status, time.monotonic() - started

    with ThreadPoolExecutor(48) as pool:
        flood = pool.map(edd, range(48))
        time.sleep(0.3)  # the flood is in: every EdDSA request waits on the keys
        timings = []
        for _ in range(10):
            started = time.monotonic()
            assert http.get("/api/tasks", headers=hs256).status_code == 200
            timings.append(time.monotonic() - started)
        results = list(flood)
    assert statistics.median(timings) < 0.2, timings
    assert max(timings) < 1.0, timings
    assert {status for status, _ in results} == {503}
    assert max(duration for _, duration in results) < 6.0  # one bounded fetch, not 48
    assert len(hanging.accepted) == 1  # a single fetch served them all
    # Negative cache: the next EdDSA request is refused at once, without a new fetch.
    started = time.monotonic()
    refused = http.get("/api/tasks", headers=eddsa)
    assert refused.status_code == 503
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) > 0
    assert hanging.url not in refused.text
    assert time.monotonic() - started < 0.5
    assert len(hanging.accepted) == 1
