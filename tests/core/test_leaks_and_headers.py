"""Nothing internal leaks to anonymous clients, and responses carry hardening headers
(issue 11). Hosts, ports, database names, absolute paths and the JWKS URL go to the
log with the request id; answers say what is wrong in words."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import TEST_SECRET, Account

UNREACHABLE = "postgresql://postgres@127.0.0.1:1/secretdbname"


@pytest.fixture
def todo_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    logger = logging.getLogger("todo_api")
    logger.addHandler(caplog.handler)
    yield caplog
    logger.removeHandler(caplog.handler)


def _token_for(make_client: Callable[..., TestClient]) -> str:
    return Account(make_client(), "leak@example.com").token


def test_unreachable_database_says_so_without_host_port_or_name(
    make_client: Callable[..., TestClient], todo_log: pytest.LogCaptureFixture
) -> None:
    token = _token_for(make_client)
    client = make_client(DATABASE_URL=UNREACHABLE)
    health = client.get("/health")
    tasks = client.get("/api/tasks", headers={"Authorization": f"Bearer {token}"})
    for response in (health, tasks):
        assert response.status_code == 503
        assert "database" in response.json()["detail"].lower()
        for secret in ("127.0.0.1", ":1", "secretdbname", "postgres@"):
            assert secret not in response.text, response.text
    # the operator still learns where: in the log, next to the request id
    logged = "\n".join(record.getMessage() for record in todo_log.records)
    assert "127.0.0.1:1" in logged
    assert tasks.headers["x-request-id"] in logged


def test_health_names_no_absolute_path(client: TestClient, tmp_path: Path) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert str(tmp_path) not in response.text
    assert response.json()["storage"]["backend"] == "local"


def test_serverless_storage_problem_names_no_path(
    make_client: Callable[..., TestClient], postgres_url: str, tmp_path: Path
) -> None:
    client = make_client(VERCEL="1", DATABASE_URL=postgres_url, STORAGE_URL=f"file://{tmp_path}")
    response = client.get("/health")
    assert response.json()["storage"]["status"] == "unavailable"
    assert str(tmp_path) not in response.text


def _eddsa_shaped(header: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part(header)}.{part({'sub': 'x'})}.{'A' * 86}"


def test_jwks_failure_does_not_name_the_jwks_url(
    make_client: Callable[..., TestClient], todo_log: pytest.LogCaptureFixture
) -> None:
    client = make_client(BETTER_AUTH_URL="http://127.0.0.1:1/hidden-auth")
    token = _eddsa_shaped({"alg": "EdDSA", "kid": "k1"})
    response = client.get("/api/tasks", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (401, 503)
    assert "127.0.0.1" not in response.text
    assert "hidden-auth" not in response.text
    assert "hidden-auth" in "\n".join(r.getMessage() for r in todo_log.records)


@pytest.mark.parametrize(
    "header",
    [{"alg": "X" * 5000}, {"alg": "EdDSA", "kid": "K" * 5000}, {"alg": ["x"] * 1000}],
)
def test_attacker_header_values_are_not_echoed_unbounded(
    make_client: Callable[..., TestClient], header: dict[str, Any]
) -> None:
    client = make_client(BETTER_AUTH_URL="http://127.0.0.1:1")
    token = _eddsa_shaped(header)
    response = client.get("/api/tasks", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert len(response.json()["detail"]) < 200


def test_api_and_ui_send_hardening_headers(client: TestClient) -> None:
    for path in ("/health", "/api/tasks", "/api/nothing", "/openapi.json", "/"):
        response = client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["referrer-policy"] == "no-referrer", path
    page = client.get("/")
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp


def test_token_responses_are_not_stored(client: TestClient) -> None:
    body = {"email": "cache@example.com", "password": "correct horse battery"}
    registered = client.post("/api/auth/register", json=body)
    logged_in = client.post("/api/auth/login", json=body)
    refreshed = client.post(
        "/api/auth/refresh", json={"refresh_token": logged_in.json()["refresh_token"]}
    )
    for response in (registered, logged_in, refreshed):
        assert response.status_code in (200, 201), response.text
        assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ["/api/tasks/", "/docs/", "/health/", "/openapi.json/"])
def test_redirects_never_use_the_host_header(alice: Account, path: str) -> None:
    response = alice.request("GET", path, headers={"Host": "evil.example"}, follow_redirects=False)
    assert "evil.example" not in response.headers.get("location", "")
    assert response.status_code < 500


def test_request_id_only_when_well_formed(client: TestClient) -> None:
    assert client.get("/health", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == (
        "abc-123"
    )
    for bad in ("a b", "x" * 200, "<script>", "id;drop"):
        echoed = client.get("/health", headers={"X-Request-ID": bad}).headers["x-request-id"]
        assert echoed != bad
        assert len(echoed) == 16


def test_vercel_request_id_only_on_vercel(make_client: Callable[..., TestClient]) -> None:
    vercel_id = "fra1::iad1::abcde-1700000000000-0123456789ab"
    local = make_client().get("/health", headers={"X-Vercel-Id": vercel_id})
    assert local.headers["x-request-id"] != vercel_id
    on_vercel = make_client(VERCEL="1", BETTER_AUTH_SECRET=TEST_SECRET)
    assert on_vercel.get("/health", headers={"X-Vercel-Id": vercel_id}).headers["x-request-id"] == (
        vercel_id
    )


def test_vercel_sends_the_ui_policy_too() -> None:
    """On Vercel the CDN serves public/ without the app: vercel.json carries the header."""
    from todo_api.http.ui import UI_CSP

    config = json.loads(Path("vercel.json").read_text())
    sent = {h["key"]: h["value"] for rule in config["headers"] for h in rule["headers"]}
    assert sent["Content-Security-Policy"] == UI_CSP
    assert sent["X-Content-Type-Options"] == "nosniff"
