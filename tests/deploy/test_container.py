"""The container's command, run here exactly as the Dockerfile states it (no Docker
engine on this machine): the Dockerfile's ENV and CMD are read, not restated."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_SECRET
from tests.services.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def dockerfile_cmd() -> list[str]:
    match = re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.MULTILINE)
    assert match, "Dockerfile needs an exec-form CMD"
    command: list[str] = json.loads(match[1])
    return command


def dockerfile_env() -> dict[str, str]:
    """The last stage's ENV (continuation lines joined)."""
    runtime_stage = DOCKERFILE.rsplit("\nFROM ", 1)[1]
    text = runtime_stage.replace("\\\n", " ")
    env: dict[str, str] = {}
    for line in re.findall(r"^ENV (.+)$", text, re.MULTILINE):
        for pair in shlex.split(line):
            key, _, value = pair.partition("=")
            env[key] = value
    return env


@contextlib.contextmanager
def run_container_command(
    tmp_path: Path, **extra_env: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Start the Dockerfile's CMD with its ENV (plus `extra_env`); yield the base URL."""
    port = free_port()
    env = {**dockerfile_env(), "PORT": str(port), "TODO_DATA_DIR": str(tmp_path / "data")}
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"
    env.update(extra_env)
    process = subprocess.Popen(dockerfile_cmd(), cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                httpx.get(base + "/health", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    pytest.fail(f"container command did not start:\n{output}")
                time.sleep(0.2)
        yield base, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if process.stdout:
            process.stdout.close()


@pytest.fixture
def container(tmp_path: Path, postgres_url: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    with run_container_command(
        tmp_path, WEB_CONCURRENCY="2", DATABASE_URL=postgres_url, BETTER_AUTH_SECRET=TEST_SECRET
    ) as running:
        yield running


def test_dockerfile_runs_as_non_root_with_a_health_check() -> None:
    assert re.search(r"^USER (?!root)\w+", DOCKERFILE, re.MULTILINE)
    assert "HEALTHCHECK" in DOCKERFILE
    assert dockerfile_cmd()[:2] == ["todo-api", "serve"]


def test_container_command_serves_the_journey_and_stops_cleanly(
    container: tuple[str, subprocess.Popen[bytes]],
) -> None:
    base, process = container
    health = httpx.get(base + "/health")
    assert health.status_code == 200
    assert health.json()["platform"] == "container"
    account = {"email": "docker@example.com", "password": "secret123"}
    token = httpx.post(base + "/api/auth/register", json=account).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    # Two workers: requests land on either, and both see the same Postgres.
    for i in range(6):
        created = httpx.post(base + "/api/tasks", json={"title": f"t{i}"}, headers=headers)
        assert created.status_code == 201
    assert len(httpx.get(base + "/api/tasks", headers=headers).json()["items"]) == 6
    # The platform stops containers with SIGTERM: uvicorn drains and exits 0.
    os.killpg(process.pid, signal.SIGTERM)
    assert process.wait(30) == 0


def test_container_without_secret_reports_it(tmp_path: Path) -> None:
    with run_container_command(tmp_path) as (base, _):
        response = httpx.get(base + "/health")
    assert response.status_code == 503
    assert "BETTER_AUTH_SECRET is not set" in response.json()["detail"]
