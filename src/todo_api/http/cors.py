"""Starlette's CORS middleware, with a refused preflight answered as problem+json.

Starlette answers a preflight it refuses (an origin, method or header not allowed) with
a text/plain 400 "Disallowed CORS origin"; every other error of this API is an RFC 9457
problem, and a client that parses errors as such should not meet the one exception
here. The status, the reason and the CORS headers stay Starlette's.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from todo_api.http.problems import problem_from_status
from todo_api.http.responses import problem_response

_BODY_HEADERS = {"content-type", "content-length"}


class ProblemCORSMiddleware(CORSMiddleware):
    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        reason = bytes(response.body).decode("ascii", "replace")  # "Disallowed CORS origin"
        headers = {k: v for k, v in response.headers.items() if k not in _BODY_HEADERS}
        return problem_response(problem_from_status(response.status_code, reason, None), headers)
