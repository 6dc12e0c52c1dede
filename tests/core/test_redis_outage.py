"""With REDIS_URL set, the rate limiter's Redis going away is an outage, not an open door
and not a crash: login and register answer 503 problem+json with Retry-After while it is
down, and work again within seconds of its return, without restarting the app. Against
a real Redis server of the test's own, killed and started again on the same port."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx2
from starlette.testclient import TestClient

from tests.services.redis import PrivateRedis

PASSWORD = "right-password"


def login(client: TestClient, email: str) -> httpx2.Response:
    return client.post("/api/auth/login", json={"email": email, "password": PASSWORD})


def register(client: TestClient, email: str) -> httpx2.Response:
    return client.post("/api/auth/register", json={"email": email, "password": PASSWORD})


def assert_unavailable(response: httpx2.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"].isdigit()
    assert int(response.headers["retry-after"]) >= 1
    detail = response.json()["detail"]
    assert "rate limit" in detail.lower()
    assert "127.0.0.1" not in detail  # where Redis runs goes to the log only


def test_login_and_register_answer_503_while_redis_is_down_and_heal_on_its_return(
    make_client: Callable[..., TestClient], private_redis: PrivateRedis
) -> None:
    client = make_client(REDIS_URL=private_redis.url())
    assert register(client, "alice@example.com").status_code == 201
    assert login(client, "alice@example.com").status_code == 200

    private_redis.stop()
    started = time.monotonic()
    assert_unavailable(login(client, "alice@example.com"))
    assert_unavailable(register(client, "bob@example.com"))
    assert time.monotonic() - started < 10  # refused connections fail fast, no long hang

    private_redis.start()
    started = time.monotonic()
    while (answer := login(client, "alice@example.com")).status_code != 200:
        assert answer.status_code == 503, answer.text
        assert time.monotonic() - started < 5, "not back within 5 s of Redis"
        time.sleep(0.1)
    assert register(client, "bob@example.com").status_code == 201
