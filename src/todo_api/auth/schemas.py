"""Request and response bodies of the account routes."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from todo_api.auth.users import User
from todo_api.shown_text import END, NOT_ON_ONE_LINE, only_allowed

# Control and format characters (Unicode Cc and Cf, 15.0): invisible, so an address
# holding one would look like another. Spelled out, with every space character of both
# regex dialects, because the pattern is checked by Python here and by ECMAScript rules
# in the clients that read the OpenAPI document (their \s differ).
_INVISIBLE = (
    (0x0, 0x20), (0x7F, 0xA0), (0xAD, 0xAD), (0x600, 0x605), (0x61C, 0x61C), (0x6DD, 0x6DD),
    (0x70F, 0x70F), (0x890, 0x891), (0x8E2, 0x8E2), (0x1680, 0x1680), (0x180E, 0x180E),
    (0x2000, 0x200F), (0x2028, 0x202F), (0x205F, 0x2064), (0x2066, 0x206F), (0x3000, 0x3000),
    (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD),
    (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)  # fmt: skip


def _in_class(code: int) -> str:
    """A regex class member both dialects read alike: \\uXXXX, or the character itself
    beyond the BMP (ECMAScript has no escape for those without the u flag)."""
    return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)


_NOT_IN_EMAIL = "@" + "".join(
    _in_class(a) + ("" if a == b else "-" + _in_class(b)) for a, b in _INVISIBLE
)
# Deliberately loose (one @, a dot in the domain, nothing invisible; spaces around are
# trimmed): the real proof of an address is mail delivery, and strict patterns reject
# valid addresses. END, not `$`, which would let a final newline through.
_PART = f"[^{_NOT_IN_EMAIL}]+"
Email = Annotated[
    str,
    msgspec.Meta(
        min_length=3,
        max_length=254,
        pattern=f"^ *{_PART}@{_PART}\\.{_PART} *{END}",
        examples=["ada@example.com"],
    ),
]
Password = Annotated[
    str, msgspec.Meta(min_length=1, max_length=128, examples=["correct horse battery"])
]


class RegisterRequest(msgspec.Struct):
    email: Email
    password: Password
    name: (
        Annotated[
            str,
            msgspec.Meta(
                max_length=100,
                pattern=only_allowed(NOT_ON_ONE_LINE),
                description="No control characters or bidi controls",
                examples=["Ada Lovelace"],
            ),
        ]
        | None
    ) = None


class LoginRequest(msgspec.Struct):
    email: Annotated[str, msgspec.Meta(max_length=254, examples=["ada@example.com"])]
    password: Password


class PasswordGrant(msgspec.Struct):
    """RFC 6749 section 4.3.2, form-encoded: what OAuth2 clients (the /docs "Authorize"
    dialog among them) send. `username` is the account's email."""

    grant_type: Literal["password"]
    username: Annotated[str, msgspec.Meta(max_length=254, examples=["ada@example.com"])]
    password: Password
    scope: Annotated[str, msgspec.Meta(max_length=200)] = ""


class RefreshRequest(msgspec.Struct):
    refresh_token: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class TokenResponse(msgspec.Struct):
    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str
    user: User
