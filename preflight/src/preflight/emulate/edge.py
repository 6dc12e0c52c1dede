"""Vercel's edge in front of one emulated function, for a browser (`preflight run --serve`).

On Vercel a request first meets the edge: the routes of the build output
(`.vercel/output/config.json`) decide whether the CDN answers it from the static part of
the output (`public/`, F14: never the function) or the function does, through the
runtime with its `x-vercel-internal-*` headers. Request bodies over 4.5 MB never reach
the function (413 FUNCTION_PAYLOAD_TOO_LARGE). This module does the same on a loopback
port with asyncio streams: bodies are streamed both ways, the function's headers
(Set-Cookie, Location, ETag, ...) pass untouched, and a function process that died is
started again, cold, on the next request.

Routing follows the Build Output API's phases as far as builds of Python apps use them:
the routes before any `handle`, then the filesystem (static files, the function), then
the `filesystem`/`miss` and `rewrite` phases' routes (`check: true` looks at the
filesystem again), then the `error` phase for what is left (a 404).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import mimetypes
import re
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

from preflight.emulate import build
from preflight.emulate.runtime import MAX_BODY, FunctionInstance
from preflight.emulate.session import Emulation

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "expect",
        "content-length",
    }
)
READ_SIZE = 64 * 1024
HEAD_LIMIT = 64 * 1024  # request line + headers; Vercel answers 431 past its own limit
STATIC_CACHE_CONTROL = "public, max-age=0, must-revalidate"  # the CDN's default for files


# -- routing ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """Where a request goes: a static file, the function, or an answer of the edge's own."""

    kind: str  # "static" | "function" | "redirect" | "not_found"
    status: int = 200
    file: Path | None = None  # kind "static"
    path: str = ""  # kind "function": the path (and query) the function sees
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Router:
    """The build output's routes over its static files and the one function run here."""

    routes: list[dict[str, Any]]
    static_dir: Path | None
    function_route: str  # "/api/index": where the function lives in the output's namespace
    phases: dict[str | None, list[dict[str, Any]]] = field(init=False)

    def __post_init__(self) -> None:
        self.phases = {}
        phase: str | None = None
        for route in self.routes:
            if "handle" in route:
                phase = str(route["handle"])
                self.phases.setdefault(phase, [])
                continue
            self.phases.setdefault(phase, []).append(route)

    # the filesystem: static files first, then functions (as Vercel checks them)
    def static_file(self, path: str) -> Path | None:
        if self.static_dir is None:
            return None
        rel = unquote(path).lstrip("/")
        root = self.static_dir.resolve()
        candidate = (root / rel).resolve()
        if candidate != root and root not in candidate.parents:
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def is_function(self, path: str) -> bool:
        return path.rstrip("/") == self.function_route or path == self.function_route + ".py"

    def resolve(self, method: str, raw_target: str) -> Target:
        split = urlsplit(raw_target)
        original = split.path or "/"
        query = split.query
        current = original
        function_path = original
        headers: list[tuple[str, str]] = []

        def apply(phase: str | None, check_each: bool) -> Target | None:
            nonlocal current, function_path, query
            for route in self.phases.get(phase, []):
                methods = route.get("methods")
                if methods and method.upper() not in [str(m).upper() for m in methods]:
                    continue
                match = _match(str(route.get("src", "")), current)
                if match is None:
                    continue
                for name, value in (route.get("headers") or {}).items():
                    headers.append((str(name), _substitute(str(value), match)))
                status = route.get("status")
                dest = route.get("dest")
                if dest is None:
                    if route.get("continue") or not isinstance(status, int):
                        continue  # headers only
                    if 300 <= status < 400:
                        return Target("redirect", status, headers=tuple(headers))
                    return self._error(current, status, headers)
                dest_split = urlsplit(_substitute(str(dest), match))
                if dest_split.scheme:
                    return Target("not_found", 502, headers=tuple(headers))  # external proxy
                current = dest_split.path or "/"
                if dest_split.query:
                    query = "&".join(q for q in (query, dest_split.query) if q)
                for transform in route.get("transforms") or []:
                    if transform.get("type") == "request.path" and transform.get("op") == "set":
                        function_path = _substitute(str(transform.get("args", "")), match)
                if isinstance(status, int) and status >= 400:
                    return self._error(current, status, headers)
                if route.get("continue"):
                    continue
                if check_each or route.get("check"):
                    hit = self._filesystem(current, function_path, query, headers)
                    if hit is not None:
                        return hit
                    continue
                hit = self._filesystem(current, function_path, query, headers)
                return hit if hit is not None else self._error(original, 404, headers)
            return None

        found = apply(None, check_each=False) if self.phases.get(None) else None
        if found is not None:
            return found
        hit = self._filesystem(current, function_path, query, headers)
        if hit is not None:
            return hit
        for phase in ("filesystem", "miss", "rewrite"):
            found = apply(phase, check_each=True)
            if found is not None:
                return found
        return self._error(original, 404, headers)

    def _filesystem(
        self, path: str, function_path: str, query: str, headers: list[tuple[str, str]]
    ) -> Target | None:
        file = self.static_file(path)
        if file is not None:
            return Target("static", 200, file=file, headers=tuple(headers))
        if self.is_function(path):
            target = function_path + (f"?{query}" if query else "")
            return Target("function", path=target, headers=tuple(headers))
        return None

    def _error(self, path: str, status: int, headers: list[tuple[str, str]]) -> Target:
        for route in self.phases.get("error", []):
            if route.get("status") not in (None, status):
                continue
            match = _match(str(route.get("src", "")), path)
            if match is None or route.get("dest") is None:
                continue
            page = self.static_file(_substitute(str(route["dest"]), match))
            if page is not None:
                return Target("static", status, file=page, headers=tuple(headers))
        return Target("not_found", status, headers=tuple(headers))


def _match(src: str, path: str) -> re.Match[str] | None:
    pattern = src if src.startswith("^") else "^" + src
    pattern = pattern if pattern.endswith("$") else pattern + "$"
    try:
        return re.match(pattern, path)
    except re.error:
        return None


def _substitute(template: str, match: re.Match[str]) -> str:
    def group(m: re.Match[str]) -> str:
        key = m.group(1)
        try:
            value = match.group(int(key)) if key.isdigit() else match.group(key)
        except IndexError:
            return ""
        return value or ""

    return re.sub(r"\$(\d+|[A-Za-z_][A-Za-z0-9_]*)", group, template)


def router_for(emulation: Emulation) -> Router:
    """The Router of a build: Vercel's output when there is one, else public/ + the app."""
    output = emulation.workdir / "src" / ".vercel" / "output"
    config_file = output / "config.json"
    func = build.pick_function(output) if output.is_dir() else None
    if func is not None and config_file.is_file():
        config = json.loads(config_file.read_text())
        routes = config.get("routes") if isinstance(config, dict) else None
        static = output / "static"
        route = "/" + func.relative_to(output / "functions").as_posix().removesuffix(".func")
        return Router(
            [r for r in routes or [] if isinstance(r, dict)],
            static if static.is_dir() else None,
            route,
        )
    # preflight's bundler writes no build output: public/ on the CDN, the rest to the app
    public = emulation.workdir / "src" / "public"
    routes = [{"handle": "filesystem"}, {"src": "/(.*)", "dest": "/index"}]
    return Router(routes, public if public.is_dir() else None, "/index")


# -- HTTP --------------------------------------------------------------------------------
class BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Request:
    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None


async def read_head(reader: asyncio.StreamReader) -> bytes | None:
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise BadRequest(400, "incomplete request head") from exc
    except asyncio.LimitOverrunError as exc:
        raise BadRequest(431, "request header fields too large") from exc


def parse_head(head: bytes) -> tuple[str, list[tuple[str, str]]]:
    lines = head.decode("latin-1").split("\r\n")
    first = lines[0]
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise BadRequest(400, f"malformed header line {line[:80]!r}")
        headers.append((name, value.strip()))
    return first, headers


def _body_length(headers: list[tuple[str, str]]) -> int | None:
    """Content-Length, or None for a chunked body; BadRequest when it makes no sense."""
    encoding = ",".join(v for k, v in headers if k.lower() == "transfer-encoding").lower()
    if encoding:
        if encoding.replace(" ", "").split(",")[-1] != "chunked":
            raise BadRequest(400, "unsupported transfer-encoding")
        return None
    lengths = {v for k, v in headers if k.lower() == "content-length"}
    if not lengths:
        return 0
    if len(lengths) != 1 or not next(iter(lengths)).isdigit():
        raise BadRequest(400, "bad content-length")
    return int(next(iter(lengths)))


async def _chunks(reader: asyncio.StreamReader) -> Any:
    """Yield the raw wire bytes of a chunked body, chunk by chunk, through its trailer."""
    while True:
        size_line = await reader.readuntil(b"\r\n")
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError as exc:
            raise BadRequest(400, "bad chunk size") from exc
        if size == 0:
            trailer = size_line
            while True:
                line = await reader.readuntil(b"\r\n")
                trailer += line
                if line == b"\r\n":
                    break
            yield size, trailer
            return
        data = await reader.readexactly(size + 2)
        yield size, size_line + data


async def _copy_exactly(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter | None, n: int
) -> None:
    while n > 0:
        data = await reader.read(min(READ_SIZE, n))
        if not data:
            raise asyncio.IncompleteReadError(b"", n)
        n -= len(data)
        if writer is not None:
            writer.write(data)
            await writer.drain()


def _platform_error(status: int, code: str, title: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """An error page the way Vercel's edge words it (`x-vercel-error` names the code)."""
    body = f"{title}\n\n{code}\n{_vercel_id()}\n".encode()
    headers = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("X-Vercel-Error", code),
    ]
    return status, headers, body


def _vercel_id() -> str:
    return f"iad1::{uuid.uuid4().hex[:5]}-{int(time.time() * 1000)}-{uuid.uuid4().hex[:12]}"


REASONS = {
    200: "OK",
    304: "Not Modified",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
    504: "Gateway Timeout",
}


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
        self.router = router_for(emulation)
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
            length = _body_length(headers)
        except BadRequest as exc:
            await self._send(writer, *_platform_error(exc.status, "BAD_REQUEST", str(exc)))
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
            status, extra, body = _platform_error(
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
                await asyncio.wait_for(_copy_exactly(reader, None, length), 30)
        await self._send(
            writer,
            *_platform_error(413, "FUNCTION_PAYLOAD_TOO_LARGE", "Request Entity Too Large"),
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
            f"X-Vercel-Id: {_vercel_id()}",
            "Connection: close",
        ]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        if method != "HEAD":
            writer.write(body)
        await writer.drain()

    async def _static(self, writer: asyncio.StreamWriter, request: Request, target: Target) -> None:
        assert target.file is not None
        if request.method not in ("GET", "HEAD"):
            status, extra, body = _platform_error(405, "METHOD_NOT_ALLOWED", "Method Not Allowed")
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
                *_platform_error(500, "FUNCTION_INVOCATION_FAILED", "A server error has occurred"),
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
        client = writer.get_extra_info("peername")
        client_ip = str(client[0]) if client else "127.0.0.1"
        host = request.header("host") or f"{self.host}:{self.port}"
        headers = [(k, v) for k, v in request.headers if k.lower() not in HOP_BY_HOP]
        headers = [(k, v) for k, v in headers if not k.lower().startswith("x-vercel-internal-")]
        headers += [
            ("x-forwarded-host", host),
            ("x-forwarded-proto", "http"),
            ("x-forwarded-for", client_ip),
            ("x-real-ip", client_ip),
            ("x-vercel-id", _vercel_id()),
            *internal.items(),
        ]
        headers.append(
            ("Transfer-Encoding", "chunked") if length is None else ("Content-Length", str(length))
        )
        headers.append(("Connection", "close"))
        head = f"{request.method} {target.path} HTTP/1.1\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
        if (request.header("expect") or "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            await writer.drain()
        try:
            up_writer.write(head.encode("latin-1"))
            if length is None:
                sent = 0
                async for size, raw in _chunks(reader):
                    sent += size
                    if sent > MAX_BODY:
                        await _drain_chunked(reader, None)
                        await self._send(
                            writer,
                            *_platform_error(
                                413, "FUNCTION_PAYLOAD_TOO_LARGE", "Request Entity Too Large"
                            ),
                        )
                        return
                    up_writer.write(raw)
                    await up_writer.drain()
            else:
                await _copy_exactly(reader, up_writer, length)
            await up_writer.drain()
            answer = await asyncio.wait_for(up_reader.readuntil(b"\r\n\r\n"), timeout)
            while answer.startswith(b"HTTP/1.1 1") and not answer.startswith(b"HTTP/1.1 101"):
                answer = await asyncio.wait_for(up_reader.readuntil(b"\r\n\r\n"), timeout)
        except TimeoutError:
            await self._send(
                writer,
                *_platform_error(
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
        out = [
            (k, v)
            for k, v in got
            if k.lower() not in ("connection", "keep-alive", "server")
            and not k.lower().startswith("x-vercel-internal-")
        ]
        out += [("Server", "Vercel"), ("X-Vercel-Id", _vercel_id()), ("X-Vercel-Cache", "MISS")]
        out += [("Connection", "close")]
        writer.write(
            (
                status_line.replace("HTTP/1.0", "HTTP/1.1", 1)
                + "\r\n"
                + "".join(f"{k}: {v}\r\n" for k, v in out)
                + "\r\n"
            ).encode("latin-1")
        )
        await writer.drain()
        if request.method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return
        length_out = _body_length(got)
        if any(k.lower() == "transfer-encoding" for k, _ in got):
            async for _, raw in _chunks(up_reader):
                writer.write(raw)
                await writer.drain()
        elif any(k.lower() == "content-length" for k, _ in got):
            await _copy_exactly(up_reader, writer, length_out or 0)
        else:
            while data := await up_reader.read(READ_SIZE):
                writer.write(data)
                await writer.drain()

    async def _failed(self, writer: asyncio.StreamWriter, reason: str) -> None:
        self.say(f"500 FUNCTION_INVOCATION_FAILED: {reason}")
        await self._send(
            writer,
            *_platform_error(500, "FUNCTION_INVOCATION_FAILED", "A server error has occurred"),
        )

    async def _drain_body(self, reader: asyncio.StreamReader, length: int | None) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError, BadRequest):
            if length is None:
                await _drain_chunked(reader, None)
            else:
                await _copy_exactly(reader, None, length)


async def _drain_chunked(reader: asyncio.StreamReader, length: int | None) -> None:
    if length is not None:
        return
    async for _ in _chunks(reader):
        pass


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
