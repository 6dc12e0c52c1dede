"""Request and response bodies of the account routes."""

from __future__ import annotations

from typing import Annotated

import msgspec

from todo_api.auth.users import User

# Deliberately loose (one @, a dot in the domain, no spaces): the real proof of an
# address is mail delivery, and strict patterns reject valid addresses.
Email = Annotated[
    str,
    msgspec.Meta(min_length=3, max_length=254, pattern=r"^\s*[^@\s]+@[^@\s]+\.[^@\s]+\s*$"),
]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


class RegisterRequest(msgspec.Struct):
    email: Email
    password: Password
    name: Annotated[str, msgspec.Meta(max_length=100)] | None = None


class LoginRequest(msgspec.Struct):
    email: Annotated[str, msgspec.Meta(max_length=254)]
    password: Password


class RefreshRequest(msgspec.Struct):
    refresh_token: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class TokenResponse(msgspec.Struct):
    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str
    user: User
