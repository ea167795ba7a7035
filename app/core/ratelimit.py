"""Rate limits per API client: fixed one-minute windows, in memory (one process) or in Redis (shared).

With several workers or hosts, `REDIS_URL` makes them share one count per client; without it each
process counts alone. A Redis that cannot be reached lets requests through (and logs it): the limit
protects the service, it must not take it down.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any, Protocol

from app.core.errors import AppError

log = logging.getLogger("app.ratelimit")
WINDOW = 60


class TooManyRequests(AppError):
    status, slug, title = 429, "too-many-requests", "Too many requests"


class Limiter(Protocol):
    limit: int

    async def hit(self, key: str) -> int:
        """Count a request; return how many this window has had, this one included."""
        ...


class MemoryLimiter:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.window = -1
        self.counts: dict[str, int] = {}

    async def hit(self, key: str) -> int:
        window = int(time.time() // WINDOW)
        if window != self.window:
            self.window, self.counts = window, {}
        self.counts[key] = self.counts.get(key, 0) + 1
        return self.counts[key]


class RedisLimiter:
    def __init__(self, limit: int, url: str) -> None:
        from redis.asyncio import Redis

        self.limit = limit
        self.redis: Any = Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    async def hit(self, key: str) -> int:
        name = f"ratelimit:{int(time.time() // WINDOW)}:{key}"
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                count, _ = await pipe.incr(name).expire(name, WINDOW * 2).execute()
            return int(count)
        except Exception:
            log.warning("rate limit store unreachable; request let through", exc_info=True)
            return 0


def build_limiter(limit: int, redis_url: str | None) -> Limiter | None:
    if limit <= 0:
        return None
    return RedisLimiter(limit, redis_url) if redis_url else MemoryLimiter(limit)


async def enforce(limiter: Limiter | None, key: str) -> None:
    """429 with Retry-After (seconds to the next window) once the client has used its limit."""
    if limiter is None:
        return
    if await limiter.hit(key) > limiter.limit:
        retry = max(1, math.ceil(WINDOW - time.time() % WINDOW))
        raise TooManyRequests(
            f"More than {limiter.limit} requests in a minute from this client; retry in {retry} s.",
            headers={"Retry-After": str(retry)},
        )
