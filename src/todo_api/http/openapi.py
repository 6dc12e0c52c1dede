"""The OpenAPI 3.1 document, derived from the declared operations and msgspec schemas.

Built on the first request for /openapi.json (not at start-up) and then cached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

import msgspec

from todo_api.http.decoding import FORM
from todo_api.http.problems import PROBLEM_MEDIA_TYPE, Problem
from todo_api.http.routing import Operation

REF = "#/components/schemas/{name}"
TOKEN_URL = "/api/auth/token"  # noqa: S105 (a path, not a secret)
_PATH_PARAM = re.compile(r"{([^}:]+)(?::[^}]+)?}")


def build_document(operations: Iterable[Operation], *, title: str, version: str) -> dict[str, Any]:
    operations = list(operations)
    types: list[Any] = [Problem]
    for op in operations:
        types.extend(t for t in (op.body, op.form, op.response, op.query) if t is not None)
    schemas, components = msgspec.json.schema_components(types, ref_template=REF)
    schema_of = dict(zip(map(id, types), schemas, strict=True))

    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        item = paths.setdefault(_PATH_PARAM.sub(r"{\1}", op.path), {})
        item[op.method.lower()] = _operation(op, schema_of, components)

    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": version,
            "description": "Errors are RFC 9457 problem details (application/problem+json).",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "An access token from /api/auth/login, or a Better Auth "
                    "JWT (EdDSA) when BETTER_AUTH_URL is set.",
                },
                # What the docs' "Authorize" dialog offers: email (as username) and password.
                "password": {
                    "type": "oauth2",
                    "description": "Log in with your account's email (as username) and password.",
                    "flows": {"password": {"tokenUrl": TOKEN_URL, "scopes": {}}},
                },
            },
        },
    }


def _operation(
    op: Operation, schema_of: dict[int, Any], components: dict[str, Any]
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": list(op.tags),
        "parameters": _parameters(op, schema_of, components),
        "responses": _responses(op, schema_of),
    }
    if op.description:
        doc["description"] = op.description
    if op.auth:
        doc["security"] = [{"bearer": []}, {"password": []}]
    if op.body is not None:
        doc["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": schema_of[id(op.body)]}},
        }
    if op.form is not None:
        doc["requestBody"] = {
            "required": True,
            "content": {FORM: {"schema": schema_of[id(op.form)]}},
        }
    if op.multipart_file is not None:  # so the docs' "Try it out" can send a file
        file_field = {op.multipart_file: {"type": "string", "format": "binary"}}
        form = {"type": "object", "required": [op.multipart_file], "properties": file_field}
        doc["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": form}},
        }
    return doc


def apply_deployment_limits(
    document: dict[str, Any], *, password_min_length: int, upload_max_bytes: int
) -> dict[str, Any]:
    """Limits that come from the environment, not the types: the document states the
    ones this deployment enforces (PASSWORD_MIN_LENGTH, ATTACHMENT_MAX_BYTES)."""
    schemas = document["components"]["schemas"]
    schemas["RegisterRequest"]["properties"]["password"]["minLength"] = password_min_length
    size = {"type": "integer", "minimum": 0, "maximum": upload_max_bytes}
    schemas["UploadRequest"]["properties"]["size"] = size
    return document


def _parameters(
    op: Operation, schema_of: dict[int, Any], components: dict[str, Any]
) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in _PATH_PARAM.findall(op.path)
    ]
    if op.query is not None:
        ref = schema_of[id(op.query)]["$ref"].rsplit("/", 1)[1]
        query_schema = components[ref]
        required = set(query_schema.get("required", []))
        for name, schema in query_schema.get("properties", {}).items():
            params.append(
                {"name": name, "in": "query", "required": name in required, "schema": schema}
            )
    params.extend(
        {"name": header, "in": "header", "required": False, "schema": _header_schema(header)}
        for header in op.request_headers
    )
    return params


# Request headers whose values the API checks (tasks/idempotency.py: _VALID).
_HEADER_SCHEMAS: dict[str, dict[str, Any]] = {
    "Idempotency-Key": {"type": "string", "pattern": "^[!-~]{1,255}$"},
}


def _header_schema(header: str) -> dict[str, Any]:
    return _HEADER_SCHEMAS.get(header, {"type": "string"})


def _responses(op: Operation, schema_of: dict[int, Any]) -> dict[str, Any]:
    success: dict[str, Any] = {"description": HTTPStatus(op.status).phrase}
    if op.response is not None and op.status != 204:
        success["content"] = {op.media_type: {"schema": schema_of[id(op.response)]}}
    if op.response_headers:
        success["headers"] = {h: {"schema": {"type": "string"}} for h in op.response_headers}
    responses: dict[str, Any] = {str(op.status): success}
    for status, description in op.extra_responses.items():
        responses[str(status)] = {"description": description}
    problem = {PROBLEM_MEDIA_TYPE: {"schema": schema_of[id(Problem)]}}
    statuses = set(op.errors) | ({401} if op.auth else set()) | {500}
    if op.auth or op.body is not None or op.form is not None:
        statuses.add(503)
    if (
        op.body is not None or op.form is not None
    ):  # not JSON, not UTF-8 or nested too deep; wrong type; too big
        statuses |= {400, 413, 415}
    if op.query is not None:  # a cursor this API did not issue
        statuses.add(400)
    for status in sorted(statuses):
        responses[str(status)] = {"description": HTTPStatus(status).phrase, "content": problem}
    return responses
