"""Brute-force limits for login and register, shared by every instance of the app.

Each attempt is counted *before* the password is checked (so a hundred parallel guesses
cannot all pass one check): a login per (account, client address), per account over all
addresses (a looser allowance) and per client address. Past an allowance the key is
blocked for a delay that doubles with each further attempt (1 s, 2 s, 4 s ... up to
15 min); attempts while blocked answer 429 with Retry-After and count nothing. A correct
login clears its (account, address) counter and takes back its attempt from the others.
A key untouched for WINDOW seconds starts again from zero.

Counters live where every instance sees them: the database by default (serverless
instances share nothing else), Redis when REDIS_URL is set (imported only then).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from todo_api.http.problems import ApiError

WINDOW = 15 * 60  # seconds without attempts after which a key starts from zero
FIRST_DELAY = 1.0
MAX_DELAY = 15 * 60.0


class TooManyRequests(ApiError):
    status = 429
    type = "/problems/too-many-attempts"


@dataclass(frozen=True)
class Limit:
    """One counter: its key and how many attempts pass before delays begin."""

    key: str
    allowance: int


def delay(attempts: int, allowance: int) -> float:
    """Seconds to block after the `attempts`-th attempt (0 within the allowance)."""
    over = attempts - allowance
    if over <= 0:
        return 0.0
    return min(MAX_DELAY, FIRST_DELAY * 2.0 ** (over - 1))


def key(kind: str, subject: str) -> str:
    """A fixed-size key; emails and addresses are hashed, never stored as such."""
    return f"{kind}:{hashlib.sha256(subject.encode()).hexdigest()[:32]}"


class CounterStore(Protocol):
    async def hit(self, limits: Sequence[Limit], now: float) -> float:
        """Atomically: 0 and one more attempt on each key, or the seconds to wait."""
        ...

    async def reset(self, key: str) -> None: ...

    async def forgive(self, key: str) -> None:
        """Take back one attempt (never below zero); a block already set stays."""
        ...


class Throttle:
    def __init__(self, store: CounterStore) -> None:
        self.store = store

    async def attempt(self, limits: Sequence[Limit], message: str) -> None:
        """Count one attempt on every limit, or raise 429 when any of them is blocked."""
        wait = await self.store.hit(limits, time.time())
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise TooManyRequests(
                f"{message} Try again in {seconds} s.", headers={"Retry-After": str(seconds)}
            )

    async def succeeded(self, *, reset: str, forgive: Sequence[str]) -> None:
        """Clear the `reset` key (its failures were the user's own, from where they just
        logged in); take back only this attempt from the wider keys, whose other attempts
        may be someone else's guesses."""
        await self.store.reset(reset)
        for wider in forgive:
            await self.store.forgive(wider)
