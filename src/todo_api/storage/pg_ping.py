"""`SELECT 1` on a pooled PostgreSQL connection without leaving the event loop.

pg8000 blocks, so every query goes to a worker thread, and on these machines the trip
there and back costs about what the query itself does on loopback (55 us against 70 us,
bench/in_process.py): /health, which only pings, paid it in full. The ping needs no
driver: one simple-protocol Query message and its reply, framed but not decoded (the
answer only has to arrive, in order, ending with ReadyForQuery). The socket is pg8000's
own, plain or TLS, set non-blocking for the exchange and waited on with the loop's
reader/writer callbacks, then handed back as it was. It also keeps /health answering
while every worker thread is stuck behind a slow database.

Framing per the PostgreSQL protocol, "Message Formats" (protocol-message-formats.html):
a type byte, then an Int32 length that counts itself but not the type byte.
"""

from __future__ import annotations

import asyncio
import socket
import ssl

# Query ('Q'): Int32 length (4 + 9), then "SELECT 1" and its NUL.
_QUERY = b"Q" + (4 + 9).to_bytes(4, "big") + b"SELECT 1\x00"
_ERROR, _READY = 0x45, 0x5A  # 'E' ErrorResponse, 'Z' ReadyForQuery


async def ping(sock: socket.socket, seconds: float) -> bool:
    """True when the server answered the ping on this idle connection; False when the
    connection is unusable (closed, an error reply, bytes out of step), so the caller
    discards it. TimeoutError after `seconds`; NotImplementedError from an event loop
    with no reader callbacks (Windows' proactor), where a worker thread must ping."""
    loop = asyncio.get_running_loop()
    previous = sock.gettimeout()
    sock.setblocking(False)
    try:
        async with asyncio.timeout(seconds):
            await _send_all(loop, sock, _QUERY)
            return await _answered(loop, sock)
    finally:
        sock.settimeout(previous)


async def _answered(loop: asyncio.AbstractEventLoop, sock: socket.socket) -> bool:
    pending = b""
    failed = False
    while True:
        chunk = await _receive(loop, sock)
        if not chunk:
            return False  # the server closed the connection
        pending += chunk
        while len(pending) >= 5:
            end = 1 + int.from_bytes(pending[1:5], "big")
            if end < 5:
                return False  # not a PostgreSQL message: out of step
            if len(pending) < end:
                break
            kind, pending = pending[0], pending[end:]
            if kind == _ERROR:
                failed = True
            elif kind == _READY:
                # Nothing may follow the reply's end on an idle connection.
                return not failed and not pending


async def _send_all(loop: asyncio.AbstractEventLoop, sock: socket.socket, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            view = view[sock.send(view) :]
        except (BlockingIOError, ssl.SSLWantWriteError):
            await _ready(loop, sock, writing=True)
        except ssl.SSLWantReadError:  # TLS needs the peer's bytes first
            await _ready(loop, sock, writing=False)


async def _receive(loop: asyncio.AbstractEventLoop, sock: socket.socket) -> bytes:
    while True:
        # Tried before waiting: TLS may hold decrypted bytes the socket no longer signals.
        try:
            return sock.recv(65536)
        except (BlockingIOError, ssl.SSLWantReadError):
            await _ready(loop, sock, writing=False)
        except ssl.SSLWantWriteError:  # a TLS key update to send first
            await _ready(loop, sock, writing=True)


async def _ready(loop: asyncio.AbstractEventLoop, sock: socket.socket, *, writing: bool) -> None:
    woken: asyncio.Future[None] = loop.create_future()
    fd = sock.fileno()
    if writing:
        loop.add_writer(fd, _wake, woken)
    else:
        loop.add_reader(fd, _wake, woken)
    try:
        await woken
    finally:
        if writing:
            loop.remove_writer(fd)
        else:
            loop.remove_reader(fd)


def _wake(woken: asyncio.Future[None]) -> None:
    if not woken.done():
        woken.set_result(None)
