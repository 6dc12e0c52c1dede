"""RFC 9457 problem details: the one error vocabulary of the API.

Domain code raises these small exceptions where the problem is found; they are turned
into `application/problem+json` once, at the edge (`http.middleware`).
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus

import msgspec

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldError(msgspec.Struct, frozen=True):
    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """The body of every 4xx/5xx response."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None


class ApiError(Exception):
    status: int = 500
    type: str = "about:blank"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[FieldError] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = errors
        self.headers = dict(headers or {})

    @property
    def title(self) -> str:
        return HTTPStatus(self.status).phrase

    def problem(self, instance: str | None) -> Problem:
        return Problem(
            type=self.type,
            title=self.title,
            status=self.status,
            detail=self.detail,
            instance=instance,
            errors=self.errors,
        )


class BadRequest(ApiError):
    status = 400


class OAuthProblem(Problem):
    """A problem detail that OAuth2 clients can read too: RFC 6749 section 5.2's `error`
    and `error_description`, carried as RFC 9457 extension members."""

    error: str | None = None
    error_description: str | None = None


class InvalidGrant(BadRequest):
    """RFC 6749 section 5.2: the password grant's credentials are wrong (400)."""

    def problem(self, instance: str | None) -> Problem:
        base = super().problem(instance)
        return OAuthProblem(
            **msgspec.structs.asdict(base), error="invalid_grant", error_description=self.detail
        )


class Unauthorized(ApiError):
    status = 401

    def __init__(self, detail: str = "Missing or invalid bearer token") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="todo_api"'})


class Forbidden(ApiError):
    status = 403


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class PreconditionFailed(ApiError):
    status = 412
    type = "/problems/stale-version"


class PayloadTooLarge(ApiError):
    status = 413


class UnsupportedMediaType(ApiError):
    status = 415


class ValidationFailed(ApiError):
    status = 422
    type = "/problems/validation"


class InsufficientStorage(ApiError):
    status = 507
    type = "/problems/storage-full"


class ServiceUnavailable(ApiError):
    """A 503 always says when to come back (RFC 9110 section 10.2.3): storage, the
    database, Redis or Better Auth's keys being down is the usual cause, and a client
    or proxy without Retry-After either hammers the API or gives up at once. Callers
    that know better (a busy SQLite writer) pass their own."""

    status = 503
    type = "/problems/unavailable"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[FieldError] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail, errors=errors, headers={**RETRY_SOON, **(headers or {})})


RETRY_SOON = {"Retry-After": "5"}  # seconds: a restart or failover, not a long wait


def problem_from_status(status: int, detail: str | None, instance: str | None) -> Problem:
    """For errors raised by Starlette itself (unknown route, wrong method)."""
    return Problem(
        type="about:blank",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        instance=instance,
    )
