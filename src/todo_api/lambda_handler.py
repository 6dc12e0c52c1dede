"""AWS Lambda entry point (API Gateway HTTP API v2, REST v1, Function URLs, ALB).

Mangum translates Lambda events to ASGI. Lifespan is off: todo_api opens its database
on the first request, so there is nothing to start, and a cold start stays one import.
Install with the `lambda` extra: `pip install "todo-api[lambda]"`.
"""

from __future__ import annotations

from mangum import Mangum

from todo_api.main import app

# Mangum base64-encodes any type it does not know as text; problem+json is text.
TEXT_TYPES = ["application/json", "application/problem+json", "text/html", "text/plain"]

handler = Mangum(app, lifespan="off", text_mime_types=TEXT_TYPES)
