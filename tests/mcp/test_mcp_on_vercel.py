"""/mcp as Vercel serves it: `preflight run --serve` builds this repository with
Vercel's own builder (`uv sync --no-dev`: the SDK must be a default dependency to be
in the bundle) and runs it under vercel-runtime behind an emulated edge, on a real
PostgreSQL forwarded into the sandbox. The SDK's client then does the agent's work."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from tests.mcp.agent import TOOL_NAMES, agent, call, error_of
from tests.mcp.test_mcp_endpoint import register, rest
from tests.services.postgres import PostgresServer

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

REPO = Path(__file__).resolve().parents[2]
SECRET = "vercel-mcp-test-secret-0123456789abcdef"


@pytest.fixture
def deployed(postgres_server: PostgresServer, tmp_path: Path) -> Iterator[str]:
    from preflight.emulate import sandbox

    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js/npm not installed: Vercel's builder cannot run")
    caps = sandbox.detect()
    if not (caps.sandboxed and caps.isolated_network):
        pytest.skip(caps.reason or "the sandbox cannot isolate the network here (not root)")
    database = postgres_server.url(postgres_server.create_database())
    command = [
        sys.executable, "-m", "preflight", "run", str(REPO), "--serve",
        "--env", f"DATABASE_URL={database}", "--env", f"BETTER_AUTH_SECRET={SECRET}",
        "--forward-port", str(postgres_server.port),
    ]  # fmt: skip
    log = tmp_path / "preflight-serve.log"
    with log.open("w") as errors:  # its progress lines; a full pipe would stall it
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True)
    assert process.stdout is not None
    url: list[str] = []
    stdout = process.stdout
    reader = threading.Thread(target=lambda: url.append(stdout.readline().strip()))
    reader.start()
    reader.join(600)
    try:
        if not url or not url[0].startswith("http://"):
            pytest.fail(f"preflight run --serve did not serve: {log.read_text()[-3000:]}")
        yield url[0]
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        stdout.close()


def test_an_agent_manages_tasks_through_vercels_runtime(deployed: str) -> None:
    token, other = (
        register(deployed, "vercel-agent@example.com"),
        register(deployed, "vercel-other@example.com"),
    )

    async def scenario() -> dict[str, Any]:
        async with agent(deployed, token) as session:
            assert {tool.name for tool in (await session.list_tools()).tools} == TOOL_NAMES
            kept = await call(session, "add_task", title="Runs on Vercel", tags=["deploy"])
            gone = await call(session, "add_task", title="Delete me")
            await call(session, "update_task", task_id=kept["id"], priority="high")
            await call(session, "complete_task", task_id=kept["id"])
            assert (await call(session, "get_task", task_id=kept["id"]))["completed"]
            await call(session, "delete_task", task_id=gone["id"])
            listed = await call(session, "list_tasks", status="completed", search="Vercel")
            assert [t["id"] for t in listed["items"]] == [kept["id"]]
            assert "Invalid arguments" in await error_of(session, "add_task", title="")
        async with agent(deployed, other) as session:
            assert (await call(session, "list_tasks"))["items"] == []
            assert await error_of(session, "get_task", task_id=kept["id"]) == "No task with this id"
        return kept

    kept = anyio.run(scenario)
    read = rest(deployed, token, f"/api/tasks/{kept['id']}").json()
    assert (read["priority"], read["completed"]) == ("high", True)
    assert [t["id"] for t in rest(deployed, token, "/api/tasks").json()["items"]] == [kept["id"]]
    refused = httpx.post(deployed + "/mcp", json={})
    assert refused.status_code == 401
    assert "/.well-known/oauth-protected-resource" in refused.headers["www-authenticate"]
    metadata = httpx.get(deployed + "/.well-known/oauth-protected-resource")
    assert metadata.json()["resource"] == deployed + "/mcp"
