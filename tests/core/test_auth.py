"""Accounts and our own tokens: register, login, me, refresh rotation, logout, edge cases."""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
import unicodedata
from collections.abc import Callable
from typing import Any

import argon2
import bcrypt
import httpx2
import jwt
import pytest
from starlette.testclient import TestClient

from tests.conftest import TEST_SECRET, Account, services_of


def register(
    client: TestClient, email: str, password: str = "secret123", **extra: Any
) -> httpx2.Response:
    return client.post("/api/auth/register", json={"email": email, "password": password, **extra})


def login(client: TestClient, email: str, password: str) -> httpx2.Response:
    return client.post("/api/auth/login", json={"email": email, "password": password})


def test_register_login_me(client: TestClient) -> None:
    created = register(client, "  Ann@Example.COM ", name="Ann")
    assert created.status_code == 201
    assert created.json()["user"]["email"] == "ann@example.com"
    response = login(client, "ANN@example.com", "secret123")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert body["user"]["name"] == "Ann"
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["email"] == "ann@example.com"


def test_duplicate_email_is_409(client: TestClient) -> None:
    assert register(client, "dup@example.com").status_code == 201
    again = register(client, "DUP@example.com")
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"


def test_runbook_password_policy(client: TestClient) -> None:
    # The users' runbook logs in with "test123": the minimum length (6) admits it.
    assert register(client, "test@example.com", "test123").status_code == 201
    short = register(client, "short@example.com", "12345")
    assert short.status_code == 422
    assert short.json()["errors"][0]["field"] == "password"


def test_invalid_email_is_422(client: TestClient) -> None:
    response = register(client, "not-an-email")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "email"


def test_wrong_password_and_unknown_user_look_the_same(client: TestClient) -> None:
    register(client, "known@example.com")
    wrong = login(client, "known@example.com", "nope-nope")
    unknown = login(client, "unknown@example.com", "nope-nope")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert wrong.headers["www-authenticate"].startswith("Bearer")


def test_unknown_user_login_takes_as_long_as_a_wrong_password(client: TestClient) -> None:
    register(client, "timing@example.com")
    login(client, "warmup@example.com", "x")  # the dummy hash is made once

    def median(email: str) -> float:
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            login(client, email, "wrong-password")
            samples.append(time.perf_counter() - started)
        return sorted(samples)[2]

    known, unknown = median("timing@example.com"), median("nobody@example.com")
    # Both do one argon2 verification; without the dummy hash `unknown` is ~10x faster.
    assert unknown > known * 0.5


def test_bcrypt_hash_from_old_deployment_is_accepted_and_upgraded(
    client: TestClient, alice: Account
) -> None:
    old_hash = bcrypt.hashpw(b"legacy-pass", bcrypt.gensalt(rounds=4)).decode()
    services = services_of(client)
    services.database.call(
        lambda conn: conn.execute(
            "UPDATE users SET password_hash = :h WHERE id = :id", h=old_hash, id=alice.id
        )
    )
    assert login(client, alice.email, "legacy-pass").status_code == 200
    stored = services.database.call(
        lambda conn: conn.fetch_one("SELECT password_hash FROM users WHERE id = :id", id=alice.id)
    )
    assert stored is not None
    assert stored["password_hash"].startswith("$argon2id$")
    assert login(client, alice.email, "legacy-pass").status_code == 200
    assert login(client, alice.email, "wrong").status_code == 401


def _stored_hash(client: TestClient, user_id: str) -> str:
    row = services_of(client).database.call(
        lambda conn: conn.fetch_one("SELECT password_hash FROM users WHERE id = :id", id=user_id)
    )
    assert row is not None
    return str(row["password_hash"])


def _set_hash(client: TestClient, user_id: str, password_hash: str) -> None:
    services_of(client).database.call(
        lambda conn: conn.execute(
            "UPDATE users SET password_hash = :h WHERE id = :id", h=password_hash, id=user_id
        )
    )


def test_a_bcrypt_password_past_72_bytes_logs_in_and_keeps_every_byte(
    client: TestClient, alice: Account
) -> None:
    """The old deployment's bcrypt 4 hashed the first 72 bytes and dropped the rest; its
    users type the whole password (bcrypt 5 raised on it: locked out)."""
    long_password = "correct horse battery staple, " * 3  # 90 bytes
    _set_hash(
        client, alice.id, bcrypt.hashpw(long_password.encode()[:72], bcrypt.gensalt(4)).decode()
    )
    assert login(client, alice.email, long_password).status_code == 200
    assert _stored_hash(client, alice.id).startswith("$argon2id$")
    assert login(client, alice.email, long_password).status_code == 200
    assert login(client, alice.email, long_password[:72]).status_code == 401


def test_a_password_logs_in_composed_or_decomposed(client: TestClient) -> None:
    """An "é" typed on a Mac arrives decomposed (NFD), on most keyboards composed (NFC)."""
    composed = unicodedata.normalize("NFC", "Pässwörd für Jürgen")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    body = {"email": "jurgen@example.com", "password": composed}
    assert client.post("/api/auth/register", json=body).status_code == 201
    assert login(client, "jurgen@example.com", decomposed).status_code == 200
    assert login(client, "jurgen@example.com", composed).status_code == 200


def test_a_hash_of_the_password_as_typed_still_verifies_and_is_normalised(
    client: TestClient, alice: Account
) -> None:
    """Hashes made before passwords were normalised are of the password as typed."""
    decomposed = unicodedata.normalize("NFD", "Crème brûlée au café")
    hasher = argon2.PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)  # ours
    _set_hash(client, alice.id, hasher.hash(decomposed))
    assert login(client, alice.email, decomposed).status_code == 200
    assert hasher.verify(_stored_hash(client, alice.id), unicodedata.normalize("NFC", decomposed))
    assert login(client, alice.email, unicodedata.normalize("NFC", decomposed)).status_code == 200
    assert login(client, alice.email, "Creme brulee au cafe").status_code == 401


def test_refresh_rotates_and_detects_reuse(client: TestClient, alice: Account) -> None:
    first = client.post("/api/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert first.status_code == 200
    rotated = first.json()["refresh_token"]
    assert rotated != alice.refresh_token
    # The old token again: someone copied it. The whole session family ends.
    replay = client.post("/api/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert replay.status_code == 401
    after = client.post("/api/auth/refresh", json={"refresh_token": rotated})
    assert after.status_code == 401


def test_logout_revokes_refresh_token(client: TestClient, alice: Account) -> None:
    assert (
        client.post("/api/auth/logout", json={"refresh_token": alice.refresh_token}).status_code
        == 204
    )
    response = client.post("/api/auth/refresh", json={"refresh_token": alice.refresh_token})
    assert response.status_code == 401


def test_unknown_refresh_token_is_401(client: TestClient) -> None:
    assert client.post("/api/auth/refresh", json={"refresh_token": "made-up"}).status_code == 401


def _forge(claims: dict[str, Any], key: str = TEST_SECRET, algorithm: str = "HS256") -> str:
    base = {"iss": "todo_api", "aud": "todo_api", "iat": dt.datetime.now(dt.UTC),
            "exp": dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)}  # fmt: skip
    return jwt.encode({**base, **claims}, key, algorithm=algorithm)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _bad_token(kind: str, sub: str) -> str:
    now = dt.datetime.now(dt.UTC)
    claims = {"sub": sub, "iss": "todo_api", "aud": "todo_api", "exp": 4102444800, "iat": 1}
    match kind:
        case "expired":
            return _forge({"sub": sub, "exp": now - dt.timedelta(minutes=1)})
        case "wrong secret":
            return _forge({"sub": sub}, key="another-secret-that-is-long-enough-00000")
        case "wrong audience":
            return _forge({"sub": sub, "aud": "someone-else"})
        case "wrong issuer":
            return _forge({"sub": sub, "iss": "evil"})
        case "HS512":
            return _forge({"sub": sub}, algorithm="HS512")
        case "alg none":
            return _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(claims) + "."
        case "EdDSA without Better Auth":
            return _b64({"alg": "EdDSA", "kid": "k"}) + "." + _b64(claims) + ".c2ln"
        case "header nested too deeply":  # read before the signature: was a 500
            nested = base64.urlsafe_b64encode(b"[" * 2000 + b"]" * 2000).decode().rstrip("=")
            return nested + "." + _b64(claims) + ".c2ln"
    return "not.a.token"


@pytest.mark.parametrize(
    "kind",
    ["expired", "wrong secret", "wrong audience", "wrong issuer", "HS512", "alg none",
     "EdDSA without Better Auth", "header nested too deeply", "garbage"],
)  # fmt: skip
@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # forging HS512
def test_bad_tokens_are_401(alice: Account, kind: str) -> None:
    token = _bad_token(kind, alice.id)
    response = alice.client.get("/api/tasks", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, kind
    assert response.headers["content-type"] == "application/problem+json"


def test_tampered_token_is_401(alice: Account) -> None:
    header, payload, signature = alice.token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    tampered = f"{header}.{_b64(claims)}.{signature}"
    response = alice.client.get("/api/tasks", headers={"Authorization": f"Bearer {tampered}"})
    assert response.status_code == 401


def test_missing_token_is_401(client: TestClient) -> None:
    response = client.get("/api/tasks")
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


def test_access_token_expires(make_client: Callable[..., TestClient]) -> None:
    client = make_client(ACCESS_TOKEN_TTL="1")
    account = Account(client, "brief@example.com")
    assert account.request("GET", "/api/tasks").status_code == 200
    time.sleep(7)  # ttl 1 s + PyJWT leeway 5 s
    expired = account.request("GET", "/api/tasks")
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]


def test_access_tokens_are_standard_hs256_jwts(alice: Account) -> None:
    """Our tokens are written on the standard library; PyJWT, the reference the rest of
    the ecosystem uses, must read ours and we must accept a valid one it writes."""
    claims = jwt.decode(alice.token, TEST_SECRET, algorithms=["HS256"], audience="todo_api",
                        issuer="todo_api")  # fmt: skip
    assert claims["sub"] == alice.id
    assert claims["email"] == alice.email
    assert jwt.get_unverified_header(alice.token) == {"alg": "HS256", "typ": "JWT"}
    theirs = _forge({"sub": alice.id, "nbf": dt.datetime.now(dt.UTC)})
    response = alice.client.get("/api/tasks", headers={"Authorization": f"Bearer {theirs}"})
    assert response.status_code == 200, response.text
