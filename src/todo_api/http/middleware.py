"""Request ids, hardening headers, one JSON log line per request, and the last line of
error handling.

Pure ASGI (no BaseHTTPMiddleware) so streaming responses pass through untouched. Any
exception a handler lets escape becomes a logged traceback with the request id and a
500 problem+json, here rather than in Starlette's ServerErrorMiddleware, which would
re-raise it into the server after answering. The request id is the client's
X-Request-ID only when it is well-formed, and Vercel's X-Vercel-Id only on Vercel
(elsewhere any client could set it); `current_request_id` lets log lines written deep
in the app (a worker thread included: worker_threads copies the context) name it. An
`ErrorReporter` (todo_api.monitoring, when SENTRY_DSN is set) hears of every escaped
exception and every 5xx, with the request id and nothing the client sent.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import time
import traceback
from contextvars import ContextVar
from typing import Any, Protocol

import msgspec
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from todo_api.http.problems import ApiError, problem_from_status
from todo_api.http.responses import problem_response

logger = logging.getLogger("todo_api.http")
_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
current_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
CLIENT_CLOSED = 499  # nginx's status for "the client closed the connection first"

# On every response, API and UI alike: no MIME sniffing of our bodies into something
# executable, and no URL (task ids, signed links) handed to other sites as a Referer.
HARDENING = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]


class FailedRequest(msgspec.Struct, frozen=True):  # a Struct: made in C at import
    """What an error report may say about the request: never headers, query or body."""

    request_id: str
    method: str
    path: str
    status: int


class ErrorReporter(Protocol):
    async def report(self, failed: FailedRequest, exc: BaseException | None) -> None:
        """Send `exc` (an escaped exception) or, when None, the 5xx answer itself."""


def request_id_of(request: Request) -> str | None:
    value = request.scope.get("state", {}).get("request_id")
    return str(value) if value is not None else None


class RequestContextMiddleware:
    def __init__(
        self, app: ASGIApp, *, trust_vercel_id: bool = False, reporter: ErrorReporter | None = None
    ) -> None:
        self.app = app
        self.reporter = reporter
        self.id_headers = (
            (b"x-request-id", b"x-vercel-id") if trust_vercel_id else (b"x-request-id",)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope, self.id_headers) or secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        current_request_id.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False
        escaped: BaseException | None = None

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message.setdefault("headers", [])
                present = {bytes(name).lower() for name, _ in message["headers"]}
                message["headers"] = [
                    *message["headers"],
                    *(header for header in HARDENING if header[0] not in present),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except ClientDisconnect:
            # The client hung up before its body arrived: nothing to answer, nothing
            # broken here. Logged as nginx's 499, neither a traceback nor a report.
            status = CLIENT_CLOSED
        except Exception as exc:
            escaped = exc
            _log_exception(exc, scope, request_id)
            if not response_started:
                response = problem_response(
                    problem_from_status(500, "An unexpected error occurred", request_id)
                )
                await response(scope, receive, send_with_id)
        finally:
            _log_request(scope, status, request_id, started)
        if self.reporter is not None and (escaped is not None or status >= 500):
            await self._report(FailedRequest(request_id, scope["method"], scope["path"], status),
                               escaped)  # fmt: skip

    async def _report(self, failed: FailedRequest, escaped: BaseException | None) -> None:
        assert self.reporter is not None
        try:
            await self.reporter.report(failed, escaped)
        except Exception as exc:  # monitoring must never cost the request
            log_internal("error report failed", f"{type(exc).__name__}: {exc}")


def _incoming_id(scope: Scope, names: tuple[bytes, ...]) -> str | None:
    for name, value in scope.get("headers", []):
        if name in names:
            candidate = bytes(value).decode("latin-1")
            if _VALID_ID.fullmatch(candidate):
                return candidate
    return None


def _log_request(scope: Scope, status: int, request_id: str, started: float) -> None:
    if not logger.isEnabledFor(logging.INFO):
        return
    record = {
        "event": "request",
        "request_id": request_id,
        "method": scope.get("method"),
        "path": scope.get("path"),
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
    }
    logger.info(json.dumps(record))


def _log_exception(exc: BaseException, scope: Scope, request_id: str) -> None:
    record: dict[str, Any] = {
        "event": "unhandled_exception",
        "request_id": request_id,
        "method": scope.get("method"),
        "path": scope.get("path"),
        "error": f"{type(exc).__name__}: {exc}",
        "traceback": "".join(traceback.format_exception(exc)),
    }
    logger.error(json.dumps(record))
    if not logger.isEnabledFor(logging.ERROR):  # never lose a crash to log configuration
        print(json.dumps(record), file=sys.stderr)


def log_internal(event: str, error: BaseException | str) -> None:
    """What clients are not told (hosts, paths, URLs), for the operator, with the id
    of the request that met it."""
    record = {"event": event, "request_id": current_request_id.get(), "error": str(error)}
    logger.error(json.dumps(record))


async def api_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return problem_response(exc.problem(request_id_of(request)), headers=exc.headers)


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if exc.detail != _phrase(exc.status_code) else None
    return problem_response(
        problem_from_status(exc.status_code, detail, request_id_of(request)), headers=exc.headers
    )


def _phrase(status: int) -> str:
    from http import HTTPStatus

    return HTTPStatus(status).phrase
