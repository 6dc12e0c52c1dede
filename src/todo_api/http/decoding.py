"""Request bodies and query strings -> typed msgspec structs, or a 4xx listing each field.

msgspec stops at the first invalid field; users fixing a form want all of them, so on
failure each field is re-validated on its own to build the complete list. Whatever a
client sends ends here as a 4xx: bodies are counted while they arrive (a chunked body
has no Content-Length to check), nesting too deep for the decoder and invalid UTF-8 are
400s, and NUL characters are refused because PostgreSQL cannot store them in text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar
from urllib.parse import parse_qsl

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
NUL = "NUL characters (U+0000) are not allowed"
NOT_UTF8 = "The request body is not valid UTF-8"
TOO_DEEP = "The request body is nested too deeply to be a request of this API"


async def decode_json_body(request: Request, type_: type[T]) -> T:
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise UnsupportedMediaType("Send the body as JSON with Content-Type: application/json")
    body = await read_limited(request, MAX_JSON_BODY, "JSON bodies")
    return decode_json(body, type_, "The request body is invalid")


def decode_json(body: bytes, type_: type[T], invalid: str, where: str = "body") -> T:
    """JSON bytes -> `type_` with every REST rule (all field errors, NUL, depth, UTF-8);
    the MCP tools decode their arguments here too, so both surfaces validate alike."""
    try:
        value = msgspec.json.decode(body, type=type_)
    except msgspec.ValidationError:
        errors = field_errors(type_, _untyped(body, invalid, where), where)
        raise ValidationFailed(invalid, errors=errors) from None
    except msgspec.DecodeError as exc:
        raise BadRequest(f"The request body is not valid JSON: {exc}") from None
    except UnicodeDecodeError:
        raise BadRequest(NOT_UTF8) from None
    except RecursionError:
        raise BadRequest(TOO_DEEP) from None
    holder = _nul_in(value, where)
    if holder is not None:
        raise ValidationFailed(invalid, errors=[FieldError(holder, NUL)])
    return value


MAX_FORM_BODY = 16 * 1024
FORM = "application/x-www-form-urlencoded"


async def decode_form_body(request: Request, type_: type[T]) -> T:
    """A form-encoded body (OAuth2 token requests) -> `type_`; repeated fields are a 422."""
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type != FORM:
        raise UnsupportedMediaType(f"Send the body form-encoded with Content-Type: {FORM}")
    body = await read_limited(request, MAX_FORM_BODY, "Form bodies")
    try:
        pairs = parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=bool(body))
    except UnicodeDecodeError:
        raise BadRequest(NOT_UTF8) from None
    except ValueError:
        raise BadRequest("The request body is not form-encoded") from None
    data: dict[str, str] = {}
    for name, value in pairs:
        if name in data:
            raise ValidationFailed(
                "The request body is invalid", errors=[FieldError(name, "Send this field once")]
            )
        if "\x00" in value or "\x00" in name:
            raise ValidationFailed("The request body is invalid", errors=[FieldError(name, NUL)])
        data[name] = value
    try:
        return msgspec.convert(data, type=type_)
    except msgspec.ValidationError:
        raise ValidationFailed(
            "The request body is invalid", errors=field_errors(type_, data, "body")
        ) from None


def refuse_content_coding(request: Request) -> None:
    """415 for a compressed body (RFC 7694): it would otherwise be read as malformed JSON
    or multipart, a 400 blaming the content for what is its encoding."""
    coding = request.headers.get("content-encoding", "").strip().lower()
    if coding and coding != "identity":
        raise UnsupportedMediaType(
            f"Content-Encoding {coding[:40]!r} is not accepted: send the body uncompressed",
            headers={"Accept-Encoding": "identity"},
        )


async def read_limited(request: Request, limit: int, what: str) -> bytes:
    """The whole body, refused with a 413 as soon as more than `limit` bytes arrived."""
    refuse_content_coding(request)
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"{what} are limited to {limit} bytes")
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise PayloadTooLarge(f"{what} are limited to {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _untyped(body: bytes, invalid: str, where: str) -> Any:
    try:
        return msgspec.json.decode(body)
    except UnicodeDecodeError:
        raise BadRequest(NOT_UTF8) from None
    except msgspec.ValidationError as exc:  # valid JSON, a number no field holds: 1e400
        raise ValidationFailed(invalid, errors=[FieldError(where, _clean(str(exc)))]) from None
    except (msgspec.DecodeError, RecursionError):
        raise BadRequest(TOO_DEEP) from None


def _nul_in(value: Any, where: str) -> str | None:
    """The field holding a NUL character anywhere in `value`, or None."""
    if isinstance(value, str):
        return where if "\x00" in value else None
    if isinstance(value, msgspec.Struct):
        items: Any = (
            (f.encode_name, getattr(value, f.name)) for f in msgspec.structs.fields(value)
        )
    elif isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list | tuple):
        items = ((where, item) for item in value)
    else:
        return None
    for name, item in items:
        found = _nul_in(item, name if isinstance(name, str) else where)
        if found is not None:
            return found
    return None


def decode_query(params: Sequence[tuple[str, str]], type_: type[T]) -> T:
    """`params` in order, repeats kept: a name given twice (`?limit=1&limit=500`) is
    refused, not read as its last value, since a proxy or a log reading the first would
    see another request than the one served (HTTP parameter pollution)."""
    data: dict[str, str] = {}
    for name, value in params:
        if "\x00" in value or "\x00" in name:
            raise ValidationFailed("The query string is invalid", errors=[FieldError(name, NUL)])
        if name in data:
            raise ValidationFailed(
                "The query string is invalid",
                errors=[FieldError(name, "Send this parameter once")],
            )
        data[name] = value
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
    message = message.rsplit(" - at `$", 1)[0]
    if message.startswith("Expected `str` matching regex"):  # the regex helps nobody
        return "Not in the expected form (see the pattern in /openapi.json)"
    return message
