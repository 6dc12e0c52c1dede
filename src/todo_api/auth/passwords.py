"""Password hashing: argon2id for new hashes, bcrypt accepted from earlier deployments.

Parameters are OWASP's argon2id minimum (19 MiB, t=2, p=1): ~20 ms here, affordable on
a small Lambda. bcrypt hashes (the seeds' users) verify once and are then re-hashed;
the bcrypt module is imported only when such a hash is seen. Unknown users are checked
against a dummy hash so a login takes the same time whether or not the account exists.

Every hash and check runs in a worker thread (argon2-cffi and bcrypt release the GIL),
at most HASH_CONCURRENCY at once, the rest queued: a flood of logins costs those cores,
while the event loop keeps answering everyone else. The threads are our own few, not
the shared pool's: glibc keeps each thread's 19 MiB argon2 buffer in that thread's
malloc arena, so hashing on any of the pool's 40 threads grew a process by 19 MiB per
thread that ever hashed (seen: 97 -> 154 MB in 45 s of mixed load), and a fixed set of
threads bounds it at HASH_CONCURRENCY buffers; large_blocks then hands each buffer back
to the system when the hash ends (an instance under mixed load: 55 -> 36 MB, and flat).

Passwords are hashed as NFKC (NIST SP 800-63B 5.1.1.2): an "é" typed on a Mac arrives
decomposed, on most other keyboards composed, and both must open the account. A hash
made before that, from the password as typed, still verifies (and is re-hashed).
"""

from __future__ import annotations

import asyncio
import os
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from todo_api.large_blocks import return_to_os_when_freed

_BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
# Half the cores (one on a small function): the other half serves requests meanwhile.
HASH_CONCURRENCY = max(1, (os.cpu_count() or 2) // 2)
T = TypeVar("T")
_POOL = ThreadPoolExecutor(max_workers=HASH_CONCURRENCY, thread_name_prefix="todo-api-hash")


@dataclass(frozen=True)
class Verdict:
    ok: bool
    needs_rehash: bool = False


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return_to_os_when_freed()  # each hash's 19 MiB buffer, unmapped after it
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


async def _off_loop(work: Callable[[], T]) -> T:
    # Threads start on first use, not at import (cold start); any event loop may wait.
    return await asyncio.get_running_loop().run_in_executor(_POOL, work)


async def hash_password(password: str) -> str:
    return await _off_loop(lambda: _hasher().hash(unicodedata.normalize("NFKC", password)))


async def verify_password(stored_hash: str, password: str) -> Verdict:
    return await _off_loop(lambda: _verify(stored_hash, password))


def _verify(stored_hash: str, password: str) -> Verdict:
    """NFKC first (what hash_password stores), then as typed when that differs (hashes
    made before normalising). Unknown accounts go through here too, with the dummy
    hash, so they spend the same one or two verifications."""
    normal = unicodedata.normalize("NFKC", password)
    verdict = _verify_spelling(stored_hash, normal)
    if verdict.ok or normal == password:
        return verdict
    if _verify_spelling(stored_hash, password).ok:
        return Verdict(ok=True, needs_rehash=True)
    return verdict


def _verify_spelling(stored_hash: str, password: str) -> Verdict:
    if stored_hash.startswith(_BCRYPT_PREFIXES):
        return _verify_bcrypt(stored_hash, password)
    try:
        _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return Verdict(ok=False)
    return Verdict(ok=True, needs_rehash=_hasher().check_needs_rehash(stored_hash))


def _verify_bcrypt(stored_hash: str, password: str) -> Verdict:
    import bcrypt

    # bcrypt reads 72 bytes: the old deployment's bcrypt 4 dropped the rest silently, so
    # its hash is of those 72; bcrypt 5 raises on more. The re-hash keeps every byte.
    secret = password.encode()[:72]
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
