"""CORS for a browser frontend on another origin (a Next.js app on :3000 by default)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

PREFLIGHT = {
    "Origin": "http://localhost:3000",
    "Access-Control-Request-Method": "PATCH",
    "Access-Control-Request-Headers": "authorization, content-type, if-match",
}


def test_preflight_from_allowed_origin(client: TestClient) -> None:
    response = client.options("/api/tasks/abc", headers=PREFLIGHT)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "PATCH" in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    assert {"authorization", "content-type", "if-match"} <= {h.strip() for h in allowed.split(",")}


def test_simple_request_exposes_etag(client: TestClient) -> None:
    response = client.get("/health", headers={"Origin": "http://localhost:3000"})
    assert response.headers["access-control-allow-origin"] == "http://localhost:3000"
    exposed = response.headers["access-control-expose-headers"].lower()
    assert "etag" in exposed
    assert "x-request-id" in exposed


def test_other_origins_are_not_allowed(client: TestClient) -> None:
    response = client.options("/api/tasks", headers={**PREFLIGHT, "Origin": "https://evil.example"})
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    simple = client.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


def test_origin_list_from_env(make_client: Callable[..., TestClient]) -> None:
    client = make_client(CORS_ORIGINS="https://app.example.com, https://admin.example.com/")
    for origin in ("https://app.example.com", "https://admin.example.com"):
        response = client.options("/api/tasks", headers={**PREFLIGHT, "Origin": origin})
        assert response.headers["access-control-allow-origin"] == origin
    default = client.options("/api/tasks", headers=PREFLIGHT)
    assert default.status_code == 400


def test_wildcard_never_comes_with_credentials(make_client: Callable[..., TestClient]) -> None:
    client = make_client(CORS_ORIGINS="*")
    response = client.get("/health", headers={"Origin": "https://anywhere.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # sandboxed iframes and file:// pages
        {"Origin": "http://localhost:3000.evil.example"},
        {"Origin": "http://localhost:30000"},
        {"Origin": "http://LOCALHOST:3000"},
        {"Access-Control-Request-Method": "TRACE"},
        {"Access-Control-Request-Headers": "authorization, x-evil"},
    ],
)
def test_a_refused_preflight_is_a_problem(client: TestClient, headers: dict[str, str]) -> None:
    response = client.options("/api/tasks", headers={**PREFLIGHT, **headers})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith("Disallowed CORS")
    if "Origin" in headers:  # an allowed origin asking for too much may still be named
        assert "access-control-allow-origin" not in response.headers
