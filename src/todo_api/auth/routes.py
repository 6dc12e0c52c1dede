"""Account routes: register, login, refresh (rotating), logout, me."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from todo_api.app_context import Services
from todo_api.auth import refresh_tokens, users
from todo_api.auth.access_tokens import issue_access_token
from todo_api.auth.passwords import burn_verification_time, hash_password, verify_password
from todo_api.auth.schemas import (
    LoginRequest,
    PasswordGrant,
    RefreshRequest,
    RegisterRequest,
    TokenResponse,
)
from todo_api.http.client_address import client_address
from todo_api.http.problems import (
    Conflict,
    FieldError,
    InvalidGrant,
    Unauthorized,
    ValidationFailed,
)
from todo_api.http.responses import json_response
from todo_api.http.routing import Api, Call
from todo_api.storage.connection import Connection
from todo_api.throttle import Limit, key

api = Api(tags=["auth"])

BAD_CREDENTIALS = "Incorrect email or password"
REGISTRATIONS_KEY = key("register:all", "")  # one counter over every client address


def _tokens(
    services: Services, conn: Connection, user: users.User, family: str | None
) -> TokenResponse:
    settings = services.settings
    access = issue_access_token(
        subject=user.id,
        email=user.email,
        secret=services.require_secret(),
        ttl=settings.access_token_ttl,
    )
    refresh = refresh_tokens.issue(
        conn, user_id=user.id, ttl=settings.refresh_token_ttl, family_id=family
    )
    return TokenResponse(
        access_token=access,
        token_type="bearer",  # noqa: S106 (OAuth token type, not a secret)
        expires_in=settings.access_token_ttl,
        refresh_token=refresh,
        user=user,
    )


def _no_store(tokens: TokenResponse, status: int = 200) -> Response:
    """Tokens must never sit in a browser or proxy cache (RFC 6749 section 5.1)."""
    return json_response(tokens, status=status, headers={"Cache-Control": "no-store"})


@api.post(
    "/api/auth/register",
    summary="Create an account and log in",
    body=RegisterRequest,
    response=TokenResponse,
    status=201,
    errors=(409, 422, 429),
    auth=False,
)
async def register(call: Call[RegisterRequest, None]) -> Response:
    data = call.body
    services = call.services
    services.require_secret()
    minimum = services.settings.password_min_length
    if len(data.password) < minimum:
        raise ValidationFailed(
            "The password is too short",
            errors=[FieldError("password", f"Use at least {minimum} characters")],
        )
    invisible = users.invisible_in(data.email)
    if invisible is not None:
        raise ValidationFailed(
            "The email is invalid",
            errors=[FieldError("email", f"Remove the invisible character {invisible}")],
        )
    email = users.normalise_email(data.email)
    throttle = services.throttle()
    if throttle is not None:
        limits = services.settings.rate_limits
        assert limits is not None
        address = client_address(call.request, services.settings.platform)
        await throttle.attempt(
            [
                Limit(key("register:address", address), limits.per_address),
                Limit(key("register:account", email), limits.per_account),
                Limit(REGISTRATIONS_KEY, limits.registrations_all_addresses),
            ],
            "Too many registrations.",
        )
    name = data.name.strip() if data.name and data.name.strip() else None
    password_hash = await hash_password(data.password)  # outside the transaction: ~20 ms of CPU

    def create(conn: Connection) -> TokenResponse | None:
        user = users.insert_local(conn, email=email, name=name, password_hash=password_hash)
        return None if user is None else _tokens(services, conn, user, family=None)

    result = await services.db(create)
    if result is None:
        raise Conflict("An account with this email already exists; log in instead")
    return _no_store(result, status=201)


@api.post(
    "/api/auth/login",
    summary="Exchange email and password for tokens",
    body=LoginRequest,
    response=TokenResponse,
    errors=(401, 422, 429),
    auth=False,
)
async def login(call: Call[LoginRequest, None]) -> Response:
    data = call.body
    return _no_store(await _password_login(call, data.email, data.password))


@api.post(
    "/api/auth/token",
    summary="OAuth2 password grant: email (as username) and password for tokens",
    description="RFC 6749 section 4.3, form-encoded, for OAuth2 clients such as the "
    "Authorize dialog of /docs. The same tokens as /api/auth/login. Wrong credentials are "
    "a 400 whose problem detail also carries RFC 6749's `error` (`invalid_grant`); a "
    "missing or malformed field is a 422 listing each field, as elsewhere in this API.",
    form=PasswordGrant,
    response=TokenResponse,
    errors=(400, 422, 429),
    auth=False,
)
async def token(call: Call[PasswordGrant, None]) -> Response:
    grant = call.body
    try:
        tokens = await _password_login(call, grant.username, grant.password)
    except Unauthorized as exc:
        raise InvalidGrant(exc.detail) from None
    return _no_store(tokens)


async def _password_login(call: Call[Any, Any], given_email: str, password: str) -> TokenResponse:
    """Check email and password (throttled, in constant time when the account is unknown)
    and start a session; shared by the JSON login and the OAuth2 token endpoint."""
    services = call.services
    services.require_secret()
    email = users.normalise_email(given_email)
    address = client_address(call.request, services.settings.platform)
    # The strict limit counts an account's failures per client address: a stranger who
    # knows the email blocks only their own address, not the user's (OWASP account lockout).
    pair_key = key("login:account-address", f"{email}\n{address}")
    account_key = key("login:account", email)  # the looser one, over every address
    address_key = key("login:address", address)
    throttle = services.throttle()
    if throttle is not None:
        limits = services.settings.rate_limits
        assert limits is not None
        await throttle.attempt(
            [
                Limit(pair_key, limits.per_account),
                Limit(account_key, limits.per_account_all_addresses),
                Limit(address_key, limits.per_address),
            ],
            "Too many login attempts.",
        )
    found = await services.db(lambda conn: users.find_by_email(conn, email=email), read_only=True)
    stored_hash = found[1] if found is not None else None
    if found is None or stored_hash is None:
        await burn_verification_time(password)  # same time as a wrong password
        raise Unauthorized(BAD_CREDENTIALS)
    user = found[0]
    verdict = await verify_password(stored_hash, password)
    if not verdict.ok:
        raise Unauthorized(BAD_CREDENTIALS)
    new_hash = await hash_password(password) if verdict.needs_rehash else None
    if throttle is not None:
        await throttle.succeeded(reset=pair_key, forgive=(account_key, address_key))

    def start_session(conn: Connection) -> TokenResponse:
        if new_hash is not None:
            users.update_password_hash(conn, user_id=user.id, password_hash=new_hash)
        return _tokens(services, conn, user, family=None)

    return await services.db(start_session)


@api.post(
    "/api/auth/refresh",
    summary="Rotate a refresh token: the old one stops working",
    body=RefreshRequest,
    response=TokenResponse,
    errors=(401, 422),
    auth=False,
)
async def refresh(call: Call[RefreshRequest, None]) -> Response:
    data = call.body
    services = call.services
    services.require_secret()

    def rotate(conn: Connection) -> TokenResponse | str:
        presented = refresh_tokens.lookup(conn, token=data.refresh_token)
        if presented is None:
            return "The refresh token is not valid"
        if not presented.usable or not refresh_tokens.retire(conn, token_id=presented.token_id):
            # A retired token came back: it was copied. End the whole session.
            refresh_tokens.revoke_family(conn, family_id=presented.family_id)
            return "The refresh token was already used or has expired; log in again"
        found = users.find_by_id(conn, user_id=presented.user_id)
        if found is None:
            return "The account no longer exists"
        return _tokens(services, conn, found[0], family=presented.family_id)

    result = await services.db(rotate)
    if isinstance(result, str):
        raise Unauthorized(result)
    return _no_store(result)


@api.post(
    "/api/auth/logout",
    summary="Revoke a refresh token (and its rotation family)",
    body=RefreshRequest,
    status=204,
    errors=(422,),
    auth=False,
)
async def logout(call: Call[RefreshRequest, None]) -> None:
    data = call.body

    def revoke(conn: Connection) -> None:
        presented = refresh_tokens.lookup(conn, token=data.refresh_token)
        if presented is not None:
            refresh_tokens.revoke_family(conn, family_id=presented.family_id)

    await call.services.db(revoke)


@api.get("/api/auth/me", summary="The account behind the access token", response=users.User)
async def me(call: Call[None, None]) -> users.User:
    found = await call.services.db(
        lambda conn: users.find_by_id(conn, user_id=call.user.id), read_only=True
    )
    if found is None:
        raise Unauthorized("The account behind this token no longer exists")
    return found[0]
