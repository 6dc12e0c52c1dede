"""The ASGI application. `app` is what Vercel, uvicorn and the Lambda adapter load.

Creating it reads settings and wires routes; it opens no connection and imports no
optional module, so importing this file cannot fail on a misconfigured deployment.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from todo_api import __version__
from todo_api.app_context import Services
from todo_api.http import docs
from todo_api.http.cors import ProblemCORSMiddleware
from todo_api.http.groups import RouteGroup
from todo_api.http.middleware import (
    ErrorReporter,
    RequestContextMiddleware,
    api_error_handler,
    http_exception_handler,
)
from todo_api.http.problems import ApiError
from todo_api.http.ui import UiFiles, ui_directory
from todo_api.platform import Platform
from todo_api.settings import Settings

if TYPE_CHECKING:  # http.routing (msgspec decoding, principals) loads with the first route
    from todo_api.http.routing import Operation

# (path pattern, module with `api`): first match wins, so the more specific go first.
ROUTE_GROUPS = (
    (r"/health$", "todo_api.health"),
    (r"/api/auth/", "todo_api.auth.routes"),
    (r"/api/blobs/", "todo_api.attachments.routes"),
    (r"/api/tasks/[^/]+/attachments(/|$)", "todo_api.attachments.routes"),
    (r"/api/tasks(/|$)", "todo_api.tasks.routes"),
    (r"/api/[^/]+/tasks(/|$)", "todo_api.tasks.compat_routes"),
    (r"/mcp$|/\.well-known/oauth-protected-resource(/|$)", "todo_api.mcp.routes"),
)

CORS_ALLOW_HEADERS = [
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "If-Match",
    "If-None-Match",
    "Mcp-Protocol-Version",  # browser MCP clients (the Inspector's direct mode)
    "X-Request-ID",
]
CORS_EXPOSE_HEADERS = ["ETag", "Location", "WWW-Authenticate", "X-Request-ID"]


def operations() -> list[Operation]:
    """Every operation of every group (imports them all: for OpenAPI, not requests)."""
    modules = dict.fromkeys(module for _, module in ROUTE_GROUPS)
    return [op for module in modules for op in RouteGroup("", module).operations()]


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    _configure_logging(settings.log_level)
    services = Services.from_settings(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        services.database.close()

    app = Starlette(
        routes=_routes(),
        middleware=_middleware(settings),
        exception_handlers={ApiError: api_error_handler, HTTPException: http_exception_handler},
        lifespan=lifespan,
    )
    # A redirect to the slash-less path would be built from the Host header (an open
    # redirect to any host the client names): answer 404 instead.
    app.router.redirect_slashes = False
    app.state.services = services
    app.state.build_openapi = lambda: _openapi()
    for problem in settings.problems:
        logging.getLogger("todo_api").error("configuration problem: %s", problem)
    return app


def _routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = [RouteGroup(pattern, module) for pattern, module in ROUTE_GROUPS]
    routes += [
        Route("/openapi.json", docs.openapi_json, include_in_schema=False),
        Route("/docs", docs.docs_page, include_in_schema=False),
    ]
    routes += docs.asset_routes()
    public = ui_directory(os.environ.get("TODO_PUBLIC_DIR"))
    if public is not None:
        # Wherever the app runs; on Vercel the CDN serves public/ before the function.
        routes.append(Mount("/", UiFiles(public), name="public"))
    else:
        routes.append(Route("/", _to_docs, include_in_schema=False))
    return routes


async def _to_docs(request: Request) -> Response:
    return RedirectResponse("/docs")


def _middleware(settings: Settings) -> list[Middleware]:
    origins = list(settings.cors_origins)
    # Credentials with a wildcard origin would let any site act as the user: with "*"
    # the API is open to every origin but without credentials.
    allow_credentials = "*" not in origins
    return [
        Middleware(
            ProblemCORSMiddleware,
            allow_origins=origins,
            allow_credentials=allow_credentials,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=CORS_ALLOW_HEADERS,
            expose_headers=CORS_EXPOSE_HEADERS,
            max_age=600,
        ),
        Middleware(
            RequestContextMiddleware,
            trust_vercel_id=settings.platform is Platform.VERCEL,
            reporter=_error_reporter(settings),
        ),
    ]


def _error_reporter(settings: Settings) -> ErrorReporter | None:
    """Sentry when SENTRY_DSN is set; only then is the SDK imported (cold start)."""
    if settings.sentry_dsn is None:
        return None
    try:
        from todo_api import monitoring
    except ImportError:
        logging.getLogger("todo_api").error(
            "SENTRY_DSN is set but sentry-sdk is not installed: error monitoring is off "
            '(pip install "todo-api[sentry]")'
        )
        return None
    return monitoring.start(
        settings.sentry_dsn,
        platform=settings.platform.value,
        serverless=settings.platform.serverless,
    )


def _openapi() -> dict[str, Any]:
    from todo_api.http.openapi import build_document

    documented = [op for op in operations() if op.documented]
    return build_document(documented, title="todo_api", version=__version__)


def _configure_logging(level: str) -> None:
    """Our records to stderr, once, unless the host (uvicorn, tests) configured it."""
    logger = logging.getLogger("todo_api")
    logger.setLevel(level if level in logging.getLevelNamesMapping() else "INFO")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.propagate = False


app = create_app()
