"""Bodies are counted while they arrive, by `todo-api serve` as operators run it: a
chunked body has no Content-Length to refuse up front (issue 11: a 300 MB chunked body
to /api/auth/login made the server hold 650 MB)."""

from __future__ import annotations

import select
import socket
import threading
from collections.abc import Callable
from urllib.parse import urlsplit

from tests.services.app_process import AppProcess

MB = 1024 * 1024
CHUNK = b"[" + b" " * (64 * 1024 - 2) + b"]"  # one 64 KiB chunk, sent again and again


def _send_chunked(url: str, path: str, total: int) -> tuple[bytes, int]:
    """POST `total` bytes as chunked JSON until the server answers; (response, bytes sent)."""
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=30)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    frame = f"{len(CHUNK):x}\r\n".encode() + CHUNK + b"\r\n"
    sent = 0
    answer = b""
    try:
        sock.sendall(head.encode())
        while sent < total:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            sock.sendall(frame)
            sent += len(CHUNK)
        else:
            sock.sendall(b"0\r\n\r\n")
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    except (BrokenPipeError, ConnectionResetError):
        if not answer:
            answer = sock.recv(65536)
    finally:
        sock.close()
    return answer, sent


def test_chunked_body_is_refused_at_the_limit_and_memory_stays_flat(
    app_process: Callable[..., AppProcess],
) -> None:
    app = app_process()
    _send_chunked(app.url, "/api/auth/login", 2 * MB)  # warm up: routes imported, pools made
    baseline = app.rss()
    peak = baseline
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.02):
            peak = max(peak, app.rss())

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        for path in ("/api/auth/login", "/api/auth/register"):
            answer, sent = _send_chunked(app.url, path, 300 * MB)
            status_line = answer.split(b"\r\n", 1)[0]
            assert b" 413 " in status_line, answer[:300]
            assert b"application/problem+json" in answer
            assert sent < 64 * MB, f"the server read {sent} bytes before refusing"
    finally:
        done.set()
        sampler.join()
    assert peak - baseline < 40 * MB, f"RSS grew from {baseline // MB} MB to {peak // MB} MB"
