"""Password hashing: argon2id for new hashes, bcrypt accepted from earlier deployments.

Parameters are OWASP's argon2id minimum (19 MiB, t=2, p=1): ~20 ms here, affordable on
a small Lambda. bcrypt hashes (the seeds' users) verify once and are then re-hashed;
the bcrypt module is imported only when such a hash is seen. Unknown users are checked
against a dummy hash so a login takes the same time whether or not the account exists.

Every hash and check runs in a worker thread (argon2-cffi and bcrypt release the GIL),
at most HASH_CONCURRENCY at once, the rest queued as coroutines: a flood of logins
costs those cores, while the event loop keeps answering everyone else.
"""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from anyio import CapacityLimiter, to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
# Half the cores (one on a small function): the other half serves requests meanwhile.
HASH_CONCURRENCY = max(1, (os.cpu_count() or 2) // 2)
T = TypeVar("T")
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    needs_rehash: bool = False


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


async def _off_loop(work: Callable[[], T]) -> T:
    loop = asyncio.get_running_loop()  # a limiter belongs to one loop (tests run several)
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = CapacityLimiter(HASH_CONCURRENCY)
    return await to_thread.run_sync(work, limiter=limiter)


async def hash_password(password: str) -> str:
    return await _off_loop(lambda: _hasher().hash(password))


async def verify_password(stored_hash: str, password: str) -> Verdict:
    return await _off_loop(lambda: _verify(stored_hash, password))


def _verify(stored_hash: str, password: str) -> Verdict:
    if stored_hash.startswith(_BCRYPT_PREFIXES):
        return _verify_bcrypt(stored_hash, password)
    try:
        _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return Verdict(ok=False)
    return Verdict(ok=True, needs_rehash=_hasher().check_needs_rehash(stored_hash))


def _verify_bcrypt(stored_hash: str, password: str) -> Verdict:
    import bcrypt

    secret = password.encode()
    if len(secret) > 72:  # bcrypt 5 raises instead of silently truncating
        return Verdict(ok=False)
    try:
        ok = bcrypt.checkpw(secret, stored_hash.encode())
    except ValueError:
        return Verdict(ok=False)
    return Verdict(ok=ok, needs_rehash=ok)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash("a password nobody has")


async def burn_verification_time(password: str) -> None:
    """Spend what a real verification costs, for logins of unknown accounts."""
    await _off_loop(lambda: _verify(_dummy_hash(), password))
