"""Concurrent requests over real HTTP, on SQLite and on PostgreSQL: nothing is lost,
nothing answers 500, and every race has exactly one winner."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from todo_api.main import create_app
from todo_api.settings import Settings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


@pytest.fixture
def base_url(make_settings: Callable[..., Settings], live_server: Callable[[Any], str]) -> str:
    return live_server(create_app(make_settings(AUTH_RATE_LIMIT="off")))


@pytest.fixture
def http(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


def at_once(count: int, request: Callable[[], httpx.Response]) -> list[httpx.Response]:
    """`count` copies of one request, released together from as many threads."""
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda _: request(), range(count)))


def register(http: httpx.Client, email: str | None = None) -> dict[str, Any]:
    email = email or f"u{uuid.uuid4().hex[:10]}@example.com"
    response = http.post("/api/auth/register", json={"email": email, "password": "secret123"})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def test_concurrent_registrations_of_one_email_give_one_account(base_url: str) -> None:
    body = {"email": "race@example.com", "password": "secret123"}
    with httpx.Client(base_url=base_url, timeout=30) as http:
        answers = at_once(8, lambda: http.post("/api/auth/register", json=body))
        statuses = sorted(response.status_code for response in answers)
        assert statuses == [201] + [409] * 7, [r.text for r in answers if r.status_code >= 500]
        refused = [r for r in answers if r.status_code == 409]
        assert all(r.headers["content-type"] == "application/problem+json" for r in refused)
        login = http.post("/api/auth/login", json=body)
        assert login.status_code == 200


def test_concurrent_registrations_of_many_emails_all_succeed(http: httpx.Client) -> None:
    emails = [f"many{i}@example.com" for i in range(10)]
    with ThreadPoolExecutor(10) as pool:
        answers = list(
            pool.map(
                lambda email: http.post(
                    "/api/auth/register", json={"email": email, "password": "secret123"}
                ),
                emails,
            )
        )
    assert [response.status_code for response in answers] == [201] * 10, [
        response.text for response in answers
    ]


@pytest.mark.parametrize("copies", [2, 10])
def test_concurrent_refreshes_of_one_token_have_one_winner_and_end_the_session(
    http: httpx.Client, copies: int
) -> None:
    tokens = register(http)
    body = {"refresh_token": tokens["refresh_token"]}
    answers = at_once(copies, lambda: http.post("/api/auth/refresh", json=body))
    statuses = sorted(response.status_code for response in answers)
    assert statuses == [200] + [401] * (copies - 1), [r.text for r in answers]
    (winner,) = [response.json() for response in answers if response.status_code == 200]
    # The token was presented twice: reuse detection revoked the family, winner included.
    again = http.post("/api/auth/refresh", json={"refresh_token": winner["refresh_token"]})
    assert again.status_code == 401


def test_concurrent_writes_never_answer_database_locked(http: httpx.Client) -> None:
    tokens = register(http)
    auth = bearer(tokens)
    task = http.post("/api/tasks", json={"title": "busy"}, headers=auth).json()

    def write(i: int) -> httpx.Response:
        if i % 3 == 0:
            return http.post("/api/tasks", json={"title": f"t{i}"}, headers=auth)
        if i % 3 == 1:
            return http.patch(f"/api/tasks/{task['id']}", json={"title": f"p{i}"}, headers=auth)
        return http.post(
            "/api/auth/register",
            json={"email": f"w{i}-{uuid.uuid4().hex[:6]}@example.com", "password": "secret123"},
        )

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(write, range(36)))
    failures = [response.text for response in answers if response.status_code >= 300]
    assert failures == []
