"""An attacker's Host or X-Forwarded-Host never appears in the URLs the service hands out
(/mcp's 401 challenge, its protected resource metadata), which a shared cache could
serve to other clients; PUBLIC_URL names the origin, and a malformed one is reported."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest
from starlette.testclient import TestClient
from starlette.types import ASGIApp

from tests.conftest import TEST_SECRET
from todo_api.main import create_app
from todo_api.settings import Settings

METADATA = "/.well-known/oauth-protected-resource"
HOSTILE = {
    "Host": "evil.example",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Proto": "javascript",
    "Forwarded": "host=evil.example;proto=https",
}


def _settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'todo.sqlite3'}",
            "TODO_DATA_DIR": str(tmp_path / "data"),
            "BETTER_AUTH_SECRET": TEST_SECRET,
            "LOG_LEVEL": "WARNING",
            **env,
        }
    )


def _advertised(base: str, headers: dict[str, str]) -> tuple[str, str]:
    """What /mcp's 401 and the metadata document say, asked with `headers`."""
    challenge = httpx2.post(base + "/mcp", json={}, headers=headers)
    assert challenge.status_code == 401, challenge.text
    metadata = httpx2.get(base + METADATA, headers=headers)
    assert metadata.status_code == 200, metadata.text
    return challenge.headers["www-authenticate"], metadata.json()["resource"]


def test_a_hostile_host_is_not_advertised(
    tmp_path: Path, live_server: Callable[[ASGIApp], str]
) -> None:
    base = live_server(create_app(_settings(tmp_path)))
    challenge, resource = _advertised(base, HOSTILE)
    assert "evil" not in challenge + resource
    assert "javascript" not in challenge + resource
    # Off-platform the origin is the socket the request reached: still correct for it.
    assert f'resource_metadata="{base}{METADATA}"' in challenge
    assert resource == base + "/mcp"


def test_public_url_names_the_origin(tmp_path: Path, live_server: Callable[[ASGIApp], str]) -> None:
    base = live_server(create_app(_settings(tmp_path, PUBLIC_URL="https://todo.example.com/")))
    challenge, resource = _advertised(base, HOSTILE)
    assert 'resource_metadata="https://todo.example.com/.well-known/oauth-protected-resource"' in (
        challenge
    )
    assert resource == "https://todo.example.com/mcp"


def test_on_vercel_the_host_its_edge_routed_is_used(tmp_path: Path) -> None:
    # Vercel's edge delivers only the deployment's own host names to the function.
    settings = _settings(tmp_path, VERCEL="1", VERCEL_ENV="preview")
    with TestClient(create_app(settings), base_url="https://todo-abc.vercel.app") as client:
        metadata = client.get(METADATA)
    assert metadata.json()["resource"] == "https://todo-abc.vercel.app/mcp"


@pytest.mark.parametrize(
    "value",
    [
        "todo.example.com",
        "ftp://todo.example.com",
        "https://",
        "https://user:pw@todo.example.com",
        "https://todo.example.com:99999",
        "https://todo.example.com/?q=1",
        'https://todo.example.com/"x',
        "https://tödo.example.com",
    ],
)
def test_a_malformed_public_url_is_reported(tmp_path: Path, value: str) -> None:
    settings = _settings(tmp_path, PUBLIC_URL=value)
    assert settings.public_url is None
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        health = client.get("/health")
    assert health.status_code == 503
    assert "PUBLIC_URL must be an http(s) origin" in health.text
