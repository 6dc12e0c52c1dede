"""The README's first command, then the users' runbook curl commands against it, verbatim."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK_HEALTH = "curl http://127.0.0.1:8000/health"
RUNBOOK_LOGIN = (
    'curl -X POST http://127.0.0.1:8000/api/auth/login -H "Content-Type: application/json" '
    '-d \'{"email":"test@example.com","password":"test123"}\''
)


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture
def readme_server(tmp_path: Path) -> Iterator[int]:
    """`make run` as the README says (scripts/run), with its data in a temp folder and
    its own fresh environment, as on a new machine (and so the suite's .venv, which
    also holds preflight, is left alone)."""
    port = 8000 if _port_free(8000) else 8000 + os.getpid() % 1000
    env = {**os.environ, "TODO_DATA_DIR": str(tmp_path / "data")}
    env["UV_PROJECT_ENVIRONMENT"] = str(tmp_path / "venv")
    for name in ("DATABASE_URL", "BETTER_AUTH_SECRET", "VERCEL", "AWS_LAMBDA_FUNCTION_NAME"):
        env.pop(name, None)
    command = ["make", "run"] if port == 8000 else ["./scripts/run", "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    deadline = time.monotonic() + 120
    try:
        while _port_free(port):
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"the README command did not start the app:\n{output}")
            time.sleep(0.2)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)
        if process.stdout:
            process.stdout.close()


def curl(command: str, port: int) -> tuple[int, dict[str, object]]:
    args = ["bash", "-c", command.replace(":8000", f":{port}") + " -s -w '\\n%{http_code}'"]
    output = subprocess.run(args, capture_output=True, text=True, check=True, timeout=30).stdout
    body, status = output.rsplit("\n", 1)
    return int(status), json.loads(body)


def test_runbook_commands(readme_server: int, tmp_path: Path) -> None:
    status, health = curl(RUNBOOK_HEALTH, readme_server)
    assert status == 200
    assert health["status"] == "ok"

    status, problem = curl(RUNBOOK_LOGIN, readme_server)
    assert status == 401
    assert problem["title"] == "Unauthorized"

    register = RUNBOOK_LOGIN.replace("/api/auth/login", "/api/auth/register")
    status, _ = curl(register, readme_server)
    assert status == 201
    status, token = curl(RUNBOOK_LOGIN, readme_server)
    assert status == 200
    assert token["token_type"] == "bearer"
    assert isinstance(token["access_token"], str)
    # Zero config: the SQLite file and the generated dev secret live in the data folder.
    assert (tmp_path / "data" / "todo.sqlite3").exists()
    assert (tmp_path / "data" / "dev-secret").exists()


def test_docs_are_served(readme_server: int) -> None:
    status, doc = curl("curl http://127.0.0.1:8000/openapi.json", readme_server)
    assert status == 200
    assert doc["openapi"] == "3.1.0"
