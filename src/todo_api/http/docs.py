"""/openapi.json and the interactive docs page at /docs."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from todo_api.http.problems import NotFound
from todo_api.http.responses import json_response

# Swagger UI's files come from the swagger-ui-bundle-v2 wheel (Swagger UI 5, which reads
# OpenAPI 3.1), served from /docs/assets/: the page works offline and loads nothing from
# another host. No inline script, so the page can carry a 'self'-only policy.
DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>todo_api — API docs</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="docs"><p>Loading the API reference&hellip; The raw document is at
<a href="/openapi.json">/openapi.json</a>.</p></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/docs.js"></script>
</body>
</html>
"""

# Starts Swagger UI; "Authorize" uses the OAuth2 password flow of /api/auth/token, so a
# person logs in with email and password instead of pasting a token.
DOCS_SCRIPT = """window.addEventListener("load", () => {
  if (!window.SwaggerUIBundle) return;
  window.ui = SwaggerUIBundle({
    url: "/openapi.json", dom_id: "#docs", persistAuthorization: true, deepLinking: true,
  });
});
"""

DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
_SWAGGER_FILES = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
}
# Swagger UI never changes under a given package version: a day of caching is safe.
_ASSET_CACHE = "public, max-age=86400"


def asset_routes() -> list[Route]:
    return [Route("/docs/assets/{name}", docs_asset, include_in_schema=False)]


async def docs_asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name == "docs.js":
        return Response(DOCS_SCRIPT, media_type="text/javascript; charset=utf-8")
    media_type = _SWAGGER_FILES.get(name)
    if media_type is None:
        raise NotFound("The docs have no such file")
    from swagger_ui_bundle import swagger_ui_path  # ~2 MB of assets: only when asked for

    body = (swagger_ui_path / name).read_bytes()
    return Response(body, media_type=media_type, headers={"Cache-Control": _ASSET_CACHE})


async def openapi_json(request: Request) -> Response:
    state = request.app.state
    document: dict[str, Any] | None = getattr(state, "openapi_document", None)
    if document is None:
        from todo_api.http.openapi import apply_deployment_limits

        services = state.services
        document = apply_deployment_limits(
            state.build_openapi(),
            password_min_length=services.settings.password_min_length,
            upload_max_bytes=services.settings.attachments.max_bytes,
        )
        state.openapi_document = document
    return json_response(document)


async def docs_page(request: Request) -> Response:
    return HTMLResponse(DOCS_PAGE, headers={"Content-Security-Policy": DOCS_CSP})
