"""The README's MCP section against the app started the README way (`make run`): its
token command verbatim, then the SDK's client on `/mcp` with that token."""

from __future__ import annotations

import re
import subprocess

import anyio

from tests.core.test_readme_commands import ROOT, RUNBOOK_LOGIN, curl, readme_server
from tests.mcp.agent import TOOL_NAMES, agent, call

__all__ = ["readme_server"]  # the fixture, used by name


def readme_token_command() -> str:
    section = (ROOT / "README.md").read_text().split("## MCP", 1)[1]
    blocks: list[str] = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    return next(block for block in blocks if block.startswith("TOKEN=$("))


def test_the_readmes_token_reaches_mcp(readme_server: int) -> None:
    register = RUNBOOK_LOGIN.replace("/api/auth/login", "/api/auth/register")
    assert curl(register, readme_server)[0] == 201
    command = readme_token_command().replace(":8000", f":{readme_server}")
    token = subprocess.run(
        ["bash", "-c", command + 'printf %s "$TOKEN"'],
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout  # fmt: skip
    url = f"http://127.0.0.1:{readme_server}"

    async def scenario() -> None:
        async with agent(url, token) as session:
            assert {tool.name for tool in (await session.list_tools()).tools} == TOOL_NAMES
            task = await call(session, "add_task", title="From the README")
            listed = await call(session, "list_tasks", status="pending")
            assert [t["id"] for t in listed["items"]] == [task["id"]]

    anyio.run(scenario)
