"""Serve an ASGI app over real HTTP for a test: uvicorn on a free loopback port, in a
thread. Fixture `live_server(app)` (a factory) yields the base URL; stopped at teardown.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import uvicorn
from starlette.types import ASGIApp

from tests.services.ports import free_port


@contextlib.contextmanager
def serve(app: ASGIApp) -> Iterator[str]:
    """Run `app` until the block ends; yield `http://127.0.0.1:PORT`."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def live_server() -> Iterator[Callable[[ASGIApp], str]]:
    """`live_server(app)` -> base URL; every server started is stopped after the test."""
    with contextlib.ExitStack() as stack:
        yield lambda app: stack.enter_context(serve(app))
