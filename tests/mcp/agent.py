"""An MCP agent made of the official SDK's own client: ClientSession over streamable
HTTP, the way the OpenAI Agents SDK and Claude connect. `transport` lets a test send
each HTTP request of one session to another instance."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx2
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.types import TextContent

TOOL_NAMES = {"add_task", "list_tasks", "get_task", "update_task", "complete_task", "delete_task"}


@contextlib.asynccontextmanager
async def agent(
    url: str, token: str, transport: httpx2.AsyncBaseTransport | None = None
) -> AsyncIterator[ClientSession]:
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx2.AsyncClient(headers=headers, transport=transport, timeout=60) as http,
        streamable_http_client(url + "/mcp", http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


async def call(session: ClientSession, name: str, **arguments: Any) -> dict[str, Any]:
    """The structured result of a tool call that must succeed: every tool declares an
    object output schema, so MCP requires the result to carry that object."""
    result = await session.call_tool(name, arguments)
    assert not result.is_error, (name, result.content)
    structured = result.structured_content
    assert isinstance(structured, dict), (name, structured)
    return structured


async def error_of(session: ClientSession, name: str, **arguments: Any) -> str:
    """The text of a tool call that must fail as a tool error (isError), not a protocol one."""
    result = await session.call_tool(name, arguments)
    assert result.is_error, (name, result.structured_content)
    first = result.content[0]
    assert isinstance(first, TextContent), (name, result.content)
    return first.text
