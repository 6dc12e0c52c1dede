"""The app as operators run it: `python -m todo_api serve` in a process of its own, on a
free loopback port. Fixture `app_process(**env)` (a factory) starts one with the test's
database (`database_url`) and the given variables, waits until it answers, and stops
it at teardown. `AppProcess.rss()` reads its resident memory from /proc."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.services.ports import free_port

SECRET = "app-process-secret-0123456789abcdefghij"


@dataclass
class AppProcess:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def rss(self) -> int:
        """Resident memory in bytes."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS")


def start(env: dict[str, str], workdir: Path, *, wait: bool = True) -> AppProcess:
    port = free_port()
    log = workdir / f"serve-{port}.log"
    full = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TODO_DATA_DIR": str(workdir / "data"),
        "BETTER_AUTH_SECRET": SECRET,
        "LOG_LEVEL": "WARNING",
        **env,
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "todo_api", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=workdir, env=full, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    app = AppProcess(f"http://127.0.0.1:{port}", process, log)
    if wait:
        wait_until_up(app)
    return app


def wait_until_up(app: AppProcess, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            raise RuntimeError(f"todo-api serve exited: {app.log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(app.url + "/openapi.json", timeout=1)
            return
        time.sleep(0.05)
    raise RuntimeError(f"todo-api serve did not answer: {app.log.read_text()[-2000:]}")


def stop(app: AppProcess) -> None:
    if app.process.poll() is None:
        app.process.send_signal(signal.SIGTERM)
        try:
            app.process.wait(15)
        except subprocess.TimeoutExpired:
            app.process.kill()
            app.process.wait(5)


@pytest.fixture
def app_process(database_url: str, tmp_path: Path) -> Iterator[Callable[..., AppProcess]]:
    started: list[AppProcess] = []

    def make(**env: str) -> AppProcess:
        app = start({"DATABASE_URL": database_url, **env}, tmp_path)
        started.append(app)
        return app

    yield make
    for app in started:
        stop(app)
