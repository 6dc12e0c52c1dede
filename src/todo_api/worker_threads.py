"""Blocking work (database drivers, the filesystem) on a worker thread, for asyncio.

anyio's `to_thread.run_sync` did this before, and its first call imports anyio's whole
asyncio backend (sockets, streams, TLS wrappers, subprocesses): about a fifth of a
cold start's first write, for a thread hop that asyncio's own executor makes. This keeps
what anyio guaranteed and the request path relied on:

- the caller's context variables (the request id the log lines carry) are seen by the
  work, as anyio copied them;
- at most 40 threads at once, anyio's default limit (the SQLite pool is sized for it);
- a cancelled caller (the client hung up) still waits for the work to finish before the
  cancellation goes on: a transaction is never left running behind a request that has
  already ended, and nothing the work holds (a pooled connection) outlives it unseen.

Only asyncio is served: uvicorn, the Lambda adapter and Vercel's runtime all run it.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

T = TypeVar("T")

MAX_THREADS = 40

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    """Made on first use: importing this module starts no thread and loads no pool."""
    global _executor
    if _executor is None:
        from concurrent.futures import ThreadPoolExecutor

        with _executor_lock:
            if _executor is None:
                _executor = ThreadPoolExecutor(MAX_THREADS, thread_name_prefix="todo_api")
    return _executor


async def run_sync(work: Callable[[], T]) -> T:
    """`work()` on a worker thread; its result or its exception, in the caller."""
    context = contextvars.copy_context()
    future = asyncio.get_running_loop().run_in_executor(_pool(), context.run, work)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        # A running thread cannot be stopped: let it end, then be cancelled.
        await asyncio.wait([future])
        if not future.cancelled():
            future.exception()  # seen: asyncio would log it as never retrieved
        raise
