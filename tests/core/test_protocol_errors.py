"""Requests uvicorn's HTTP parser refuses, sent to a real `todo-api serve`: answered as
problem+json like every other refusal (uvicorn answered a text/plain 400 "Invalid HTTP
request received."), 431 when the header section is too large, and the server goes on
serving. Raw sockets, since no HTTP client sends these shapes.

h11 limits the header section to 16 kB only while it is incomplete: one that arrives
whole in one read (20 kB sent at once on loopback) is parsed and served, so the large
cases here are far larger than any read."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.services.app_process import AppProcess, start, stop
from todo_api.http.server_protocol import BODY_IDLE_TIMEOUT, HEADER_TIMEOUT

GOOD = b"GET /health HTTP/1.1\r\nHost: t\r\n"
POST = b"POST /api/tasks HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    workdir: Path = tmp_path_factory.mktemp("protocol")
    database = f"sqlite:///{workdir / 'todo.sqlite3'}"
    app = start({"DATABASE_URL": database, "LOG_LEVEL": "INFO"}, workdir)
    yield app
    stop(app)


def _exchange(app: AppProcess, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send `raw` and read until the server closes: these answers close the connection.
    The server answers before it has read all of a large request and then resets the
    connection, so the answer is read while a thread still sends."""
    host, port = app.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sender = threading.Thread(target=_send_ignoring_reset, args=(sock, raw))
        sender.start()
        received = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                received += chunk
        sender.join()
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, body


def _send_ignoring_reset(sock: socket.socket, raw: bytes) -> None:
    with contextlib.suppress(ConnectionResetError, BrokenPipeError):
        sock.sendall(raw)


def _assert_problem(answer: tuple[int, dict[str, str], bytes], status: int) -> dict[str, object]:
    code, headers, body = answer
    assert code == status, (code, headers, body[:200])
    assert headers["content-type"] == "application/problem+json"
    assert headers["connection"] == "close"
    assert headers["x-content-type-options"] == "nosniff"
    problem = json.loads(body)
    assert problem["status"] == status
    return dict(problem)


@pytest.mark.parametrize(
    "raw",
    [
        GOOD + b"X-Big: " + b"a" * 500_000 + b"\r\n\r\n",
        b"GET /api/tasks/" + b"a" * 500_000 + b" HTTP/1.1\r\nHost: t\r\n\r\n",
        GOOD + b"".join(b"X-%d: %s\r\n" % (i, b"v" * 40) for i in range(10_000)) + b"\r\n",
    ],
    ids=["500 kB header", "500 kB URL", "10000 headers"],
)
def test_a_header_section_too_large_is_431(served: AppProcess, raw: bytes) -> None:
    problem = _assert_problem(_exchange(served, raw), 431)
    assert "header section" in str(problem["detail"])


@pytest.mark.parametrize(
    "raw",
    [
        POST + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
        POST + b"Transfer-Encoding: xchunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        POST + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        POST + b"Content-Length: -1\r\n\r\n{}",
        POST + b"Transfer-Encoding : chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        GOOD + b"X-Nul: a\x00b\r\n\r\n",
        b"GET /api/tasks HTTP/1.1\r\n\r\n",  # HTTP/1.1 without Host
        b"GET /\x7f HTTP/1.1\r\nHost: t\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 40,  # TLS to a plain port
    ],
    ids=["bad chunk size", "unknown coding", "two lengths", "negative length",
         "space before colon", "NUL in a header", "no Host", "DEL in the target", "TLS hello"],
)  # fmt: skip
def test_a_request_that_is_not_http_is_400(served: AppProcess, raw: bytes) -> None:
    problem = _assert_problem(_exchange(served, raw), 400)
    assert problem["detail"] == "The request is not valid HTTP/1.1"


def test_the_server_goes_on_serving(served: AppProcess) -> None:
    _exchange(served, GOOD + b"X-Big: " + b"a" * 200_000 + b"\r\n\r\n")
    assert httpx.get(served.url + "/health").status_code == 200
    big_but_allowed = {"X-Big": "a" * 8000}
    assert httpx.get(served.url + "/health", headers=big_but_allowed).status_code == 200


@pytest.fixture(scope="module")
def bearer(served: AppProcess) -> str:
    body = {"email": "hangup@example.com", "password": "correct horse battery"}
    token: str = httpx.post(served.url + "/api/auth/register", json=body).json()["access_token"]
    return token


def _upload_url(served: AppProcess, token: str) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    task = httpx.post(served.url + "/api/tasks", json={"title": "t"}, headers=headers).json()
    upload = httpx.post(
        f"{served.url}/api/tasks/{task['id']}/attachments/uploads",
        json={"filename": "a.pdf", "content_type": "application/pdf", "size": 100},
        headers=headers,
    ).json()
    url: str = upload["url"]
    return url


@pytest.mark.parametrize("cut", ["JSON body", "chunked body", "blob upload"])
def test_a_client_that_hangs_up_mid_body_is_no_crash(
    served: AppProcess, bearer: str, cut: str
) -> None:
    """Starlette raises ClientDisconnect into the handler; it was logged as an unhandled
    exception with a traceback, a 500, and sent to Sentry as a crash."""
    request_id = f"hangup-{cut.replace(' ', '-')}"
    auth = f"Authorization: Bearer {bearer}\r\nX-Request-ID: {request_id}\r\n".encode()
    upload_url = _upload_url(served, bearer)
    raw = {
        "JSON body": POST + auth + b'Content-Length: 100\r\n\r\n{"title":',
        "chunked body": POST + auth + b'Transfer-Encoding: chunked\r\n\r\n10\r\n{"title":',
        "blob upload": b"PUT " + upload_url.encode() + b" HTTP/1.1\r\n"
        b"Host: t\r\nContent-Type: application/pdf\r\n" + auth
        + b"Content-Length: 100\r\n\r\n%PDF-1.7",
    }[cut]  # fmt: skip
    host, port = served.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(raw)
        time.sleep(0.2)  # the handler is reading the body when the connection closes
    deadline = time.monotonic() + 10
    lines: list[str] = []
    while time.monotonic() < deadline:
        lines = [line for line in served.log.read_text().splitlines() if request_id in line]
        if any('"event": "request"' in line for line in lines):
            break
        time.sleep(0.05)
    assert lines, "the request was never logged"
    assert not [line for line in lines if "unhandled_exception" in line], lines
    assert any('"status": 499' in line for line in lines), lines
    if cut == "blob upload":  # the cut body was not kept, so the link still takes the file
        again = httpx.put(served.url + upload_url, content=b"%PDF-1.7" + b" " * 92,
                          headers={"Content-Type": "application/pdf"})  # fmt: skip
        assert again.status_code == 204, again.text


def test_a_header_section_that_never_completes_is_a_408_and_the_connection_closes(
    served: AppProcess,
) -> None:
    # Slowloris: uvicorn alone held both connections for as long as the clients liked.
    host, port = served.url.removeprefix("http://").split(":")
    silent = socket.create_connection((host, int(port)), timeout=HEADER_TIMEOUT + 5)
    drip = socket.create_connection((host, int(port)), timeout=HEADER_TIMEOUT + 5)
    started = time.monotonic()

    def send_a_byte_a_second() -> None:
        with contextlib.suppress(OSError):
            for byte in GOOD + b"X-Slow: " + b"a" * 60:
                drip.sendall(bytes([byte]))
                time.sleep(1)

    sender = threading.Thread(target=send_a_byte_a_second, daemon=True)
    sender.start()
    try:
        for sock in (silent, drip):
            received = b""
            with contextlib.suppress(ConnectionResetError):
                while chunk := sock.recv(65536):
                    received += chunk
            took = time.monotonic() - started
            assert HEADER_TIMEOUT - 1 < took < HEADER_TIMEOUT + 4, took
            if sock is silent:  # closed as an idle connection is: no answer to no request
                assert received == b""
                continue
            head, _, body = received.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), received[:200]
            assert b"content-type: application/problem+json" in head
            assert json.loads(body)["status"] == 408
    finally:
        silent.close()
        drip.close()
    assert httpx.get(served.url + "/health").status_code == 200


def test_a_body_that_stops_arriving_loses_its_connection(served: AppProcess) -> None:
    host, port = served.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=BODY_IDLE_TIMEOUT + 10) as sock:
        # Login reads its body before anything else: the app waits for the 90 missing bytes.
        head = b"POST /api/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        sock.sendall(head + b"Content-Length: 100\r\n\r\n" + b'{"email": ')
        started = time.monotonic()
        received = b""
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                received += chunk
        took = time.monotonic() - started
    assert BODY_IDLE_TIMEOUT - 1 < took < BODY_IDLE_TIMEOUT + 4, (took, received[:200])
    assert httpx.get(served.url + "/health").status_code == 200
