"""uvicorn's HTTP/1.1 protocol for `todo-api serve`, answering unparseable requests as
problems.

A request h11 cannot parse (a header section over its 16 kB limit, a bad chunk size, a
Transfer-Encoding it does not know, a NUL in a header) never reaches the app: uvicorn
answers it itself with a text/plain 400 "Invalid HTTP request received.". Everything
else this API refuses is RFC 9457 problem+json, so this answer is one too: 431 when the
header section is what is too large (RFC 6585), 400 otherwise, and the connection is
closed as uvicorn closes it. Vercel and Lambda never load this module: their platform
parses HTTP before the app sees it.

uvicorn also waits for ever for a request's header section: its keep-alive timeout runs
only between requests, so a client that connects and sends nothing, or a header a byte
every few seconds (slowloris), holds its connection, and a few thousand such clients
use up the process's file descriptors. Here a header section must be complete within
HEADER_TIMEOUT seconds of the connection or of its first byte: otherwise a 408 problem
(or, when nothing at all was sent, no answer), and the connection is closed. A body is
the same story once the headers are in: a client that sends nothing of it for
BODY_IDLE_TIMEOUT seconds, while the app waits for it, loses the connection (the app
sees the client gone, as with a hang-up). As nginx's client_body_timeout, this bounds
the pause between reads, not the whole upload, which a slow network may stretch.
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from todo_api.http.middleware import HARDENING
from todo_api.http.problems import problem_from_status
from todo_api.http.responses import problem_body

DEFAULT_HEADER_LIMIT = 16 * 1024  # h11's and so uvicorn's max incomplete event size
HEADER_TIMEOUT = 10.0  # seconds for a whole header section (nginx's default is 60)
BODY_IDLE_TIMEOUT = 20.0  # seconds without a byte of a body being sent (nginx: 60)


class ProblemH11Protocol(H11Protocol):
    _header_deadline: asyncio.TimerHandle | None = None
    _body_check: asyncio.TimerHandle | None = None
    _body_seen_at = 0.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_deadline = self.loop.call_later(HEADER_TIMEOUT, self._header_timed_out)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.SEND_BODY:
            self._body_seen_at = self.loop.time()
            if self._body_check is None:
                self._body_check = self.loop.call_later(BODY_IDLE_TIMEOUT, self._body_idle)
        if self.conn.their_state is not h11.IDLE:  # a request's headers are all in
            self._cancel_header_deadline()
        elif self._header_deadline is None and not self.transport.is_closing():
            # The first bytes of the next request on a kept-alive connection (uvicorn's
            # keep-alive timeout stopped at them): from now, not from each further byte.
            self._header_deadline = self.loop.call_later(HEADER_TIMEOUT, self._header_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_deadline()
        if self._body_check is not None:
            self._body_check.cancel()
        super().connection_lost(exc)

    def _body_idle(self) -> None:
        self._body_check = None
        if self.conn.their_state is not h11.SEND_BODY or self.transport.is_closing():
            return
        now = self.loop.time()
        if self.flow.read_paused:  # the app is behind, not the client: wait with it
            self._body_seen_at = now
        idle = now - self._body_seen_at
        if idle < BODY_IDLE_TIMEOUT:
            self._body_check = self.loop.call_later(BODY_IDLE_TIMEOUT - idle, self._body_idle)
            return
        self.transport.close()

    def _cancel_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _header_timed_out(self) -> None:
        self._header_deadline = None
        if self.conn.their_state is not h11.IDLE or self.transport.is_closing():
            return
        if not self.conn.trailing_data[0]:
            # Nothing sent yet: close as an idle keep-alive connection closes, with no
            # answer a browser's unused preconnected socket could take for its request's.
            self.transport.close()
            return
        detail = f"The request's header section did not arrive within {HEADER_TIMEOUT:g} s"
        self._answer_and_close(408, detail)

    def send_400_response(self, msg: str) -> None:
        buffered, _ = self.conn.trailing_data
        limit = self.config.h11_max_incomplete_event_size or DEFAULT_HEADER_LIMIT
        if len(buffered) > limit and b"\r\n\r\n" not in buffered:
            self._answer_and_close(431, f"The request's header section is over {limit} bytes")
        else:
            self._answer_and_close(400, "The request is not valid HTTP/1.1")

    def _answer_and_close(self, status: int, detail: str) -> None:
        """A problem written as bytes: h11 sends no response to a request it never read
        (a timed-out one), so this does not go through its state machine."""
        body = problem_body(problem_from_status(status, detail, None))
        headers = [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
            *HARDENING,
        ]
        head = f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n".encode()
        head += b"".join(name + b": " + value + b"\r\n" for name, value in headers)
        self.transport.write(head + b"\r\n" + body)
        self.transport.close()
