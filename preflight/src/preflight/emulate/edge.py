"""Vercel's edge in front of one emulated function, for a browser (`preflight run --serve`).

On Vercel a request first meets the edge: the routes of the build output
(`.vercel/output/config.json`) decide whether the CDN answers it from the static part of
the output (`public/`, F14: never the function) or the function does, through the
runtime with its `x-vercel-internal-*` headers. Request bodies over 4.5 MB never reach
the function (413 FUNCTION_PAYLOAD_TOO_LARGE). This module does the same on a loopback
port with asyncio streams: bodies are streamed both ways, the function's headers
(Set-Cookie, Location, ETag, ...) pass untouched, and a function process that died is
started again, cold, on the next request.

Routing lives in routes.py (shared with the probes), HTTP/1.1 framing in http1.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import mimetypes
import sys
from collections.abc import Callable
from typing import IO

from preflight.emulate.forwarding import answer_head, forwarded_head
from preflight.emulate.http1 import (
    HEAD_LIMIT,
    REASONS,
    BadRequest,
    Request,
    body_length,
    chunks,
    copy_exactly,
    drain_chunked,
    parse_head,
    platform_error,
    read_answer_head,
    read_head,
    relay_body,
    vercel_id,
)
from preflight.emulate.routes import Target
from preflight.emulate.runtime import MAX_BODY, FunctionInstance
from preflight.emulate.session import Emulation

STATIC_CACHE_CONTROL = "public, max-age=0, must-revalidate"  # the CDN's default for files


class Edge:
    """The edge: an asyncio HTTP/1.1 server on host:port routing to static files or the function."""

    def __init__(
        self,
        emulation: Emulation,
        host: str = "127.0.0.1",
        port: int = 0,
        log: IO[str] | None = None,
    ) -> None:
        self.emulation = emulation
        self.router = emulation.routing()  # the same Router the probes use
        self.host = host
        self.port = port
        self.log = log or sys.stderr
        self.instance: FunctionInstance | None = None
        self.cold_starts = 0
        self._lock = asyncio.Lock()
        self._connections: set[asyncio.Task[None]] = set()

    def say(self, message: str) -> None:
        print(f"preflight: {message}", file=self.log, flush=True)

    # -- the function instance ---------------------------------------------------------
    async def ensure_instance(self) -> FunctionInstance | str:
        """The running instance, started cold when there is none or it died; else why not."""
        async with self._lock:
            current = self.instance
            if current is not None:
                code = current.exit_code()
                if code is None:
                    return current
                self.say(
                    f"the function process exited (code {code}); starting a new instance, cold"
                )
                self.instance = None
                await asyncio.to_thread(current.stop)
            instance = self.emulation.launch()
            info = await asyncio.to_thread(instance.start)
            if info.crash is not None:
                await asyncio.to_thread(instance.stop)
                self.say(f"the function failed to start ({info.crash.phase}): {info.crash.message}")
                return info.crash.message
            self.cold_starts += 1
            ms = info.spawn_to_ready_ms or 0.0
            self.say(f"function ready (cold start {ms:.0f} ms)")
            self.instance = instance
            return instance

    async def stop_instance(self) -> None:
        async with self._lock:
            if self.instance is not None:
                await asyncio.to_thread(self.instance.stop)
                self.instance = None

    # -- serving -----------------------------------------------------------------------
    async def serve(self, stop: asyncio.Event, ready: Callable[[str], None] | None = None) -> None:
        """Start the function, listen, call `ready(url)`, serve until `stop` is set."""
        await self.ensure_instance()
        server = await asyncio.start_server(self._accept, self.host, self.port, limit=HEAD_LIMIT)
        self.port = server.sockets[0].getsockname()[1]
        if ready is not None:
            ready(f"http://{self.host}:{self.port}")
        try:
            await stop.wait()
        finally:
            server.close()
            for task in list(self._connections):
                task.cancel()
            if self._connections:
                await asyncio.gather(*self._connections, return_exceptions=True)
            await server.wait_closed()
            await self.stop_instance()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            await self._connection(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One request per connection (answered with `Connection: close`)."""
        try:
            head = await read_head(reader)
            if head is None:
                return
            first, headers = parse_head(head)
            parts = first.split(" ")
            if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
                raise BadRequest(400, "malformed request line")
            request = Request(parts[0], parts[1], parts[2], headers)
            length = body_length(headers)
        except BadRequest as exc:
            await self._send(writer, *platform_error(exc.status, "BAD_REQUEST", str(exc)))
            return
        if length is not None and length > MAX_BODY:
            await self._too_large(reader, writer, request, length)
            return
        target = self.router.resolve(request.method, request.target)
        if target.kind == "function":
            await self._to_function(reader, writer, request, length, target)
            return
        await self._drain_body(reader, length)
        if target.kind == "static" and target.file is not None:
            await self._static(writer, request, target)
        elif target.kind == "redirect":
            await self._send(writer, target.status, list(target.headers), b"")
        else:
            status, extra, body = platform_error(
                target.status, "NOT_FOUND", "The page could not be found"
            )
            await self._send(writer, status, [*target.headers, *extra], body, request.method)

    async def _too_large(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        request: Request,
        length: int,
    ) -> None:
        # read what the client sends anyway, so that it sees the answer, not a reset
        if (request.header("expect") or "").lower() != "100-continue":
            with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
                await asyncio.wait_for(copy_exactly(reader, None, length), 30)
        await self._send(
            writer,
            *platform_error(413, "FUNCTION_PAYLOAD_TOO_LARGE", "Request Entity Too Large"),
        )

    async def _send(
        self,
        writer: asyncio.StreamWriter,
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
        method: str = "GET",
    ) -> None:
        lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}"]
        lines += [f"{k}: {v}" for k, v in headers]
        lines += [
            f"Content-Length: {len(body)}",
            "Server: Vercel",
            f"X-Vercel-Id: {vercel_id()}",
            "Connection: close",
        ]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        if method != "HEAD":
            writer.write(body)
        await writer.drain()

    async def _static(self, writer: asyncio.StreamWriter, request: Request, target: Target) -> None:
        assert target.file is not None
        if request.method not in ("GET", "HEAD"):
            status, extra, body = platform_error(405, "METHOD_NOT_ALLOWED", "Method Not Allowed")
            await self._send(writer, status, extra, body)
            return
        data = await asyncio.to_thread(target.file.read_bytes)
        etag = '"' + hashlib.sha1(data, usedforsecurity=False).hexdigest() + '"'
        ctype = mimetypes.guess_type(target.file.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        headers = [
            *target.headers,
            ("Content-Type", ctype),
            ("Cache-Control", STATIC_CACHE_CONTROL),
            ("ETag", etag),
            ("X-Vercel-Cache", "HIT"),
        ]
        if target.status == 200 and request.header("if-none-match") == etag:
            await self._send(writer, 304, headers, b"", "HEAD")
            return
        await self._send(writer, target.status, headers, data, request.method)

    async def _to_function(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        request: Request,
        length: int | None,
        target: Target,
    ) -> None:
        instance = await self.ensure_instance()
        if isinstance(instance, str):
            await self._drain_body(reader, length)
            await self._send(
                writer,
                *platform_error(500, "FUNCTION_INVOCATION_FAILED", "A server error has occurred"),
            )
            return
        timeout = float(instance.fn.max_duration_s)
        request_id, internal = instance.internal_headers()
        try:
            sock = await asyncio.to_thread(instance.open_connection, 10.0)
            up_reader, up_writer = await asyncio.open_connection(sock=sock, limit=HEAD_LIMIT)
        except OSError as exc:
            await self._drain_body(reader, length)
            await self._failed(writer, f"cannot reach the function: {exc}")
            return
        try:
            await self._forward(
                reader, writer, request, length, target, internal, up_reader, up_writer, timeout
            )
        finally:
            up_writer.close()
            with contextlib.suppress(Exception):
                await up_writer.wait_closed()
        logs = await asyncio.to_thread(instance.request_logs, request_id, 1.0)
        for line in logs:
            text = line.message.rstrip("\n")
            if text:
                print(f"[function {line.stream}] {text}", file=self.log, flush=True)

    async def _forward(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        request: Request,
        length: int | None,
        target: Target,
        internal: dict[str, str],
        up_reader: asyncio.StreamReader,
        up_writer: asyncio.StreamWriter,
        timeout: float,
    ) -> None:
        """Phases: the request head, the body (413 past 4.5 MB), the function's answer head
        (504 past the timeout), then its body, each a step of its own."""
        client = writer.get_extra_info("peername")
        client_ip = str(client[0]) if client else "127.0.0.1"
        host = request.header("host") or f"{self.host}:{self.port}"
        if (request.header("expect") or "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            await writer.drain()
        try:
            up_writer.write(forwarded_head(request, target, client_ip, host, internal, length))
            if not await self._body_upstream(reader, writer, up_writer, length):
                return
            answer = await read_answer_head(up_reader, timeout)
        except TimeoutError:
            await self._send(
                writer,
                *platform_error(
                    504, "FUNCTION_INVOCATION_TIMEOUT", "An error occurred with your deployment"
                ),
            )
            return
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            if isinstance(exc, ConnectionError) and writer.is_closing():
                raise
            await self._failed(writer, f"the function's connection ended: {exc!r}")
            return
        status_line, got = parse_head(answer)
        status = int(status_line.split(" ")[1])
        writer.write(answer_head(status_line, got))
        await writer.drain()
        if request.method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return
        await relay_body(up_reader, writer, got)

    async def _body_upstream(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        up_writer: asyncio.StreamWriter,
        length: int | None,
    ) -> bool:
        """Stream the request body to the function; False (413 sent) when it passes 4.5 MB."""
        if length is not None:
            await copy_exactly(reader, up_writer, length)
            await up_writer.drain()
            return True
        sent = 0
        async for size, raw in chunks(reader):
            sent += size
            if sent > MAX_BODY:
                await drain_chunked(reader, None)
                await self._send(
                    writer,
                    *platform_error(413, "FUNCTION_PAYLOAD_TOO_LARGE", "Request Entity Too Large"),
                )
                return False
            up_writer.write(raw)
            await up_writer.drain()
        await up_writer.drain()
        return True

    async def _failed(self, writer: asyncio.StreamWriter, reason: str) -> None:
        self.say(f"500 FUNCTION_INVOCATION_FAILED: {reason}")
        await self._send(
            writer,
            *platform_error(500, "FUNCTION_INVOCATION_FAILED", "A server error has occurred"),
        )

    async def _drain_body(self, reader: asyncio.StreamReader, length: int | None) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError, BadRequest):
            if length is None:
                await drain_chunked(reader, None)
            else:
                await copy_exactly(reader, None, length)


def run_edge(emulation: Emulation, host: str, port: int) -> int:
    """Serve until SIGINT/SIGTERM (the CLI's `--serve`): print the URL on stdout."""
    import signal

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        edge = Edge(emulation, host, port)

        def ready(url: str) -> None:
            print(url, flush=True)
            edge.say(f"serving {url} (Ctrl-C to stop)")

        await edge.serve(stop, ready)
        edge.say("stopped")

    asyncio.run(main())
    return 0
