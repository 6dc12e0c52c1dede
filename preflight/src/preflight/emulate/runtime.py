"""Run a built function under vercel-runtime the way Vercel's platform does, and call it.

The platform starts the handler module with $VERCEL_IPC_PATH set; vercel-runtime
imports the user's app, serves it on an ephemeral loopback port and announces that port
over IPC. Each request carries the `x-vercel-internal-*` ids the runtime files logs
under. This module owns one such instance: start it (in the box), send requests, read
what it logged, stop it. An instance that dies before `server-started` is an
import-time crash: on Vercel every request then answers 500 FUNCTION_INVOCATION_FAILED.
"""

from __future__ import annotations

import http.client
import itertools
import json
import shutil
import socket
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from preflight.emulate import sandbox
from preflight.emulate.function import BuiltFunction
from preflight.emulate.ipc import IpcListener, LogLine

if TYPE_CHECKING:
    from preflight.emulate.routes import Router

START_TIMEOUT_S = 60.0
MAX_BODY = 4_500_000  # Vercel's request/response payload limit (F13)
DEFAULT_HOST = "localhost"


@dataclass(frozen=True)
class Crash:
    """Why the instance is not serving: what users would get instead of a response."""

    phase: str  # "import" (before server-started) or "serve" (died after it)
    message: str  # the runtime's own words (unrecoverable-error / stderr / logs)
    exit_code: int | None


@dataclass(frozen=True)
class Response:
    """One answer through the runtime, or the platform's error in its place."""

    status: int
    headers: dict[str, str]
    body: bytes
    elapsed_ms: float
    logs: tuple[LogLine, ...]
    crash: Crash | None = None
    platform_error: str | None = None  # FUNCTION_INVOCATION_TIMEOUT, ..._PAYLOAD_TOO_LARGE

    @property
    def error_code(self) -> str | None:
        if self.crash is not None:
            return "FUNCTION_INVOCATION_FAILED"
        return self.platform_error

    def json(self) -> object:
        return json.loads(self.body)


@dataclass
class StartInfo:
    """What starting the instance took (the cold start) and what it logged on the way."""

    spawn_to_ready_ms: float | None = None
    runtime_init_ms: int | None = None  # the runtime's own initDuration
    user_init_ms: int | None = None  # importing the user's module (userInitDuration)
    crash: Crash | None = None
    logs: list[LogLine] = field(default_factory=list)


def instance_env(
    fn: BuiltFunction, user_env: dict[str, str], policy: sandbox.Policy, ipc_path: str
) -> dict[str, str]:
    """The function's whole environment: Lambda's and Vercel's basics, the function's own,
    then the user's variables; nothing from this machine."""
    env = {
        "PATH": "/var/lang/bin:/usr/local/bin:/usr/bin:/bin:/opt/bin",
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        "HOME": sandbox.SANDBOX_HOME,
        "LAMBDA_TASK_ROOT": sandbox.TASK_ROOT,
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "AWS_REGION": "us-east-1",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(policy.memory_mb),
        "VERCEL": "1",
        "VERCEL_ENV": "production",
        "VERCEL_REGION": "iad1",
        "PYTHONNOUSERSITE": "1",
    }
    env.update(fn.environment)
    env.update(user_env)
    env["VERCEL_IPC_PATH"] = ipc_path
    return env


def bootstrap_code(handler_module: str) -> str:
    """What the platform's bootstrap does for us: wait at the gate, import the handler.

    The gate fd is closed and its variable removed before the import, so the app sees
    nothing of preflight.
    """
    return (
        "import os\n"
        f"_g = int(os.environ.pop({sandbox.GATE_ENV!r}))\n"
        "os.read(_g, 1)\n"
        "os.close(_g)\n"
        "del _g\n"
        f"import {handler_module}\n"
    )


class FunctionInstance:
    """One warm-able instance of a built function (a Lambda execution environment)."""

    def __init__(
        self,
        fn: BuiltFunction,
        python: Path,
        env: dict[str, str],
        policy: sandbox.Policy,
        caps: sandbox.Capabilities,
        host: str = DEFAULT_HOST,
    ) -> None:
        self.fn = fn
        self.python = python
        self.user_env = env
        self.policy = policy
        self.caps = caps
        self.host = host
        self.start_info = StartInfo()
        # The build's routing (set by Emulation.launch); None sends every path as is.
        self.router: Router | None = None
        # The upload it was built from (set by Emulation.launch): diagnoses read its files.
        self.project: Path | None = None
        self.port: int | None = None
        self._ids = itertools.count(1)
        self._workdir = Path(tempfile.mkdtemp(prefix="preflight-fn-"))
        self._ipc_dir = self._workdir / "ipc"
        self._ipc_dir.mkdir()
        self._ipc_dir.chmod(0o755)
        self._ipc: IpcListener | None = None
        self._proc: sandbox.BoxedProcess | None = None
        self._stdout: list[str] = []
        self._stderr: list[str] = []
        self._readers: list[threading.Thread] = []

    # -- lifecycle -------------------------------------------------------------------
    def start(self, timeout: float = START_TIMEOUT_S) -> StartInfo:
        """Spawn the process and wait for `server-started` or its death."""
        self._ipc = IpcListener(self._ipc_dir / "ipc.sock")
        inside = sandbox.IPC_MOUNT if self.caps.sandboxed else str(self._ipc_dir)
        env = instance_env(self.fn, self.user_env, self.policy, inside + "/ipc.sock")
        command = [str(self.python), "-S", "-c", bootstrap_code(self.fn.handler_module)]
        began = time.monotonic()
        self._proc = sandbox.spawn(
            command, env, self.fn.task_dir, self._ipc_dir, self.python, self.policy, self.caps
        )
        for stream, sink in (
            (self._proc.popen.stdout, self._stdout),
            (self._proc.popen.stderr, self._stderr),
        ):
            self._readers.append(_drain(stream, sink))
        message = self._wait_ready(timeout)
        info = self.start_info
        if message is not None and message.get("type") == "server-started":
            payload = message.get("payload")
            if not isinstance(payload, dict):
                payload = {}
            info.spawn_to_ready_ms = (time.monotonic() - began) * 1000
            self.port = int(payload.get("httpPort") or 0)
            info.runtime_init_ms = _int_or_none(payload.get("initDuration"))
            info.user_init_ms = _int_or_none(payload.get("userInitDuration"))
        else:
            info.crash = self._import_crash(message)
        info.logs = self._ipc.logs(0)
        return info

    def _wait_ready(self, timeout: float) -> dict[str, object] | None:
        assert self._ipc is not None
        assert self._proc is not None
        deadline = time.monotonic() + timeout
        wanted = {"server-started", "unrecoverable-error"}
        while time.monotonic() < deadline:
            message = self._ipc.wait_for(wanted, 0.05)
            if message is not None:
                return message
            if self._proc.popen.poll() is not None:
                # the process is gone; a last message may still be in flight
                return self._ipc.wait_for(wanted, 0.5)
        return None

    def _import_crash(self, message: dict[str, object] | None) -> Crash:
        assert self._proc is not None
        exit_code = self._wait_exit(5.0)
        if message is not None:
            payload = message.get("payload")
            text = str(payload.get("message", "")) if isinstance(payload, dict) else ""
        elif exit_code is None:
            text = "the function did not start within the time limit"
        else:
            text = self.stderr_text() or f"the process exited with code {exit_code}"
        return Crash("import", text, exit_code)

    def _wait_exit(self, timeout: float) -> int | None:
        assert self._proc is not None
        try:
            return self._proc.popen.wait(timeout=timeout)
        except Exception:
            return None

    def stderr_text(self) -> str:
        for reader in self._readers:
            reader.join(timeout=1.0)
        return "".join(self._stderr).strip()

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.stop()
        if self._ipc is not None:
            self._ipc.close()
        shutil.rmtree(self._workdir, ignore_errors=True)

    def __enter__(self) -> FunctionInstance:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- for a proxy in front of the instance (preflight run --serve) ------------------
    def exit_code(self) -> int | None:
        """None while the process runs (or was never started), else how it ended."""
        return None if self._proc is None else self._proc.popen.poll()

    def open_connection(self, timeout: float) -> socket.socket:
        """A TCP connection to the runtime's HTTP port (inside the box when boxed)."""
        if self._proc is None or self.port is None:
            raise OSError("the function is not serving")
        return self._proc.connect(self.port, timeout)

    def internal_headers(self) -> tuple[int, dict[str, str]]:
        """A fresh request id and the `x-vercel-internal-*` headers carrying it."""
        request_id = next(self._ids)
        return request_id, {
            "x-vercel-internal-invocation-id": str(uuid.uuid4()),
            "x-vercel-internal-request-id": str(request_id),
            "x-vercel-internal-span-id": uuid.uuid4().hex[:16],
            "x-vercel-internal-trace-id": uuid.uuid4().hex,
        }

    def request_logs(self, request_id: int, wait: float = 0.0) -> list[LogLine]:
        """What the function logged under `request_id`, once its `end` arrived (or `wait`)."""
        if self._ipc is None:
            return []
        if wait > 0:
            self._ipc.wait_for({"end"}, wait, requestId=request_id)
        return self._ipc.logs(request_id)

    # -- requests --------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> Response:
        """Send one request through the runtime, as Vercel's proxy would.

        The timeout defaults to the function's maxDuration; past it the platform answers
        504 FUNCTION_INVOCATION_TIMEOUT (F9), whatever the app does later.
        """
        began = time.monotonic()
        if timeout is None:
            timeout = float(self.fn.max_duration_s)
        refused = self._refusal(body, began)
        if refused is not None:
            return refused
        assert self._ipc is not None
        request_id, internal = self.internal_headers()
        sent = {"host": self.host, "x-forwarded-proto": "https", "x-forwarded-for": "127.0.0.1"}
        sent.update({k.lower(): v for k, v in (headers or {}).items()})
        sent.update(internal)
        try:
            status, got, data = self._exchange(method, path, body, sent, timeout)
        except TimeoutError:
            return _platform_error(
                504, "FUNCTION_INVOCATION_TIMEOUT", began, self._ipc.logs(request_id)
            )
        except (OSError, http.client.HTTPException) as exc:
            return self._died(exc, began)
        elapsed = (time.monotonic() - began) * 1000
        self._ipc.wait_for({"end"}, 2.0, requestId=request_id)
        if len(data) > MAX_BODY:
            return _platform_error(502, "FUNCTION_RESPONSE_PAYLOAD_TOO_LARGE", began)
        return Response(status, got, data, elapsed, tuple(self._ipc.logs(request_id)))

    def _refusal(self, body: bytes | None, began: float) -> Response | None:
        """The answer when the request never reaches the app: it crashed or never started
        (500), or the body is over 4.5 MB (413 before the function sees it)."""
        crash = self.start_info.crash
        if crash is None and (self.port is None or self._proc is None):
            crash = Crash("import", "the function was not started", None)
        if crash is not None:
            return _failed(crash, began, tuple(self.start_info.logs))
        if body is not None and len(body) > MAX_BODY:
            return _platform_error(413, "FUNCTION_PAYLOAD_TOO_LARGE", began)
        return None

    def _exchange(
        self, method: str, path: str, body: bytes | None, sent: dict[str, str], timeout: float
    ) -> tuple[int, dict[str, str], bytes]:
        """One HTTP exchange with the app over a socket made inside the box."""
        assert self._proc is not None
        assert self.port is not None
        conn = _SocketConnection(self._proc.connect(self.port, timeout), timeout)
        try:
            conn.request(method, path, body=body, headers=sent)
            answer = conn.getresponse()
            data = answer.read()
            return answer.status, {k.lower(): v for k, v in answer.getheaders()}, data
        finally:
            conn.close()

    def _died(self, exc: BaseException, began: float) -> Response:
        """The instance died under the request (lifespan failure, crash, OOM kill)."""
        assert self._ipc is not None
        exit_code = self._wait_exit(2.0)
        reason = f"{type(exc).__name__}: {exc}"
        if exit_code is not None:
            reason = f"the function process exited with code {exit_code} ({reason})"
        logs = tuple(line for line in self._ipc.logs() if line.message.strip())
        return _failed(Crash("serve", reason, exit_code), began, logs)

    def startup_logs(self) -> list[LogLine]:
        """Lines logged outside any request (import time, lifespan), so far."""
        return self._ipc.logs(0) if self._ipc is not None else []


class _SocketConnection(http.client.HTTPConnection):
    """HTTPConnection over an already connected socket (one made inside the box)."""

    def __init__(self, sock: socket.socket, timeout: float) -> None:
        super().__init__("127.0.0.1", timeout=timeout)
        self._ready = sock

    def connect(self) -> None:
        self.sock = self._ready
        self.sock.settimeout(self.timeout)


def _drain(stream: IO[bytes] | None, sink: list[str]) -> threading.Thread:
    def run() -> None:
        if stream is None:
            return
        for raw in iter(stream.readline, b""):
            sink.append(raw.decode(errors="replace"))
        stream.close()

    thread = threading.Thread(target=run, name="preflight-drain", daemon=True)
    thread.start()
    return thread


def _int_or_none(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) else None


def _failed(crash: Crash, began: float, logs: tuple[LogLine, ...]) -> Response:
    body = (
        "A server error has occurred\n\nFUNCTION_INVOCATION_FAILED\n"
        f"iad1::{uuid.uuid4().hex[:20]}\n"
    ).encode()
    elapsed = (time.monotonic() - began) * 1000
    headers = {
        "content-type": "text/plain; charset=utf-8",
        "x-vercel-error": "FUNCTION_INVOCATION_FAILED",
    }
    return Response(500, headers, body, elapsed, logs, crash)


def _platform_error(
    status: int, code: str, began: float, logs: list[LogLine] | None = None
) -> Response:
    elapsed = (time.monotonic() - began) * 1000
    headers = {"content-type": "text/plain; charset=utf-8", "x-vercel-error": code}
    body = f"{code}\n".encode()
    return Response(status, headers, body, elapsed, tuple(logs or ()), platform_error=code)
