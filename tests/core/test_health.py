"""GET /health: 200 with the database's state, 503 with the reason, never a crash."""

from __future__ import annotations

from collections.abc import Callable

from starlette.testclient import TestClient


def test_healthy_reports_database_and_version(client: TestClient, database_url: str) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["version"]
    assert body["database"]["status"] == "ok"
    assert body["database"]["dialect"] == (
        "sqlite" if database_url.startswith("sqlite") else "postgres"
    )


def test_unreachable_database_is_503_with_reason(make_client: Callable[..., TestClient]) -> None:
    client = make_client(DATABASE_URL="postgresql://postgres@127.0.0.1:1/nowhere")
    response = client.get("/health")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 503
    assert body["detail"] == "The database is unreachable"  # where: in the log only
    assert "127.0.0.1" not in response.text
    assert body["database"]["status"] == "error"


def test_vercel_without_config_answers_503_not_a_crash(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(VERCEL="1", DATABASE_URL="", BETTER_AUTH_SECRET="")
    response = client.get("/health")
    assert response.status_code == 503
    detail = response.json()["detail"]
    assert "DATABASE_URL is not set" in detail
    assert "BETTER_AUTH_SECRET is not set" in detail
    # Routes that need the missing pieces say so too.
    login = client.post("/api/auth/login", json={"email": "a@b.co", "password": "x"})
    assert login.status_code == 503
    assert "BETTER_AUTH_SECRET" in login.json()["detail"]


def test_short_secret_is_refused(make_client: Callable[..., TestClient]) -> None:
    client = make_client(BETTER_AUTH_SECRET="too-short")
    assert client.get("/health").status_code == 503
    response = client.post(
        "/api/auth/register", json={"email": "a@example.com", "password": "secret123"}
    )
    assert response.status_code == 503
    assert "at least 32" in response.json()["detail"]


def test_unsupported_database_scheme_is_503(make_client: Callable[..., TestClient]) -> None:
    client = make_client(DATABASE_URL="mysql://root@localhost/todo")
    response = client.get("/health")
    assert response.status_code == 503
    assert "mysql" in response.json()["detail"]


def test_storage_is_reported(client: TestClient) -> None:
    storage = client.get("/health").json()["storage"]
    assert storage["status"] == "ok"
    assert storage["backend"] == "local"


def test_serverless_without_storage_is_degraded_not_down(
    make_client: Callable[..., TestClient], postgres_url: str
) -> None:
    client = make_client(VERCEL="1", DATABASE_URL=postgres_url)
    response = client.get("/health")
    assert response.status_code == 200  # tasks work; only attachments cannot
    body = response.json()
    assert body["status"] == "degraded"
    assert body["storage"]["status"] == "unavailable"
    assert "STORAGE_URL" in body["storage"]["error"]
