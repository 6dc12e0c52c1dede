"""Better Auth tokens whose claims or key set our databases or `cryptography` cannot take: a
401 or 503 problem, never a 500 (each of these answered 500).

The signature being valid does not make the claims tame: `name` is what the person typed
into Better Auth's sign-up form, and a JavaScript string may hold a NUL or a lone
surrogate, which JSON carries as `\\u0000` / `\\ud800` escapes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.core.test_better_auth import BetterAuthServer, bearer


@pytest.fixture
def server() -> Iterator[BetterAuthServer]:
    running = BetterAuthServer()
    yield running
    running.httpd.shutdown()
    running.httpd.server_close()


@pytest.fixture
def ba(make_client: Callable[..., TestClient], server: BetterAuthServer) -> TestClient:
    return make_client(BETTER_AUTH_URL=server.url)


def _is_problem(response: Any, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "name",
    [
        *["Bea\u0000", "\ud800Bea", "Bea\udfff", {"first": "Bea"}, ["Bea"], 7, None],
        *["\u202eaeB", "B\x1b[2Jea"],  # a right-to-left override, a terminal escape
    ],
)
def test_a_name_the_database_cannot_hold_or_no_name_may_hold_is_left_out(
    ba: TestClient, server: BetterAuthServer, name: object
) -> None:
    token = server.token(name=name)
    created = ba.post("/api/tasks", json={"title": "t"}, headers=bearer(token))
    assert created.status_code == 201, created.text
    me = ba.get("/api/auth/me", headers=bearer(token))
    assert me.status_code == 200, me.text
    assert me.json()["name"] is None


@pytest.mark.parametrize(
    "claims",
    [{"sub": "\udc00"}, {"sub": "ba-\ud800"}, {"email": "\ud800@example.com"}],
)
def test_a_lone_surrogate_in_the_subject_or_email_is_401(
    ba: TestClient, server: BetterAuthServer, claims: dict[str, Any]
) -> None:
    token = server.token(**claims)
    for method, path in [("GET", "/api/auth/me"), ("GET", "/api/tasks")]:
        response = ba.request(method, path, headers=bearer(token))
        _is_problem(response, 401)
        assert "no valid user" in response.json()["detail"]


def test_an_email_that_is_not_a_string_is_ignored(ba: TestClient, server: BetterAuthServer) -> None:
    me = ba.get("/api/auth/me", headers=bearer(server.token(email={"a": 1})))
    assert me.status_code == 200, me.text
    assert me.json()["email"] == ""


GOOD = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"  # 32 bytes, base64url


@pytest.mark.parametrize(
    "entry",
    [
        {"kty": "OKP", "crv": "Ed25519", "kid": "key-1", "x": "AAAA"},  # 3 bytes
        {"kty": "OKP", "crv": "Ed25519", "kid": "key-1", "x": "!!not base64!!"},
        {"kty": "OKP", "crv": "Ed25519", "kid": "key-1", "x": "é" * 43},
        {"kty": "OKP", "crv": "Ed25519", "kid": "key-1"},  # no x
        {"kty": "OKP", "crv": "Ed25519", "kid": "key-1", "x": 5},
        {"kty": "OKP", "crv": "Ed25519", "kid": ["key-1"], "x": GOOD},
        "key-1",
        None,
    ],
)
def test_a_malformed_key_in_the_set_is_skipped(
    make_client: Callable[..., TestClient],
    server: BetterAuthServer,
    entry: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    published = server.jwks()["keys"]
    monkeypatch.setattr(server, "jwks", lambda: {"keys": [entry, *published]})
    ba = make_client(BETTER_AUTH_URL=server.url)
    assert ba.get("/api/tasks", headers=bearer(server.token())).status_code == 200
    # the malformed entry alone (a new app: nothing cached): no key has that kid
    monkeypatch.setattr(server, "jwks", lambda: {"keys": [entry]})
    alone = make_client(BETTER_AUTH_URL=server.url)
    _is_problem(alone.get("/api/tasks", headers=bearer(server.token())), 401)


@pytest.mark.parametrize(
    "document", [[], {"keys": {"key-1": GOOD}}, {"keys": None}, "keys", {"nokeys": []}]
)
def test_an_answer_that_is_no_key_set_is_503(
    ba: TestClient, server: BetterAuthServer, document: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server, "jwks", lambda: document)
    response = ba.get("/api/tasks", headers=bearer(server.token()))
    _is_problem(response, 503)
    assert server.url not in response.text
