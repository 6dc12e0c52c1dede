"""Our own access tokens: short-lived HS256 JWTs (RFC 7519) signed with BETTER_AUTH_SECRET.

Written on the standard library (hmac, hashlib, base64, json) rather than PyJWT: since
the MCP SDK brought `cryptography` into the environment, `import jwt` loads it (PyJWT
imports every algorithm it can) — about 100 ms of imports on the first authenticated
request, for a token format that needs one HMAC. PyJWT still checks Better Auth's EdDSA
tokens (auth/better_auth.py), and only when such a token arrives.

Only HS256 is accepted: a token whose header says `none`, RS256 or EdDSA is refused
here, so key-confusion tricks have nothing to use. Tokens are byte-compatible with the
ones PyJWT issued before (same header, compact JSON, unpadded base64url), so sessions
survive the change.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import secrets
import time
from typing import Any

import msgspec

ISSUER = "todo_api"
AUDIENCE = "todo_api"
ALGORITHM = "HS256"
LEEWAY = 5  # seconds of clock skew tolerated on exp, iat and nbf
REQUIRED_CLAIMS = ("exp", "iat", "sub", "iss", "aud")


class InvalidToken(Exception):
    """The token is malformed, badly signed, not ours, or missing a claim."""


class ExpiredToken(InvalidToken):
    """Well signed and ours, but past its `exp`: the client should refresh."""


class AccessClaims(msgspec.Struct, frozen=True):  # made in C: no generated code at import
    subject: str


def issue_access_token(*, subject: str, email: str, secret: str, ttl: int) -> str:
    issued = int(time.time())
    claims = {
        "sub": subject,
        "email": email,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": issued,
        "exp": issued + ttl,
        "jti": secrets.token_urlsafe(8),
    }
    signing_input = f"{_encode({'alg': ALGORITHM, 'typ': 'JWT'})}.{_encode(claims)}"
    return f"{signing_input}.{_b64encode(_sign(signing_input, secret))}"


def unverified_header(token: str) -> dict[str, Any]:
    """The token's header, unchecked: only to choose which verifier to try."""
    return _json_object(_segments(token)[0])


def verify_access_token(token: str, *, secret: str) -> AccessClaims:
    """Raise InvalidToken (ExpiredToken when only `exp` is wrong) unless ours and current."""
    header, payload, signature = _segments(token)
    if _json_object(header).get("alg") != ALGORITHM:
        raise InvalidToken("not an HS256 token")
    if not hmac.compare_digest(_b64decode(signature), _sign(f"{header}.{payload}", secret)):
        raise InvalidToken("signature mismatch")
    claims = _json_object(payload)
    _check_claims(claims, now=time.time())
    return AccessClaims(subject=claims["sub"])


def _check_claims(claims: dict[str, Any], *, now: float) -> None:
    missing = [name for name in REQUIRED_CLAIMS if name not in claims]
    if missing:
        raise InvalidToken(f"missing claim {missing[0]}")
    for name in ("exp", "iat", "nbf"):
        value = claims.get(name, 0)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidToken(f"{name} is not a number")
    if claims["exp"] <= now - LEEWAY:
        raise ExpiredToken("expired")
    if claims["iat"] > now + LEEWAY or claims.get("nbf", 0) > now + LEEWAY:
        raise InvalidToken("not valid yet")
    audience = claims["aud"]
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or AUDIENCE not in audiences:
        raise InvalidToken("wrong audience")
    if claims["iss"] != ISSUER:
        raise InvalidToken("wrong issuer")
    if not isinstance(claims["sub"], str):
        raise InvalidToken("sub is not a string")


def _segments(token: str) -> tuple[str, str, str]:
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("not three segments")
    return parts[0], parts[1], parts[2]


def _json_object(segment: str) -> dict[str, Any]:
    try:
        value = json.loads(_b64decode(segment))
    # ValueError: JSONDecodeError and UnicodeDecodeError both are. RecursionError: the
    # header is read before any signature check, and a few KB of `[` nest past the limit.
    except (ValueError, RecursionError):
        raise InvalidToken("segment is not JSON") from None
    if not isinstance(value, dict):
        raise InvalidToken("segment is not a JSON object")
    return value


def _sign(signing_input: str, secret: str) -> bytes:
    # The one-shot C path: the same MAC as hmac.new(...).digest() at a third of the cost.
    return hmac.digest(secret.encode(), signing_input.encode(), "sha256")


def _encode(value: dict[str, Any]) -> str:
    return _b64encode(json.dumps(value, separators=(",", ":")).encode())


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


_URLSAFE = bytes.maketrans(b"-_", b"+/")


def _b64decode(segment: str) -> bytes:
    # What base64.b64decode(raw, altchars=b"-_", validate=True) does, without its
    # per-call argument handling (three segments a request).
    try:
        raw = segment.encode("ascii") + b"=" * (-len(segment) % 4)
        return binascii.a2b_base64(raw.translate(_URLSAFE), strict_mode=True)
    except (UnicodeEncodeError, binascii.Error):
        raise InvalidToken("segment is not base64url") from None
