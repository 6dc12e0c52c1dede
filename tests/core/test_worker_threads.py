"""worker_threads.run_sync keeps what anyio's to_thread gave the request path: the
caller's context variables, its exceptions, and a cancelled caller that waits for the
thread's work to end before it is cancelled."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time

import pytest

from todo_api import worker_threads

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def test_work_runs_on_another_thread_and_sees_the_callers_context() -> None:
    async def scenario() -> tuple[str, bool]:
        REQUEST_ID.set("req-1")
        return await worker_threads.run_sync(
            lambda: (REQUEST_ID.get(), threading.current_thread() is not threading.main_thread())
        )

    assert asyncio.run(scenario()) == ("req-1", True)


def test_an_exception_reaches_the_caller() -> None:
    def fail() -> None:
        raise LookupError("no such row")

    with pytest.raises(LookupError, match="no such row"):
        asyncio.run(worker_threads.run_sync(fail))


def test_a_cancelled_caller_waits_for_the_work_to_end() -> None:
    finished: list[float] = []

    def work() -> None:
        time.sleep(0.3)
        finished.append(time.monotonic())

    async def scenario() -> float:
        task = asyncio.create_task(worker_threads.run_sync(work))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic()

    cancelled_at = asyncio.run(scenario())
    assert finished
    assert finished[0] <= cancelled_at
