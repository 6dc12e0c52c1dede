"""POST /mcp and the protected resource metadata (RFC 9728) that its 401 points to.

This module imports no SDK: the route table and /openapi.json load it. The first /mcp
request imports `todo_api.mcp.server` (the SDK, pydantic) in a worker thread so other
requests on the event loop keep being answered meanwhile.

The caller is authenticated here, with the REST API's own `authenticate` (our access
tokens and Better Auth JWTs), before any MCP message is read: a request without a
valid token never reaches the SDK and gets 401 with `WWW-Authenticate: Bearer ...
resource_metadata="<origin>/.well-known/oauth-protected-resource"`, as the MCP
authorization spec asks. The origin is never the request's Host
(todo_api/http/public_origin.py).
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from todo_api.auth.authenticate import authenticate
from todo_api.http.problems import Unauthorized
from todo_api.http.public_origin import public_origin
from todo_api.http.responses import json_response
from todo_api.http.routing import Api, Call
from todo_api.mcp.refusals import reworded_refusals

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
        await server.handle(scope, receive, reworded_refusals(scope, receive, send))


async def _server() -> Any:
    loaded = sys.modules.get(SERVER_MODULE)
    if loaded is not None:
        return loaded
    return await asyncio.to_thread(importlib.import_module, SERVER_MODULE)


def _origin(call: Call[None, None]) -> str:
    settings = call.services.settings
    return public_origin(call.request, settings.platform, settings.public_url)


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
        metadata = _origin(call) + METADATA_PATH
        exc.headers["WWW-Authenticate"] = f'Bearer realm="todo_api", resource_metadata="{metadata}"'
        raise
    return McpExchange(user.id)


async def _metadata(call: Call[None, None]) -> Response:
    origin = _origin(call)
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
