"""Fixtures shared by todo_api's tests.

Real services come from tests/services/ (a PostgreSQL server, a Ceph RGW S3 server, a
live uvicorn server). `database_url` runs a test once on SQLite and once on Postgres.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from todo_api.app_context import Services
from todo_api.main import create_app
from todo_api.settings import Settings

pytest_plugins = [
    "tests.services.postgres",
    "tests.services.rgw",
    "tests.services.live_server",
    "tests.services.redis",
    "tests.services.app_process",
]

TEST_SECRET = "test-secret-that-is-long-enough-0123456789"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'todo.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def make_settings(tmp_path: Path, database_url: str) -> Callable[..., Settings]:
    """Settings from an explicit environment: nothing leaks in from the real one."""

    def make(**overrides: str) -> Settings:
        env = {
            "DATABASE_URL": database_url,
            "TODO_DATA_DIR": str(tmp_path / "data"),
            "BETTER_AUTH_SECRET": TEST_SECRET,
            "LOG_LEVEL": "WARNING",
        }
        env.update(overrides)
        return Settings.from_env({k: v for k, v in env.items() if v is not None})

    return make


@pytest.fixture
def make_client(make_settings: Callable[..., Settings]) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        client = TestClient(create_app(make_settings(**overrides)), raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def app_of(client: TestClient) -> Starlette:
    """The application behind a client from `make_client`: TestClient types it as any ASGI
    callable, so tests that reach its routes or state would otherwise be untyped."""
    assert isinstance(client.app, Starlette), client.app
    return client.app


def services_of(client: TestClient) -> Services:
    """The Services the app serves with (create_app keeps them in app.state, which is untyped),
    for tests that arrange rows or counters behind the API's back."""
    services = app_of(client).state.services
    assert isinstance(services, Services), services
    return services


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


class Account:
    """A registered user and a client that sends their token."""

    def __init__(self, client: TestClient, email: str, password: str = "correct horse") -> None:
        response = client.post("/api/auth/register", json={"email": email, "password": password})
        assert response.status_code == 201, response.text
        body = response.json()
        self.client = client
        self.email = email
        self.password = password
        self.id: str = body["user"]["id"]
        self.token: str = body["access_token"]
        self.refresh_token: str = body["refresh_token"]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def request(self, method: str, path: str, **kwargs: Any) -> httpx2.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)


@pytest.fixture
def alice(client: TestClient) -> Account:
    return Account(client, "alice@example.com")


@pytest.fixture
def bob(client: TestClient) -> Account:
    return Account(client, "bob@example.com")
