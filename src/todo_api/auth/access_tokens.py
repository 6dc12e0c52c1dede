"""Our own access tokens: short-lived HS256 JWTs signed with BETTER_AUTH_SECRET.

The algorithm list passed to PyJWT is exactly ["HS256"]: a token whose header says
`none`, RS256 or EdDSA is refused here, so key-confusion tricks have nothing to use.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import jwt

ISSUER = "todo_api"
AUDIENCE = "todo_api"
ALGORITHM = "HS256"


@dataclass(frozen=True)
class AccessClaims:
    subject: str


def issue_access_token(*, subject: str, email: str, secret: str, ttl: int) -> str:
    issued = dt.datetime.now(dt.UTC)
    claims = {
        "sub": subject,
        "email": email,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": issued,
        "exp": issued + dt.timedelta(seconds=ttl),
        "jti": secrets.token_urlsafe(8),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_access_token(token: str, *, secret: str) -> AccessClaims:
    """Raise jwt.InvalidTokenError (any subclass) unless the token is ours and current."""
    claims = jwt.decode(
        token,
        secret,
        algorithms=[ALGORITHM],
        audience=AUDIENCE,
        issuer=ISSUER,
        options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        leeway=5,
    )
    return AccessClaims(subject=str(claims["sub"]))
