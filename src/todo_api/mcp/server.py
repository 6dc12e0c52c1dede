"""The official MCP SDK's Streamable HTTP transport around the task tools.

Imported only by the first /mcp request (routes.py loads it in a thread): the SDK,
mcp_types and pydantic cost ~0.5 s of imports that REST requests never pay.

Stateless with JSON responses: every POST gets a fresh transport and session manager
whose task group lives exactly as long as the request, so nothing is kept between
requests (any instance answers any request; a frozen Vercel instance holds no task)
and no ASGI lifespan is needed. The caller was authenticated before this module is
reached; its id travels in the ASGI scope to the tool handler.
"""

from __future__ import annotations

import logging
from typing import Any

import mcp_types as types
import msgspec
from mcp.server.lowlevel import Server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.types import Receive, Scope, Send

from todo_api import __version__
from todo_api.http.problems import ApiError
from todo_api.mcp.tools import TOOLS, Context

PRINCIPAL_KEY = "todo_api.user_id"  # set in the ASGI scope by routes.py

# DNS-rebinding protection guards servers that trust whoever can reach them; this one
# trusts only a Bearer token, which a rebinding page does not have. With it on, every
# deployed Host header (the Vercel domain, a custom one) would get 421.
_SECURITY = TransportSecuritySettings(enable_dns_rebinding_protection=False)

_TOOLS = [
    types.Tool(
        name=tool.name,
        description=tool.description,
        input_schema=tool.input_schema(),
        output_schema=tool.output_schema(),
    )
    for tool in TOOLS.values()
]


async def _list_tools(
    ctx: Any, params: types.PaginatedRequestParams | None
) -> types.ListToolsResult:
    return types.ListToolsResult(tools=_TOOLS)


async def _call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
    tool = TOOLS.get(params.name)
    if tool is None:
        return _error(f"No tool named {params.name[:50]!r}; see tools/list")
    scope = ctx.request.scope
    context = Context(scope["app"].state.services, scope[PRINCIPAL_KEY])
    try:
        data = await tool.call(context, params.arguments)
    except ApiError as exc:
        # A tool error the model can read and correct, never a protocol error or a 5xx.
        return _error(_describe(exc))
    text = msgspec.json.encode(data).decode()
    return types.CallToolResult(content=[types.TextContent(text=text)], structured_content=data)


def _describe(exc: ApiError) -> str:
    detail = exc.detail or exc.title
    fields = "; ".join(f"{error.field}: {error.message}" for error in exc.errors or ())
    return f"{detail} ({fields})" if fields else detail


def _error(message: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=message)], is_error=True)


SERVER: Server[Any] = Server(
    "todo_api",
    version=__version__,
    instructions="Manage the signed-in user's todo tasks. Task ids come from add_task "
    "and list_tasks.",
    on_list_tools=_list_tools,
    on_call_tool=_call_tool,
)


async def handle(scope: Scope, receive: Receive, send: Send) -> None:
    """Answer one MCP POST with a transport that lives only for this request."""
    manager = StreamableHTTPSessionManager(
        app=SERVER, stateless=True, json_response=True, security_settings=_SECURITY
    )
    async with manager.run():
        await manager.handle_request(scope, receive, send)


logging.getLogger("mcp").setLevel(logging.WARNING)  # the SDK logs each request at INFO
