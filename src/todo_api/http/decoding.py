"""Request bodies and query strings -> typed msgspec structs, or a 4xx listing each field.

msgspec stops at the first invalid field; users fixing a form want all of them, so on
failure each field is re-validated on its own to build the complete list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec
from starlette.requests import Request

from todo_api.http.problems import (
    BadRequest,
    FieldError,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)

T = TypeVar("T")

MAX_JSON_BODY = 1024 * 1024


async def decode_json_body(request: Request, type_: type[T]) -> T:
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise UnsupportedMediaType("Send the body as JSON with Content-Type: application/json")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_JSON_BODY:
        raise PayloadTooLarge(f"JSON bodies are limited to {MAX_JSON_BODY} bytes")
    body = await request.body()
    if len(body) > MAX_JSON_BODY:
        raise PayloadTooLarge(f"JSON bodies are limited to {MAX_JSON_BODY} bytes")
    try:
        return msgspec.json.decode(body, type=type_)
    except msgspec.ValidationError:
        raw: Any = msgspec.json.decode(body)
        raise ValidationFailed(
            "The request body is invalid", errors=field_errors(type_, raw, "body")
        ) from None
    except msgspec.DecodeError as exc:
        raise BadRequest(f"The request body is not valid JSON: {exc}") from None


def decode_query(params: Mapping[str, str], type_: type[T]) -> T:
    data = dict(params)
    try:
        return msgspec.convert(data, type=type_, strict=False)
    except msgspec.ValidationError:
        raise ValidationFailed(
            "The query string is invalid", errors=field_errors(type_, data, "query", strict=False)
        ) from None


def field_errors(type_: Any, raw: Any, where: str, *, strict: bool = True) -> list[FieldError]:
    """Validate each field of struct `type_` separately and report every failure."""
    if not isinstance(raw, dict):
        return [FieldError(field=where, message="Expected a JSON object")]
    errors = []
    for info in msgspec.structs.fields(type_):
        if info.encode_name not in raw:
            if info.required:
                errors.append(FieldError(field=info.encode_name, message="Field required"))
            continue
        try:
            msgspec.convert(raw[info.encode_name], type=info.type, strict=strict)
        except msgspec.ValidationError as exc:
            errors.append(FieldError(field=info.encode_name, message=_clean(str(exc))))
    return errors or [FieldError(field=where, message="Invalid value")]


def _clean(message: str) -> str:
    # "Expected `str` of length <= 200 - at `$`" -> "Expected `str` of length <= 200"
    return message.rsplit(" - at `$", 1)[0]
