"""What the SDK refuses, in this API's words.

Two kinds of refusal leave the SDK's transport with a status of 400 or more:
- before JSON-RPC begins (a body over its 4 MB limit, a Content-Type that is not JSON),
  bare text with no Content-Type: it becomes a problem+json with the same status and
  the SDK's words as detail, like every other error of this API (http.plain_errors);
- a body that is JSON but no JSON-RPC message (a batch, `params` that is no object), a
  JSON-RPC error whose message is pydantic's report: the models it tried, the input
  echoed back, links to pydantic's docs naming its version. The client gets JSON-RPC's
  own "Invalid Request" instead; the report is logged for the operator.
Every other answer, JSON-RPC errors included, passes through untouched.
"""

from __future__ import annotations

import msgspec
from starlette.types import Message, Receive, Scope, Send

from todo_api.http.held_answers import hold_answers
from todo_api.http.middleware import log_internal
from todo_api.http.plain_errors import problems_for_plain_errors

INVALID_REQUEST = -32600  # JSON-RPC 2.0: "The JSON sent is not a valid Request object"
NOT_A_MESSAGE = (
    "Invalid Request: send one JSON-RPC 2.0 request object, with `params` an object "
    "when present (batches are not supported)"
)
_SDK_VALIDATION = "Validation error:"


class _RpcError(msgspec.Struct):
    code: int
    message: str


class _RpcErrorReply(msgspec.Struct):
    jsonrpc: str
    id: int | str | None
    error: _RpcError


def reworded_refusals(scope: Scope, receive: Receive, send: Send) -> Send:
    """`send`, holding back each 4xx/5xx answer until complete to reword it if need be."""
    send = problems_for_plain_errors(scope, receive, send)

    async def reworded(start: Message, body: bytes) -> None:
        await _send_whole(send, start, _without_sdk_report(body))

    return hold_answers(send, _is_error, reworded)


def _is_error(start: Message) -> bool:
    return bool(start["status"] >= 400)


def _without_sdk_report(body: bytes) -> bytes:
    """`body`, or JSON-RPC's Invalid Request when it carries the SDK's pydantic report."""
    try:
        reply = msgspec.json.decode(body, type=_RpcErrorReply)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return body
    if not reply.error.message.startswith(_SDK_VALIDATION):
        return body
    log_internal("mcp message refused", reply.error.message)
    reply.error = _RpcError(code=INVALID_REQUEST, message=NOT_A_MESSAGE)
    return msgspec.json.encode(reply)


async def _send_whole(send: Send, start: Message, body: bytes) -> None:
    headers = [
        (name, value)
        for name, value in start.get("headers", [])
        if bytes(name).lower() != b"content-length"
    ]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": body})
