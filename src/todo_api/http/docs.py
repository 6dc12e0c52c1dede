"""/openapi.json and the interactive docs page at /docs."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from todo_api.http.responses import json_response

# Swagger UI from a CDN: the docs page is for people with a browser (and a network);
# the API itself never depends on it.
DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>todo_api — API docs</title>
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css">
</head>
<body>
<div id="docs"><p>Loading the API reference&hellip; The raw document is at
<a href="/openapi.json">/openapi.json</a>.</p></div>
<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>
window.addEventListener("load", () => {
  if (window.SwaggerUIBundle) {
    SwaggerUIBundle({url: "/openapi.json", dom_id: "#docs", persistAuthorization: true});
  }
});
</script>
</body>
</html>
"""


async def openapi_json(request: Request) -> Response:
    state = request.app.state
    document: dict[str, Any] | None = getattr(state, "openapi_document", None)
    if document is None:
        from todo_api.attachments.store import runtime
        from todo_api.http.openapi import apply_deployment_limits

        services = state.services
        document = apply_deployment_limits(
            state.build_openapi(),
            password_min_length=services.settings.password_min_length,
            upload_max_bytes=runtime(state, services).config.max_bytes,
        )
        state.openapi_document = document
    return json_response(document)


async def docs_page(request: Request) -> Response:
    return HTMLResponse(DOCS_PAGE)
