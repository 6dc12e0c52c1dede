"""Error monitoring: unhandled errors and 5xx answers go to Sentry when SENTRY_DSN is set.

Imported by `create_app` only when the DSN is set (this module imports the SDK at its
top), so a deployment without it starts exactly as before: `sentry-sdk` is not even
installed unless the `sentry` extra is (`pip install "todo-api[sentry]"`).

The SDK is started with no integrations at all. Its framework integrations would read
requests themselves (headers, cookies, bodies, query strings) and its logging one would
turn our JSON log lines, which name hosts and folders, into breadcrumbs. Reports are
built here from `FailedRequest` instead: the request id (the same as in X-Request-ID,
the problem's `instance` and the log line, so one id finds all three), method, path and
status, never what the client sent; local variables are not captured, since a frame's
locals may hold a password or a token. `_scrub` removes whatever could still slip in.
"""

from __future__ import annotations

import logging
import os
import re
from http import HTTPStatus
from typing import Any

import sentry_sdk

from todo_api import __version__
from todo_api.http.middleware import FailedRequest
from todo_api.worker_threads import run_sync

logger = logging.getLogger("todo_api.monitoring")
# Signed blob links carry their credential in the path: keep the route, drop the token.
_SIGNED_PATH = re.compile(r"^(/api/blobs/)[^/]+")
# Event keys that could hold what a client sent, should anything fill them in.
_REQUEST_KEYS = ("headers", "cookies", "data", "query_string", "env")
FLUSH_SECONDS = 2.0


class SentryReporter:
    """Implements http.middleware.ErrorReporter."""

    def __init__(self, *, platform: str, flush: bool) -> None:
        self.platform = platform
        # A serverless instance is frozen once it answers: the SDK's background thread
        # would never get to send, so the report is sent before the request ends.
        self.flush = flush

    async def report(self, failed: FailedRequest, exc: BaseException | None) -> None:
        path = scrubbed_path(failed.path)
        tags = {
            "request_id": failed.request_id,
            "http.method": failed.method,
            "http.status_code": str(failed.status),
            "platform": self.platform,
        }
        context = {"http": {"method": failed.method, "path": path, "status": failed.status}}
        if exc is not None:
            sentry_sdk.capture_exception(exc, tags=tags, contexts=context)
        else:
            phrase = HTTPStatus(failed.status).phrase
            sentry_sdk.capture_message(
                f"{failed.status} {phrase}: {failed.method} {path}",
                level="error",
                tags=tags,
                contexts=context,
                # One issue per route and status, not per task id in the path.
                fingerprint=[str(failed.status), failed.method, route_shape(path)],
            )
        if self.flush:
            await run_sync(lambda: sentry_sdk.flush(timeout=FLUSH_SECONDS))


def route_shape(path: str) -> str:
    """/api/tasks/Xk3…/complete -> /api/tasks/{id}/complete: our ids are 16 URL-safe
    characters (ids_and_clock.new_id), longer than any literal segment of a route."""
    return re.sub(r"/[A-Za-z0-9_-]{16,}(?=/|$)", "/{id}", path)


def scrubbed_path(path: str) -> str:
    """The path as reported: a signed blob link's token is its credential."""
    return _SIGNED_PATH.sub(r"\1[Filtered]", path)


def _scrub(event: Any, hint: Any) -> Any:
    """before_send: the last guard, whatever produced the event."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in _REQUEST_KEYS:
            request.pop(key, None)
    event.pop("breadcrumbs", None)
    event.pop("user", None)
    return event


def start(dsn: str, *, platform: str, serverless: bool) -> SentryReporter | None:
    """Initialise the SDK; a DSN it refuses is logged and monitoring stays off."""
    try:
        sentry_sdk.init(
            dsn=dsn,
            release=os.environ.get("SENTRY_RELEASE") or f"todo-api@{__version__}",
            default_integrations=False,
            auto_enabling_integrations=False,
            auto_session_tracking=False,
            send_default_pii=False,
            include_local_variables=False,
            max_request_body_size="never",
            max_breadcrumbs=0,
            traces_sample_rate=None,
            before_send=_scrub,
        )
    except Exception as exc:  # BadDsn and friends: the app must still start
        logger.error("SENTRY_DSN is not usable (%s): error monitoring is off", type(exc).__name__)
        return None
    return SentryReporter(platform=platform, flush=serverless)
