"""Bearer token -> Principal, for our own HS256 tokens and Better Auth's EdDSA tokens.

The token header's `alg` only chooses which verifier to try; each verifier pins its
single algorithm and key type, so an HS256 token can never be checked with an Ed25519
key or the reverse, and `none` matches nothing.

What authentication keeps between requests (the Better Auth verifier with its JWKS
cache, the Better Auth users already given a local row) is an Authenticator's, one per
app, on app.state beside Services: Services holds configuration and resources, not
the state of one concern. main.py does not import this module; the app's Authenticator
is made at its first authenticated request, so a cold start that serves /health, the UI
or /docs loads no token code.
"""

from __future__ import annotations

import threading
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
from todo_api.shown_text import fits_one_line

if TYPE_CHECKING:
    from todo_api.app_context import Services
    from todo_api.auth.better_auth import BetterAuthVerifier
    from todo_api.storage.connection import Connection

_MAKING = threading.Lock()


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send an access token: Authorization: Bearer <token>")
    return token.strip()


async def authenticate(request: Request) -> Principal:
    """The caller of `request`, by its app's Authenticator (made here on first use)."""
    state = request.app.state
    authenticator: Authenticator | None = getattr(state, "authenticator", None)
    if authenticator is None:
        with _MAKING:  # two threads' first requests must share one JWKS cache
            authenticator = getattr(state, "authenticator", None)
            if authenticator is None:
                authenticator = state.authenticator = Authenticator(state.services)
    return await authenticator.authenticate(request)


class Authenticator:
    """One app's authentication: verifies bearer tokens, keeping the Better Auth
    verifier and the Better Auth users already recorded from request to request."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._better_auth: BetterAuthVerifier | None = None
        self._known_better_auth_users: set[str] = set()
        self._lock = threading.Lock()

    async def authenticate(self, request: Request) -> Principal:
        services = self.services
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
            return await self._better_auth_principal(token)
        # The header is the attacker's: name at most a short, printable algorithm.
        shown = (
            repr(algorithm)[:20] if isinstance(algorithm, str) and algorithm.isprintable() else "?"
        )
        raise Unauthorized(f"Tokens signed with {shown} are not accepted")

    async def _better_auth_principal(self, token: str) -> Principal:
        # PyJWT (and with it `cryptography`) loads only when a Better Auth token arrives.
        import jwt

        from todo_api.auth.better_auth import KeysUnavailable

        try:
            claims: dict[str, Any] = await self._verifier().verify(token)
        except KeysUnavailable as exc:
            raise ServiceUnavailable(str(exc)) from None
        except jwt.ExpiredSignatureError:
            raise Unauthorized("The Better Auth token has expired") from None
        except jwt.InvalidTokenError as exc:
            # The reason can hold the JWKS URL or attacker-chosen header values: log only.
            log_internal("better auth token refused", exc)
            raise Unauthorized("The Better Auth token is invalid or could not be checked") from None
        subject, email, name = claims.get("sub"), claims.get("email"), claims.get("name")
        if not isinstance(subject, str) or not subject.strip():
            raise Unauthorized("The Better Auth token names no user (empty subject)")
        email = email if isinstance(email, str) else ""  # informational: the id is the user
        if not _storable(subject) or not _storable(email):
            raise Unauthorized("The Better Auth token names no valid user")
        principal = Principal(id=subject, email=email)
        # The display name is whatever the person typed into Better Auth's sign-up form:
        # one the database cannot hold, or that holds what no name of ours may (controls,
        # bidi overrides: todo_api/shown_text.py), is left out rather than costing them
        # their session.
        stored_name = name if isinstance(name, str) and _storable(name) else None
        if stored_name is not None and not fits_one_line(stored_name):
            stored_name = None
        await self._remember_better_auth_user(principal, name=stored_name)
        return principal

    def _verifier(self) -> BetterAuthVerifier:
        from todo_api.auth.better_auth import BetterAuthVerifier

        with self._lock:
            if self._better_auth is None:
                assert self.services.settings.better_auth_url
                self._better_auth = BetterAuthVerifier(self.services.settings.better_auth_url)
            return self._better_auth

    async def _remember_better_auth_user(self, principal: Principal, *, name: Any) -> None:
        """Create the local record of a Better Auth user the first time we see them."""
        if principal.id in self._known_better_auth_users:
            return
        from todo_api.auth import users

        def upsert(conn: Connection) -> str:
            return users.ensure_better_auth_user(
                conn,
                user_id=principal.id,
                email=users.normalise_email(principal.email),
                name=name if isinstance(name, str) else None,
            )

        source = await self.services.db(upsert)
        if source != "better_auth":
            raise Unauthorized("This token's subject belongs to a local account")
        self._known_better_auth_users.add(principal.id)


def _storable(text: str) -> bool:
    """Whether both databases can store `text`: no NUL (PostgreSQL refuses it in text)
    and no lone surrogate (JSON's \\ud800 escapes decode to one; neither driver can
    encode it to UTF-8). JavaScript strings may hold both, so a Better Auth token can."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
