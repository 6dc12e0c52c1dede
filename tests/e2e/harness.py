"""What the browser tests share: a server process that is up once /health answers and
gone when the test ends, and Debian's Chromium launched the way this machine needs.

One place for both, because the journey (`todo-api serve` and `preflight run --serve`)
and the installed wheel start their servers alike, and a fix to how a server is waited
for or stopped (its whole process group, SIGKILL after a grace period) must reach all.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
# Each running server's log by base URL: a failed browser test quotes the tail of the log of
# the server it was driving (tests/e2e/conftest.py), which is often the only clue to a
# request that failed or hung on a machine that is gone once CI ends.
SERVER_LOGS: dict[str, Path] = {}
CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium stalls on refused connections.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextlib.contextmanager
def serving(
    argv: list[str], *, port: int, cwd: Path, env: dict[str, str], log_path: Path, within: float
) -> Iterator[str]:
    """Run `argv` (a server on `port`) in a session of its own, its output in `log_path`;
    yield its base URL once /health answers, and stop the whole group afterwards."""
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(proc, base, log_path, within)
            SERVER_LOGS[base] = log_path
            yield base
        finally:
            SERVER_LOGS.pop(base, None)
            _stop(proc)


def _wait_healthy(proc: subprocess.Popen[bytes], base: str, log: Path, within: float) -> None:
    deadline = time.monotonic() + within
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text()}")
        try:
            if httpx.get(base + "/health", timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the app did not answer /health within {within:.0f} s")
        time.sleep(0.2)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@contextlib.contextmanager
def chromium(*extra_args: str) -> Iterator[object]:
    """Debian's Chromium under Playwright (never `playwright install`'s own browser);
    skips the test when it is not installed."""
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (scripts/system-packages.txt)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args])
        yield instance
        instance.close()
