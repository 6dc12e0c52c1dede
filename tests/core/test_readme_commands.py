"""The README's first command, then its curl commands against it, read from README.md
and run verbatim (only the port may change): the first requests, and the newcomer's
token, create, list, complete and attach."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def readme_block(containing: str) -> str:
    """The first ```sh block of README.md that contains `containing`."""
    for block in re.findall(r"```sh\n(.*?)```", README, re.DOTALL):
        if containing in block:
            return str(block)
    raise AssertionError(f"README.md has no sh block with {containing!r}")


FIRST_REQUESTS = readme_block("curl http://127.0.0.1:8000/health").splitlines()
RUNBOOK_HEALTH, RUNBOOK_REGISTER, RUNBOOK_LOGIN = FIRST_REQUESTS
NEWCOMER = readme_block("TOKEN=$(")


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture
def readme_server(tmp_path: Path) -> Iterator[int]:
    """Yields the port; what `make run` printed is in tmp_path / "make-run.log"."""
    """`make run` as the README says (scripts/run), with its data in a temp folder and
    its own fresh environment, as on a new machine (and so the suite's .venv, which
    also holds preflight, is left alone)."""
    port = 8000 if _port_free(8000) else 8000 + os.getpid() % 1000
    env = {**os.environ, "TODO_DATA_DIR": str(tmp_path / "data")}
    env["UV_PROJECT_ENVIRONMENT"] = str(tmp_path / "venv")
    for name in ("DATABASE_URL", "BETTER_AUTH_SECRET", "VERCEL", "AWS_LAMBDA_FUNCTION_NAME"):
        env.pop(name, None)
    command = ["make", "run"] if port == 8000 else ["./scripts/run", "--port", str(port)]
    log = tmp_path / "make-run.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                                   stdout=output, stderr=subprocess.STDOUT)  # fmt: skip
    deadline = time.monotonic() + 120
    try:
        # Our own uvicorn's line, not just a busy port: on a shared machine another
        # process may hold the port, and its answers are not ours to test.
        while f"Uvicorn running on http://127.0.0.1:{port}" not in log.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the README command did not start the app:\n{log.read_text()}")
            time.sleep(0.2)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


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

    status, _ = curl(RUNBOOK_REGISTER, readme_server)
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


def test_make_run_prints_where_to_go_and_serves_the_ui(readme_server: int, tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{readme_server}"
    printed = (tmp_path / "make-run.log").read_text()
    assert f"web UI {base}/  API docs {base}/docs  health {base}/health" in printed, printed
    # The UI it points to is there, from the checkout: the package's copy, public/'s twin.
    page = httpx.get(base + "/", timeout=10).content
    assert page == (ROOT / "src" / "todo_api" / "web" / "index.html").read_bytes()


def test_newcomer_commands_create_list_complete_and_attach(
    readme_server: int, tmp_path: Path
) -> None:
    status, _ = curl(RUNBOOK_REGISTER, readme_server)
    assert status == 201
    script = "set -euo pipefail\n" + NEWCOMER.replace(":8000", f":{readme_server}")
    work = tmp_path / "shell"
    work.mkdir()
    result = subprocess.run(["bash", "-c", script], cwd=work, capture_output=True, text=True,
                            timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    # Each curl printed one JSON document: the listing, the completed task, the
    # attachment, the attachment listing.
    listing, completed, attachment, attachments = (
        json.loads(line) for line in result.stdout.replace("}{", "}\n{").splitlines() if line
    )
    assert [task["title"] for task in listing["items"]] == ["Buy milk"]
    assert completed["completed"] is True
    assert attachment["filename"] == "note.txt"
    assert attachment["content_type"] == "text/plain"
    assert [a["id"] for a in attachments["items"]] == [attachment["id"]]
