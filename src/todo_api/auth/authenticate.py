"""Bearer token -> Principal, for our own HS256 tokens and Better Auth's EdDSA tokens.

The token header's `alg` only chooses which verifier to try; each verifier pins its
single algorithm and key type, so an HS256 token can never be checked with an Ed25519
key or the reverse, and `none` matches nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from todo_api.auth.access_tokens import (
    ExpiredToken,
    InvalidToken,
    unverified_header,
    verify_access_token,
)
from todo_api.auth.principal import Principal
from todo_api.http.middleware import log_internal
from todo_api.http.problems import ServiceUnavailable, Unauthorized

if TYPE_CHECKING:
    from todo_api.app_context import Services


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send an access token: Authorization: Bearer <token>")
    return token.strip()


async def authenticate(services: Services, request: Request) -> Principal:
    token = bearer_token(request)
    try:
        algorithm = unverified_header(token).get("alg")
    except InvalidToken:
        raise Unauthorized("The access token is malformed") from None
    if algorithm == "HS256":
        secret = services.require_secret()
        try:
            claims = verify_access_token(token, secret=secret)
        except ExpiredToken:
            raise Unauthorized("The access token has expired; refresh it or log in") from None
        except InvalidToken:
            raise Unauthorized("The access token is invalid") from None
        return Principal(id=claims.subject, email="")
    if algorithm == "EdDSA" and services.settings.better_auth_url:
        return await _better_auth_principal(services, token)
    # The header is the attacker's: name at most a short, printable algorithm.
    shown = repr(algorithm)[:20] if isinstance(algorithm, str) and algorithm.isprintable() else "?"
    raise Unauthorized(f"Tokens signed with {shown} are not accepted")


async def _better_auth_principal(services: Services, token: str) -> Principal:
    # PyJWT (and with it `cryptography`) loads only when a Better Auth token arrives.
    import jwt

    from todo_api.auth.better_auth import KeysUnavailable

    verifier = services.better_auth_verifier()
    try:
        claims: dict[str, Any] = await verifier.verify(token)
    except KeysUnavailable as exc:
        raise ServiceUnavailable(str(exc)) from None
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The Better Auth token has expired") from None
    except jwt.InvalidTokenError as exc:
        # The reason can hold the JWKS URL or attacker-chosen header values: log only.
        log_internal("better auth token refused", exc)
        raise Unauthorized("The Better Auth token is invalid or could not be checked") from None
    subject, email = claims.get("sub"), str(claims.get("email", ""))
    if not isinstance(subject, str) or not subject.strip():
        raise Unauthorized("The Better Auth token names no user (empty subject)")
    if "\x00" in subject or "\x00" in email:  # PostgreSQL cannot store it: not a user
        raise Unauthorized("The Better Auth token names no valid user")
    principal = Principal(id=subject, email=email)
    await services.remember_better_auth_user(principal, name=claims.get("name"))
    return principal
