"""Rate limits on Redis through the `limits` library (moving windows shared by every replica)."""

from __future__ import annotations

import math
import time

from limits import parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter

from advocacy.core.errors import TooManyRequests


def limits_uri(redis_url: str) -> str:
    if redis_url.startswith("unix://"):
        return "async+redis+unix://" + redis_url[len("unix://") :]
    return "async+" + redis_url


class RateLimiter:
    def __init__(self, redis_url: str, namespace: str) -> None:
        self._storage = RedisStorage(
            limits_uri(redis_url), implementation="redispy", key_prefix=f"{namespace}:limits"
        )
        self._limiter = MovingWindowRateLimiter(self._storage)

    async def hit(self, rule: str, *identifiers: str, message: str) -> None:
        """Count one hit; raise TooManyRequests (with Retry-After) once the rule, e.g. '10/15minutes', is spent."""
        item = parse(rule)
        if not await self._limiter.hit(item, *identifiers):
            stats = await self._limiter.get_window_stats(item, *identifiers)
            retry_after = max(1, math.ceil(stats.reset_time - time.time()))
            raise TooManyRequests(message, retry_after=retry_after)

    async def clear(self, rule: str, *identifiers: str) -> None:
        await self._limiter.clear(parse(rule), *identifiers)

    async def close(self) -> None:
        # The storage keeps a connection pool; dropping the reference is how `limits` expects it to go.
        return None
