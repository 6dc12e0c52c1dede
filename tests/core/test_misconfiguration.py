"""An unusable setting is a 503 problem that names the setting, and a bad `todo-api`
argument is one line and exit 2: each of these was a 500 with a traceback in the log
(or a traceback on the terminal). The operator's input, not an attacker's, but the same
rule: never a 5xx of our own making, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.conftest import Account

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _is_503(response: object, *words: str) -> None:
    from httpx2 import Response

    assert isinstance(response, Response)
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    for word in words:
        assert word in response.json()["detail"], response.text


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u@[::1/x",  # an unclosed IPv6 bracket
        "postgresql://u@db.example:99999/x",
        "postgresql://u@db.example:abc/x",
        "postgresql://u@db.example/x?sslmode=verify-full&sslrootcert=/nonexistent.pem",
        "sqlite:///%00",
    ],
)
def test_a_malformed_database_url_is_503(make_client: Callable[..., TestClient], url: str) -> None:
    client = make_client(DATABASE_URL=url)
    body = {"email": "ops@example.com", "password": "correct horse battery"}
    _is_503(client.post("/api/auth/register", json=body), "DATABASE_URL")
    health = client.get("/health")
    assert health.status_code == 503, health.text
    assert health.json()["database"]["status"] != "ok"


@pytest.mark.parametrize("url", ["s3://bucket[/p", "file:///tmp/a%00b"])
def test_a_malformed_storage_url_is_503(make_client: Callable[..., TestClient], url: str) -> None:
    client = make_client(STORAGE_URL=url)
    alice = Account(client, "files@example.com")
    task = alice.request("POST", "/api/tasks", json={"title": "t"}).json()["id"]
    upload = alice.request(
        "POST", f"/api/tasks/{task}/attachments", files={"file": ("a.png", PNG, "image/png")}
    )
    _is_503(upload, "storage")
    health = client.get("/health")  # degraded, not down: tasks still work
    assert health.status_code == 200, health.text
    assert health.json()["storage"]["status"] == "unavailable"


@pytest.mark.parametrize("url", ["garbage", "redis://h:99999/0", "redis://[::1"])
def test_a_malformed_redis_url_is_503(make_client: Callable[..., TestClient], url: str) -> None:
    client = make_client(REDIS_URL=url)
    body = {"email": "ops@example.com", "password": "correct horse battery"}
    _is_503(client.post("/api/auth/register", json=body), "REDIS_URL")
    _is_503(client.post("/api/auth/login", json=body), "REDIS_URL")


def test_a_malformed_better_auth_url_is_503(make_client: Callable[..., TestClient]) -> None:
    client = make_client(BETTER_AUTH_URL="http://[::1")
    eddsa = "eyJhbGciOiJFZERTQSIsImtpZCI6ImsifQ.e30.AAAA"  # {"alg":"EdDSA","kid":"k"}
    _is_503(client.get("/api/tasks", headers={"Authorization": f"Bearer {eddsa}"}))


def test_a_size_in_other_digits_is_a_configuration_problem(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(ATTACHMENT_MAX_BYTES="²")  # str.isdigit() says yes, int() says no
    alice = Account(client, "digits@example.com")
    task = alice.request("POST", "/api/tasks", json={"title": "t"}).json()["id"]
    _is_503(alice.request("GET", f"/api/tasks/{task}/attachments/x"), "ATTACHMENT_MAX_BYTES")


@pytest.mark.parametrize(
    ("args", "env", "said"),
    [
        (["--port", "99999"], {}, "a port is a number from 0 to 65535"),
        (["--port", "-1"], {}, "a port is a number from 0 to 65535"),
        (["--workers", "0"], {}, "worker processes number from 1 to 1024"),
        (["--host", "a..b"], {}, "is not a host name or address"),
        (["--port", "x"], {"PORT": "²"}, "a port is a number"),  # $PORT: no traceback first
    ],
)
def test_a_bad_serve_argument_is_one_line_and_exit_2(
    tmp_path: Path, args: list[str], env: dict[str, str], said: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "todo_api", "serve", *args],
        env={**os.environ, **env}, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert said in result.stderr.strip().splitlines()[-1]
