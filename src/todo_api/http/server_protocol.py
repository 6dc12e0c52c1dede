"""uvicorn's HTTP/1.1 protocol for `todo-api serve`, answering unparseable requests as
problems.

A request h11 cannot parse (a header section over its 16 kB limit, a bad chunk size, a
Transfer-Encoding it does not know, a NUL in a header) never reaches the app: uvicorn
answers it itself with a text/plain 400 "Invalid HTTP request received.". Everything
else this API refuses is RFC 9457 problem+json, so this answer is one too: 431 when the
header section is what is too large (RFC 6585), 400 otherwise, and the connection is
closed as uvicorn closes it. Vercel and Lambda never load this module: their platform
parses HTTP before the app sees it.
"""

from __future__ import annotations

from http import HTTPStatus

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from todo_api.http.middleware import HARDENING
from todo_api.http.problems import problem_from_status
from todo_api.http.responses import problem_body

DEFAULT_HEADER_LIMIT = 16 * 1024  # h11's and so uvicorn's max incomplete event size


class ProblemH11Protocol(H11Protocol):
    def send_400_response(self, msg: str) -> None:
        buffered, _ = self.conn.trailing_data
        limit = self.config.h11_max_incomplete_event_size or DEFAULT_HEADER_LIMIT
        if len(buffered) > limit and b"\r\n\r\n" not in buffered:
            status, detail = 431, f"The request's header section is over {limit} bytes"
        else:
            status, detail = 400, "The request is not valid HTTP/1.1"
        body = problem_body(problem_from_status(status, detail, None))
        headers = [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
            *HARDENING,
        ]
        reason = HTTPStatus(status).phrase.encode()
        for event in (
            h11.Response(status_code=status, headers=headers, reason=reason),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()
