"""REST traffic never loads the MCP SDK or pydantic; the first /mcp call does, and
answers (its latency is printed with -s, for the closing note of issue 12)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys, time
from starlette.testclient import TestClient
from todo_api.main import create_app
from todo_api.settings import Settings

HEAVY = ("mcp", "mcp_types", "pydantic", "pydantic_core", "jsonschema")
def loaded(): return sorted(n for n in sys.modules if n.split(".")[0] in HEAVY)

settings = Settings.from_env({{"TODO_DATA_DIR": {data!r}, "BETTER_AUTH_SECRET": "x" * 40,
                              "LOG_LEVEL": "WARNING", "AUTH_RATE_LIMIT": "off"}})
with TestClient(create_app(settings)) as client:
    body = {{"email": "cost@example.com", "password": "correct horse battery"}}
    token = client.post("/api/auth/register", json=body).json()["access_token"]
    auth = {{"Authorization": "Bearer " + token}}
    task = client.post("/api/tasks", json={{"title": "REST"}}, headers=auth).json()
    client.patch(f"/api/tasks/{{task['id']}}/complete", headers=auth)
    client.get("/api/tasks", headers=auth)
    client.get("/openapi.json")
    client.get("/health")
    assert client.post("/mcp", json={{}}).status_code == 401  # refused before the SDK
    print("after REST:", loaded())
    initialize = {{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {{
        "protocolVersion": "2025-11-25", "capabilities": {{}},
        "clientInfo": {{"name": "t", "version": "1"}}}}}}
    headers = {{**auth, "Accept": "application/json, text/event-stream"}}
    started = time.perf_counter()
    first = client.post("/mcp", json=initialize, headers=headers)
    first_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    again = client.post("/mcp", json=initialize, headers=headers)
    warm_ms = (time.perf_counter() - started) * 1000
    assert first.status_code == again.status_code == 200, first.text
    print("after /mcp:", "mcp" in sys.modules, "pydantic" in sys.modules)
    print(f"first /mcp call {{first_ms:.0f}} ms, next {{warm_ms:.0f}} ms")
"""


def test_rest_never_imports_the_sdk_and_the_first_mcp_call_does(tmp_path: Path) -> None:
    script = SCRIPT.format(data=str(tmp_path / "data"))
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0] == "after REST: []"
    assert lines[1] == "after /mcp: True True"
    print(lines[2])
