"""Creates accept an Idempotency-Key: a retried POST (a lost response, a double click,
a serverless retry) creates one task and answers what the first answered, also when the
copies arrive at once, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import httpx2
import pytest

from tests.conftest import Account
from todo_api.main import create_app
from todo_api.settings import Settings


def create(
    account: Account, key: str | None, body: dict[str, Any], path: str = ""
) -> httpx2.Response:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return account.request("POST", path or "/api/tasks", json=body, headers=headers)


def count(account: Account) -> int:
    return len(account.request("GET", "/api/tasks").json()["items"])


def test_a_retried_create_creates_once_and_answers_the_same(alice: Account) -> None:
    first = create(alice, "order-1", {"title": "once"})
    again = create(alice, "order-1", {"title": "once"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["location"] == first.headers["location"]
    assert count(alice) == 1
    # The task changed since: the retry still answers what the first request answered.
    alice.request("PATCH", first.headers["location"], json={"title": "renamed"})
    assert create(alice, "order-1", {"title": "once"}).json()["title"] == "once"
    assert count(alice) == 1


def test_without_a_key_every_post_creates(alice: Account) -> None:
    create(alice, None, {"title": "a"})
    create(alice, None, {"title": "a"})
    assert count(alice) == 2


def test_a_key_reused_for_another_body_is_refused(alice: Account) -> None:
    assert create(alice, "k", {"title": "one"}).status_code == 201
    other = create(alice, "k", {"title": "two"})
    assert other.status_code == 409
    assert other.headers["content-type"] == "application/problem+json"
    assert count(alice) == 1


def test_keys_belong_to_their_user(alice: Account, bob: Account) -> None:
    assert create(alice, "same", {"title": "alice's"}).status_code == 201
    theirs = create(bob, "same", {"title": "bob's"})
    assert theirs.status_code == 201
    assert theirs.json()["title"] == "bob's"


def test_the_compat_route_honours_the_key(alice: Account) -> None:
    path = f"/api/{alice.id}/tasks"
    first = create(alice, "c-1", {"title": "compat"}, path)
    again = create(alice, "c-1", {"title": "compat"}, path)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert count(alice) == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "bad\x7fkey"])
def test_a_malformed_key_is_400(alice: Account, key: str) -> None:
    response = alice.request(
        "POST", "/api/tasks", json={"title": "t"}, headers={"Idempotency-Key": key}
    )
    assert response.status_code == 400
    assert count(alice) == 0


def test_simultaneous_copies_create_one_task(
    make_settings: Callable[..., Settings], live_server: Callable[[Any], str]
) -> None:
    base = live_server(create_app(make_settings(AUTH_RATE_LIMIT="off")))
    with httpx.Client(base_url=base, timeout=30) as http:
        tokens = http.post(
            "/api/auth/register", json={"email": "idem@example.com", "password": "pw1234"}
        ).json()
        auth = {"Authorization": f"Bearer {tokens['access_token']}", "Idempotency-Key": "dbl"}
        with ThreadPoolExecutor(8) as pool:
            answers = list(
                pool.map(
                    lambda _: http.post("/api/tasks", json={"title": "tap"}, headers=auth),
                    range(8),
                )
            )
        assert [r.status_code for r in answers] == [201] * 8, [r.text for r in answers]
        assert len({r.json()["id"] for r in answers}) == 1
        listed = http.get("/api/tasks", headers={"Authorization": auth["Authorization"]})
        assert len(listed.json()["items"]) == 1
