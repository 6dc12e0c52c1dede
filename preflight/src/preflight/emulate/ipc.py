"""The listening end of vercel-runtime's IPC: JSON objects terminated by a NUL byte.

The runtime connects to $VERCEL_IPC_PATH at import and reports `server-started` (with
the HTTP port it listens on), `handler-started`, `log` (base64 message, per request),
`end` (per request) and, when the app cannot even be imported, `unrecoverable-error`.
This module only receives and files those messages; it knows nothing about probes.
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class LogLine:
    """One line the function logged: print/stdout, stderr or the logging module."""

    request_id: int  # 0: outside any request (import time, lifespan)
    stream: str  # "stdout" | "stderr" | a logging level ("info", "error", ...)
    message: str


class IpcListener:
    """Accepts the runtime's connection and keeps every message it sends, in order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(str(path))
        path.chmod(0o777)  # the box drops capabilities; connect() must still be allowed
        self._server.listen(1)
        self._cond = threading.Condition()
        self.messages: list[dict[str, Any]] = []
        self.closed = False
        self._thread = threading.Thread(target=self._run, name="preflight-ipc", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            conn, _ = self._server.accept()
        except OSError:
            self._finish()
            return
        buf = b""
        with conn:
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                buf += chunk
                *complete, buf = buf.split(b"\0")
                for raw in complete:
                    self._file(raw)
        self._finish()

    def _file(self, raw: bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            message = {"type": "garbled", "payload": {"raw": raw[:500].decode(errors="replace")}}
        if not isinstance(message, dict):
            return
        with self._cond:
            self.messages.append(message)
            self._cond.notify_all()

    def _finish(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def wait_for(self, types: set[str], timeout: float, **match: Any) -> dict[str, Any] | None:
        """The first message of one of `types` whose context matches, waiting up to timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for message in self.messages:
                    if message.get("type") in types and _context_matches(message, match):
                        return message
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.closed:
                    return None
                self._cond.wait(remaining)

    def logs(self, request_id: int | None = None) -> list[LogLine]:
        """Decoded `log` messages, all or those of one request (0 = outside requests)."""
        with self._cond:
            snapshot = list(self.messages)
        lines: list[LogLine] = []
        for message in snapshot:
            if message.get("type") != "log":
                continue
            payload = message.get("payload") or {}
            rid = int((payload.get("context") or {}).get("requestId") or 0)
            if request_id is not None and rid != request_id:
                continue
            try:
                text = base64.b64decode(payload.get("message", "")).decode(errors="replace")
            except ValueError:
                text = str(payload.get("message", ""))
            stream = str(payload.get("stream") or payload.get("level") or "stdout")
            last = lines[-1] if lines else None
            if (
                last is not None
                and payload.get("stream")
                and (last.request_id, last.stream) == (rid, stream)
                and not last.message.endswith("\n")
            ):
                # stdout/stderr arrive per write() call: glue a line's pieces back together
                lines[-1] = LogLine(rid, stream, last.message + text)
            else:
                lines.append(LogLine(rid, stream, text))
        return lines

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._server.close()
        with contextlib.suppress(OSError):
            self.path.unlink()


def _context_matches(message: dict[str, Any], match: dict[str, Any]) -> bool:
    if not match:
        return True
    context = (message.get("payload") or {}).get("context") or {}
    return all(context.get(key) == value for key, value in match.items())
