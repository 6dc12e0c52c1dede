"""Accept JWTs issued by a Better Auth frontend's JWT plugin (EdDSA / Ed25519 via JWKS).

Facts this relies on (read in better-auth 1.7's dist and seen on the wire): the header
is `{alg: "EdDSA", kid}`; `iss` and `aud` are the *origin* of the Better Auth base URL;
`sub` is the user id; keys are published at `{BETTER_AUTH_URL}/api/auth/jwks` and, when
rotation is on, old keys stay published for a grace period. So: pick the key by `kid`,
refetch the set when a `kid` is unknown (at most every MIN_REFETCH seconds), and check
the audience — it is what keeps the session-cache cookie JWT (same key, audience
`better-auth:session-cache`) from passing as a bearer token.

Ed25519 is verified by PyJWT's own `EdDSA` algorithm, i.e. `cryptography`: the MCP SDK
requires it (pyjwt[crypto], and its server imports it), so it ships anyway, and a second
Ed25519 library (PyNaCl, 5.6 MB) would only add to the bundle. PyJWT, and with it
`cryptography`, loads only when such a token arrives (auth/authenticate.py).
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import anyio
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from todo_api.worker_threads import run_sync

JWKS_PATH = "/api/auth/jwks"
CACHE_TTL = 600.0
MIN_REFETCH = 30.0
FETCH_TIMEOUT = 3.0
MAX_KID_LENGTH = 256
NEGATIVE_TTL = 10.0  # after a failed fetch, refuse at once for this long

logger = logging.getLogger("todo_api.auth")


def _b64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class KeysUnavailable(Exception):
    """The JWKS could not be fetched (recently): a 503, the token may well be valid."""


@dataclass
class BetterAuthVerifier:
    """Verifies Better Auth tokens against its JWKS, fetched off the request path's lock.

    One fetch at a time, in a worker thread, bounded by FETCH_TIMEOUT; requests that
    need the keys meanwhile wait on the event loop (polling, holding no thread and no
    lock) for at most that long. A failed fetch is remembered for NEGATIVE_TTL seconds:
    meanwhile requests that need a fetch fail at once, and cached keys, even stale,
    keep verifying. So a JWKS host that hangs or fails costs each EdDSA request at most
    one bounded wait and costs HS256 users nothing (they never come here).
    """

    base_url: str
    _keys: dict[str, bytes] = field(default_factory=dict)
    _fetched_at: float = -1e9
    _failed_at: float = -1e9
    _fetching: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)  # state only, never I/O

    @property
    def origin(self) -> str:
        return origin_of(self.base_url)

    async def verify(self, token: str) -> dict[str, Any]:
        """Return the claims; jwt.InvalidTokenError with the reason, or KeysUnavailable."""
        header = jwt.get_unverified_header(token)
        if header.get("alg") != "EdDSA":
            raise jwt.InvalidAlgorithmError("Better Auth tokens must be EdDSA")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise jwt.InvalidTokenError("Token has no key id (kid)")
        if not 0 < len(kid) <= MAX_KID_LENGTH or not kid.isprintable():
            # Garbage never names a published key: refuse it without a JWKS fetch.
            raise jwt.InvalidTokenError("Token's key id (kid) is malformed")
        key = await self._key(kid)
        claims: dict[str, Any] = jwt.decode(  # microseconds of CPU: fine on the loop
            token,
            key=key,
            algorithms=["EdDSA"],
            audience=self.origin,
            issuer=self.origin,
            options={"require": ["exp", "sub", "iss", "aud"]},
            leeway=5,
        )
        return claims

    async def _key(self, kid: str) -> Ed25519PublicKey:
        asked_at = time.monotonic()
        deadline = asked_at + FETCH_TIMEOUT + 1.0
        while True:
            step, raw = self._next_step(kid, asked_at)
            if raw is not None:  # step "key"
                return Ed25519PublicKey.from_public_bytes(raw)
            if step == "fetch":
                await self._refresh()
                continue
            if step == "unknown":
                raise jwt.InvalidTokenError(f"Unknown signing key {kid!r}")
            if step == "unavailable" or time.monotonic() > deadline:
                raise KeysUnavailable("Better Auth's signing keys cannot be fetched right now")
            await anyio.sleep(0.05)  # another request is fetching: wait for its result

    def _next_step(self, kid: str, asked_at: float) -> tuple[str, bytes | None]:
        """What to do now: use the key, fetch the set, wait for a fetch, or give up.
        A set fetched since the request asked (by it or another) is final for it."""
        with self._lock:
            now = time.monotonic()
            raw = self._keys.get(kid)
            stale = now - self._fetched_at > CACHE_TTL
            if raw is not None and not stale:
                return "key", raw
            if self._fetched_at >= asked_at:
                return ("key", raw) if raw is not None else ("unknown", None)
            if self._fetching:
                return "wait", None
            if now - self._failed_at < NEGATIVE_TTL:
                return ("key", raw) if raw is not None else ("unavailable", None)
            if raw is None and not stale and now - self._fetched_at < MIN_REFETCH:
                return "unknown", None
            self._fetching = True
            return "fetch", None

    async def _refresh(self) -> None:
        try:
            keys = await run_sync(self._fetch)
        except KeysUnavailable as exc:
            logger.error("%s", exc)
            with self._lock:
                self._failed_at = time.monotonic()
        else:
            with self._lock:
                self._keys, self._fetched_at = keys, time.monotonic()
        finally:
            with self._lock:
                self._fetching = False

    def _fetch(self) -> dict[str, bytes]:
        url = self.base_url.rstrip("/") + JWKS_PATH
        try:
            scheme = urlsplit(url).scheme
        except ValueError:  # an unclosed [ (IPv6 host)
            scheme = ""
        if scheme not in ("http", "https"):
            raise KeysUnavailable("BETTER_AUTH_URL must be an http(s) URL")
        try:
            with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as response:  # noqa: S310
                document = json.load(response)
        except (OSError, ValueError, RecursionError) as exc:
            raise KeysUnavailable(f"Cannot fetch Better Auth keys from {url}: {exc}") from exc
        listed = document.get("keys") if isinstance(document, dict) else None
        if not isinstance(listed, list):
            raise KeysUnavailable(f"{url} did not answer a JSON Web Key Set")
        return {jwk["kid"]: raw for jwk in listed if (raw := _ed25519_key(jwk)) is not None}


def _ed25519_key(jwk: Any) -> bytes | None:
    """The 32 raw bytes of a published Ed25519 key, or None for any other entry: a set
    may list other key types, and one malformed entry must not cost the valid ones (nor
    reach `cryptography`, which raises on a key of the wrong length)."""
    if not isinstance(jwk, dict) or not isinstance(jwk.get("kid"), str):
        return None
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not isinstance(jwk.get("x"), str):
        return None
    try:
        raw = _b64url(jwk["x"])
    except ValueError:  # binascii.Error is one: x is not base64url
        return None
    return raw if len(raw) == 32 else None
