"""POST /mcp and the protected resource metadata (RFC 9728) that its 401 points to.

This module imports no SDK: the route table and /openapi.json load it. The first /mcp
request imports `todo_api.mcp.server` (the SDK, pydantic) in a worker thread so other
requests on the event loop keep being answered meanwhile.

The caller is authenticated here, with the REST API's own `authenticate` (our access
tokens and Better Auth JWTs), before any MCP message is read: a request without a
valid token never reaches the SDK and gets 401 with `WWW-Authenticate: Bearer ...
resource_metadata="<origin>/.well-known/oauth-protected-resource"`, as the MCP
authorization spec asks.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from todo_api.auth.authenticate import authenticate
from todo_api.http.middleware import request_id_of
from todo_api.http.problems import Unauthorized, problem_from_status
from todo_api.http.responses import json_response, problem_response
from todo_api.http.routing import Api, Call

api = Api(tags=["mcp"])

METADATA_PATH = "/.well-known/oauth-protected-resource"
SERVER_MODULE = "todo_api.mcp.server"


class McpExchange(Response):
    """Hands the untouched request (body unread) to the SDK's transport."""

    def __init__(self, user_id: str) -> None:
        super().__init__()
        self.user_id = user_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        server: Any = await _server()
        scope["todo_api.user_id"] = self.user_id
        await server.handle(scope, receive, _bare_errors_as_problems(scope, receive, send))


def _bare_errors_as_problems(scope: Scope, receive: Receive, send: Send) -> Send:
    """The SDK answers what it refuses before JSON-RPC begins (a body over its 4 MB
    limit, a Content-Type that is not JSON) as bare text with no Content-Type; such an
    answer becomes a problem+json with the same status and the SDK's words as detail,
    like every other error of this API. JSON-RPC errors pass through untouched."""
    held: list[Message] = []

    async def send_or_hold(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] >= 400:
            names = {bytes(name).lower() for name, _ in message.get("headers", [])}
            if b"content-type" not in names:
                held.append(message)
                return
        if not held:
            await send(message)
            return
        held.append(message)
        if message.get("more_body", False):
            return
        text = b"".join(part.get("body", b"") for part in held[1:]).decode("utf-8", "replace")
        status = held[0]["status"]
        instance = request_id_of(Request(scope))
        await problem_response(problem_from_status(status, text[:200] or None, instance))(
            scope, receive, send
        )

    return send_or_hold


async def _server() -> Any:
    loaded = sys.modules.get(SERVER_MODULE)
    if loaded is not None:
        return loaded
    return await asyncio.to_thread(importlib.import_module, SERVER_MODULE)


def _origin(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@api.post(
    "/mcp",
    summary="Model Context Protocol (Streamable HTTP, stateless, JSON responses)",
    auth=False,  # authenticated below, to add resource_metadata to the 401
    documented=False,
)
async def mcp_endpoint(call: Call[None, None]) -> Response:
    try:
        user = await authenticate(call.request)
    except Unauthorized as exc:
        metadata = _origin(call.request) + METADATA_PATH
        exc.headers["WWW-Authenticate"] = f'Bearer realm="todo_api", resource_metadata="{metadata}"'
        raise
    return McpExchange(user.id)


async def _metadata(call: Call[None, None]) -> Response:
    origin = _origin(call.request)
    document: dict[str, Any] = {
        "resource": origin + "/mcp",
        "bearer_methods_supported": ["header"],
        "resource_name": "todo_api",
    }
    better_auth = call.services.settings.better_auth_url
    # Tokens come from Better Auth when it is configured, else from /api/auth/login
    # (not an OAuth server, so then no authorization server is named).
    if better_auth:
        document["authorization_servers"] = [better_auth.rstrip("/")]
    return json_response(document)


for path in (METADATA_PATH, METADATA_PATH + "/mcp"):  # RFC 9728 names both forms
    api.get(path, summary="OAuth protected resource metadata", auth=False, documented=False)(
        _metadata
    )
