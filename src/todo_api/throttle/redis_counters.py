"""Rate-limit counters in Redis (REDIS_URL): one Lua script per attempt, so the check and
the count are atomic across every instance. redis-py is imported only here, and this
module only when REDIS_URL is set. A Redis that cannot be reached is a 503, not an open
door: the limits would otherwise vanish exactly when an attacker takes Redis down. The
503 carries Retry-After, and the next call reconnects (redis-py's pool opens a fresh
connection; an emptied script cache is reloaded), so Redis's return heals without a
restart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import redis

from todo_api.http.middleware import log_internal
from todo_api.http.problems import ServiceUnavailable
from todo_api.throttle import FIRST_DELAY, MAX_DELAY, WINDOW, Limit
from todo_api.worker_threads import run_sync

PREFIX = "todo_api:throttle:"
RETRY_AFTER = 5  # seconds: a restart or failover of Redis, not a long wait

# KEYS: the counters. ARGV: now, window, first delay, max delay, then each allowance.
# Hash fields: n = attempts in the window, b = blocked until (epoch seconds).
_HIT = """
local now = tonumber(ARGV[1])
local wait = 0
for _, key in ipairs(KEYS) do
  local blocked = tonumber(redis.call('HGET', key, 'b') or '0')
  if blocked - now > wait then wait = blocked - now end
end
if wait > 0 then return tostring(wait) end
for i, key in ipairs(KEYS) do
  local n = redis.call('HINCRBY', key, 'n', 1)
  local over = n - tonumber(ARGV[4 + i])
  if over > 0 then
    local d = math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * 2 ^ (over - 1))
    redis.call('HSET', key, 'b', tostring(now + d))
  end
  redis.call('EXPIRE', key, ARGV[2])
end
return '0'
"""

_FORGIVE = """
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
if n > 0 then redis.call('HINCRBY', KEYS[1], 'n', -1) end
return n
"""


class RedisCounters:
    def __init__(self, url: str) -> None:
        try:
            self.client = redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        except ValueError as exc:  # no redis:// scheme, a port out of range, an unclosed [
            log_internal("REDIS_URL unusable", exc)
            raise ServiceUnavailable(
                "REDIS_URL is not a Redis URL (redis://host:port/db); the rate limiter is down"
            ) from None
        self._hit = self.client.register_script(_HIT)
        self._forgive = self.client.register_script(_FORGIVE)

    async def hit(self, limits: Sequence[Limit], now: float) -> float:
        keys = [PREFIX + limit.key for limit in limits]
        args: list[Any] = [now, WINDOW, FIRST_DELAY, MAX_DELAY]
        args += [limit.allowance for limit in limits]
        return float(await self._call(self._hit, keys, args))

    async def reset(self, key: str) -> None:
        await self._call(lambda keys, args: self.client.delete(*keys), [PREFIX + key], [])

    async def forgive(self, key: str) -> None:
        await self._call(self._forgive, [PREFIX + key], [])

    @staticmethod
    async def _call(script: Any, keys: list[str], args: list[Any]) -> Any:
        """One blocking call, on a worker thread; an unreachable Redis is a 503."""
        try:
            return await run_sync(lambda: script(keys=keys, args=args))
        except redis.RedisError as exc:
            log_internal("rate limiter's Redis unavailable", exc)  # may name host and port
            raise ServiceUnavailable(
                f"The rate limiter's Redis cannot be reached ({type(exc).__name__}); "
                "try again shortly",
                headers={"Retry-After": str(RETRY_AFTER)},
            ) from None
