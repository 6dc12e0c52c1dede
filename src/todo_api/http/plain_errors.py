"""4xx/5xx answers that a library sends itself, in plain text or with no body type at
all, turned into this API's problem+json.

Starlette's FileResponse answers a malformed Range with `400 text/plain` and one past
the file's end with an empty `416`; the MCP SDK answers what it refuses before JSON-RPC
begins as bare text. Wrapped in `problems_for_plain_errors`, each such answer becomes a
problem with the same status, the library's words as detail (first 200 characters) and
its other headers kept (Content-Range, Allow); every other answer passes untouched.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from todo_api.http.held_answers import hold_answers
from todo_api.http.middleware import request_id_of
from todo_api.http.problems import problem_from_status
from todo_api.http.responses import problem_response

_REPLACED = (b"content-type", b"content-length")


def problems_for_plain_errors(scope: Scope, receive: Receive, send: Send) -> Send:
    """`send`, holding back an error answer in plain text (or untyped) until complete."""

    async def as_problem(start: Message, body: bytes) -> None:
        text = body.decode("utf-8", "replace")
        problem = problem_from_status(
            start["status"], text[:200] or None, request_id_of(Request(scope))
        )
        kept = {
            bytes(name).decode("latin-1"): bytes(value).decode("latin-1")
            for name, value in start.get("headers", [])
            if bytes(name).lower() not in _REPLACED
        }
        await problem_response(problem, headers=kept)(scope, receive, send)

    return hold_answers(send, _is_plain_error, as_problem)


def _is_plain_error(start: Message) -> bool:
    if start["status"] < 400:
        return False
    for name, value in start.get("headers", []):
        if bytes(name).lower() == b"content-type":
            return bytes(value).lower().startswith(b"text/plain")
    return True
