"""HTTP/1.1 on asyncio streams for the emulated edge: request heads, body framing
(Content-Length or chunked, streamed, never buffered whole) and Vercel-worded error pages."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from typing import Any

READ_SIZE = 64 * 1024
HEAD_LIMIT = 64 * 1024  # request line + headers; Vercel answers 431 past its own limit


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


def body_length(headers: list[tuple[str, str]]) -> int | None:
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


async def chunks(reader: asyncio.StreamReader) -> Any:
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


async def copy_exactly(
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


def platform_error(status: int, code: str, title: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """An error page the way Vercel's edge words it (`x-vercel-error` names the code)."""
    body = f"{title}\n\n{code}\n{vercel_id()}\n".encode()
    headers = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("X-Vercel-Error", code),
    ]
    return status, headers, body


def vercel_id() -> str:
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


async def read_answer_head(up_reader: asyncio.StreamReader, timeout: float) -> bytes:
    """The function's final answer head, past any 1xx interim answers (not 101)."""
    answer = await asyncio.wait_for(up_reader.readuntil(b"\r\n\r\n"), timeout)
    while answer.startswith(b"HTTP/1.1 1") and not answer.startswith(b"HTTP/1.1 101"):
        answer = await asyncio.wait_for(up_reader.readuntil(b"\r\n\r\n"), timeout)
    return answer


async def relay_body(
    up_reader: asyncio.StreamReader, writer: asyncio.StreamWriter, got: list[tuple[str, str]]
) -> None:
    """The function's body as it frames it: chunked, Content-Length, or until it closes."""
    if any(k.lower() == "transfer-encoding" for k, _ in got):
        async for _, raw in chunks(up_reader):
            writer.write(raw)
            await writer.drain()
    elif any(k.lower() == "content-length" for k, _ in got):
        await copy_exactly(up_reader, writer, body_length(got) or 0)
    else:
        while data := await up_reader.read(READ_SIZE):
            writer.write(data)
            await writer.drain()


async def drain_chunked(reader: asyncio.StreamReader, length: int | None) -> None:
    if length is not None:
        return
    async for _ in chunks(reader):
        pass
