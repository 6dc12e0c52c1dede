"""JWTs from a Better Auth frontend: EdDSA, keys from a JWKS served on loopback."""

from __future__ import annotations

import base64
import datetime as dt
import http.server
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from starlette.testclient import TestClient

from tests.conftest import Account
from todo_api.auth import better_auth


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def raw_public(key: Ed25519PrivateKey) -> bytes:
    """The 32 bytes a JWKS publishes as `x` (RFC 8037)."""
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


class BetterAuthServer:
    """Publishes a JWKS the way better-auth's JWT plugin does; signs tokens like it."""

    def __init__(self) -> None:
        self.keys: dict[str, Ed25519PrivateKey] = {}
        self.requests = 0
        self.add_key("key-1")
        handler = self._handler()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def add_key(self, kid: str) -> None:
        self.keys[kid] = Ed25519PrivateKey.generate()

    def jwks(self) -> dict[str, Any]:
        return {
            "keys": [
                {"alg": "EdDSA", "crv": "Ed25519", "kty": "OKP", "kid": kid,
                 "x": b64url(raw_public(key))}
                for kid, key in self.keys.items()
            ]
        }  # fmt: skip

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != "/api/auth/jwks":
                    self.send_error(404)
                    return
                server.requests += 1
                body = json.dumps(server.jwks()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def token(self, sub: str = "ba-user-123", kid: str = "key-1", **claims: Any) -> str:
        now = int(dt.datetime.now(dt.UTC).timestamp())
        payload = {"id": sub, "name": "Bea", "email": "Bea@Example.com", "emailVerified": True,
                   "iat": now, "exp": now + 900, "sub": sub, "iss": self.url, "aud": self.url,
                   **claims}  # fmt: skip
        signing_input = b64url(json.dumps({"alg": "EdDSA", "kid": kid}).encode()) + "."
        signing_input += b64url(json.dumps(payload).encode())
        signature = self.keys[kid].sign(signing_input.encode())
        return signing_input + "." + b64url(signature)


@pytest.fixture
def better_auth_server() -> Iterator[BetterAuthServer]:
    server = BetterAuthServer()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def ba_client(
    make_client: Callable[..., TestClient], better_auth_server: BetterAuthServer
) -> TestClient:
    # A path on the base URL: iss/aud are its origin, as Better Auth computes them.
    return make_client(BETTER_AUTH_URL=better_auth_server.url + "/")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_better_auth_token_works_and_creates_the_user(
    ba_client: TestClient, better_auth_server: BetterAuthServer
) -> None:
    token = better_auth_server.token()
    created = ba_client.post("/api/tasks", json={"title": "from Next.js"}, headers=bearer(token))
    assert created.status_code == 201, created.text
    me = ba_client.get("/api/auth/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.json()["id"] == "ba-user-123"
    assert me.json()["email"] == "bea@example.com"
    compat = ba_client.get("/api/ba-user-123/tasks", headers=bearer(token))
    assert [task["title"] for task in compat.json()] == ["from Next.js"]
    assert better_auth_server.requests == 1  # the key set is cached


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"aud": "better-auth:session-cache"}, "the session-cache cookie JWT"),
        ({"iss": "http://evil.example"}, "another issuer"),
        ({"exp": 1_000_000}, "expired"),
        ({"sub": ""}, "an empty subject (issue 11): it would be one account for all"),
        ({"sub": "   "}, "a blank subject"),
        ({"sub": 12345}, "a subject that is not a string"),
        ({"sub": "ba\u0000user"}, "a NUL, which PostgreSQL cannot store"),
        ({"email": "bea\u0000@example.com"}, "a NUL in the email"),
    ],
)
def test_wrong_claims_are_refused(
    ba_client: TestClient, better_auth_server: BetterAuthServer, claims: Any, reason: str
) -> None:
    token = better_auth_server.token(**claims)
    assert ba_client.get("/api/tasks", headers=bearer(token)).status_code == 401, reason


def test_signature_from_another_key_is_refused(
    ba_client: TestClient, better_auth_server: BetterAuthServer
) -> None:
    assert (
        ba_client.get("/api/tasks", headers=bearer(better_auth_server.token())).status_code == 200
    )
    published = better_auth_server.keys["key-1"]
    better_auth_server.keys["key-1"] = Ed25519PrivateKey.generate()  # attacker's key, same kid
    forged = better_auth_server.token()
    better_auth_server.keys["key-1"] = published
    assert ba_client.get("/api/tasks", headers=bearer(forged)).status_code == 401


def test_key_rotation_is_followed(
    ba_client: TestClient, better_auth_server: BetterAuthServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(better_auth, "MIN_REFETCH", 0.0)
    assert (
        ba_client.get("/api/tasks", headers=bearer(better_auth_server.token())).status_code == 200
    )
    better_auth_server.add_key("key-2")
    rotated = better_auth_server.token(kid="key-2")
    assert ba_client.get("/api/tasks", headers=bearer(rotated)).status_code == 200
    assert better_auth_server.requests == 2
    better_auth_server.add_key("key-9")
    unknown = better_auth_server.token(kid="key-9")
    del better_auth_server.keys["key-9"]  # signed, never published
    assert ba_client.get("/api/tasks", headers=bearer(unknown)).status_code == 401


def test_hs256_signed_with_the_public_key_is_refused(
    ba_client: TestClient, better_auth_server: BetterAuthServer
) -> None:
    # The classic confusion attack: use the published public key as an HMAC secret.
    public = raw_public(better_auth_server.keys["key-1"])
    now = dt.datetime.now(dt.UTC)
    token = jwt.encode(
        {"sub": "ba-user-123", "iss": better_auth_server.url, "aud": better_auth_server.url,
         "iat": now, "exp": now + dt.timedelta(minutes=5)},
        public, algorithm="HS256",
    )  # fmt: skip
    assert ba_client.get("/api/tasks", headers=bearer(token)).status_code == 401


def test_subject_of_a_local_account_is_refused(
    ba_client: TestClient, better_auth_server: BetterAuthServer
) -> None:
    local = Account(ba_client, "local@example.com")
    token = better_auth_server.token(sub=local.id)
    assert ba_client.get("/api/tasks", headers=bearer(token)).status_code == 401


def test_better_auth_tokens_are_refused_when_not_configured(
    client: TestClient, better_auth_server: BetterAuthServer
) -> None:
    assert client.get("/api/tasks", headers=bearer(better_auth_server.token())).status_code == 401
