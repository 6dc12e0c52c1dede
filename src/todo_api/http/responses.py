"""JSON responses encoded by msgspec (structs, dates and datetimes as ISO 8601)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from starlette.responses import Response

from todo_api.http.problems import PROBLEM_MEDIA_TYPE, Problem

_encoder = msgspec.json.Encoder()


def json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        _encoder.encode(data), status_code=status, headers=headers, media_type="application/json"
    )


def problem_body(problem: Problem) -> bytes:
    return _encoder.encode(problem)


def problem_response(problem: Problem, headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        problem_body(problem),
        status_code=problem.status,
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )
