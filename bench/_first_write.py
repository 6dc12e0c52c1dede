"""Child process of cold_start.py: import one stack's app, run its lifespan startup,
answer one authenticated POST /api/tasks, report, exit at once. Runs the app in-process
through ASGI so no server's own start-up is counted, for either stack."""

import asyncio
import importlib
import json
import os
import sys
import time

STARTED = time.perf_counter()


async def main(app_path: str, token: str) -> tuple[int, float]:
    module_name, _, attr = app_path.partition(":")
    app = getattr(importlib.import_module(module_name), attr)
    imported = time.perf_counter()

    lifespan_in: asyncio.Queue[dict[str, object]] = asyncio.Queue()
    lifespan_out: asyncio.Queue[dict[str, object]] = asyncio.Queue()
    await lifespan_in.put({"type": "lifespan.startup"})
    lifespan = asyncio.create_task(
        app(
            {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
            lifespan_in.get,
            lifespan_out.put,
        )
    )
    started = await lifespan_out.get()
    assert started["type"] == "lifespan.startup.complete", started

    body = json.dumps({"title": "first write", "description": "cold start"}).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/tasks",
        "raw_path": b"/api/tasks",
        "query_string": b"",
        "root_path": "",
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 80),
        "headers": [
            (b"host", b"localhost"),
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-length", str(len(body)).encode()),
        ],
        "state": {},
    }
    received = False

    async def receive() -> dict[str, object]:
        nonlocal received
        if received:
            await asyncio.sleep(3600)
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    status = 0

    async def send(message: dict[str, object]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])  # type: ignore[call-overload]

    await app(scope, receive, send)
    lifespan.cancel()
    return status, imported - STARTED


status, import_s = asyncio.run(main(sys.argv[1], sys.argv[2]))
print(
    json.dumps(
        {
            "status": status,
            "import_ms": import_s * 1000,
            "in_process_ms": (time.perf_counter() - STARTED) * 1000,
        }
    ),
    flush=True,
)
os._exit(0)
