"""Fixtures for `preflight run`: the real builder, runtime and bubblewrap, no mocks.

Each fixture app is built once per session (a build is a few seconds once the npm and
uv caches are warm; the first one in a fresh CI machine downloads Vercel's CLI).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest
from preflight.cli import main
from preflight.emulate import sandbox
from preflight.emulate.session import Emulation, prepare
from preflight.emulate.tools import which

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "run"


@dataclass(frozen=True)
class CliRun:
    """One `preflight run ... --json` invocation: exit code and parsed report."""

    code: int
    report: dict[str, Any]
    stderr: str

    def outcomes(self, mode: str | None = None) -> list[dict[str, Any]]:
        probes: list[dict[str, Any]] = self.report["probes"]
        return [p for p in probes if mode is None or p["mode"] == mode]


class RunCli(Protocol):
    """`run_cli`: `preflight run --json` with these arguments, in-process."""

    def __call__(self, *args: str) -> CliRun: ...


class FixtureRun(Protocol):
    """`fixture_run`: `preflight run --json` on the fixture app `name` with these arguments."""

    def __call__(self, name: str, *args: str) -> CliRun: ...


@pytest.fixture(scope="session")
def needs_vercel() -> None:
    if which("node") is None or which("npm") is None:
        pytest.skip("Node.js/npm not installed: Vercel's builder cannot run")


@pytest.fixture(scope="session")
def needs_sandbox() -> sandbox.Capabilities:
    caps = sandbox.detect()
    if not caps.sandboxed:
        pytest.skip(caps.reason)
    if not caps.isolated_network:
        pytest.skip("network isolation needs root here")
    return caps


@pytest.fixture(scope="session")
def run_cli(needs_vercel: None) -> RunCli:
    """Run `preflight run --json` in-process, capturing stdout/stderr by hand (session scope)."""
    import contextlib
    import io

    def invoke(*args: str) -> CliRun:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["run", *args, "--json"])
        text = out.getvalue()
        return CliRun(code, json.loads(text) if text.strip() else {}, err.getvalue())

    return invoke


@pytest.fixture(scope="session")
def fixture_run(run_cli: RunCli) -> FixtureRun:
    """`preflight run` on a fixture app, memoised: each app is built once per session."""
    cache: dict[tuple[str, ...], CliRun] = {}

    def get(name: str, *args: str) -> CliRun:
        key = (name, *args)
        if key not in cache:
            cache[key] = run_cli(str(FIXTURES / name), *args)
        return cache[key]

    return get


class BannerServer:
    """A host loopback TCP server that greets each connection: stands in for a database."""

    def __init__(self, banner: bytes) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        self.banner = banner
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.sendall(self.banner)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="session")
def banner_server() -> Iterator[BannerServer]:
    server = BannerServer(b"hello-from-host")
    yield server
    server.close()


@pytest.fixture(scope="session")
def sandbox_app(
    needs_vercel: None, needs_sandbox: sandbox.Capabilities, banner_server: BannerServer
) -> Iterator[Emulation]:
    """The sandbox_probe app, built once, with the banner server's port forwarded in."""
    emulation = prepare(
        FIXTURES / "sandbox_probe",
        env={"ONLY_THIS": "1"},
        forward_ports=(banner_server.port,),
    )
    with emulation:
        yield emulation


@pytest.fixture(scope="session")
def good_app(needs_vercel: None, needs_sandbox: sandbox.Capabilities) -> Iterator[Emulation]:
    """The good app built once, for tests that drive it through the Python API."""
    with prepare(FIXTURES / "good") as emulation:
        yield emulation
