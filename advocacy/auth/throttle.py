"""Sign-in throttling: failed attempts are counted per (account, client) pair and per client, never successes,
and past a free budget each further try must wait a delay that doubles with every failure (at most a
minute): a slow-down, never a lock. Someone guessing from elsewhere cannot keep the owner out.

Accounts are named by their canonical address (advocacy.core.emails) and clients by their address, both only
as keyed hashes in Redis: no raw address is stored.
"""

from __future__ import annotations

import hmac
import math
import secrets
import time
from typing import Any

from redis.asyncio import Redis

from advocacy.core.emails import canonical_email
from advocacy.core.errors import TooManyRequests
from advocacy.core.i18n import lazy_gettext

WINDOW_SECONDS = 15 * 60
FIRST_DELAY_SECONDS = 4
MAX_DELAY_SECONDS = 60
# one client (an office behind one NAT, a script spraying accounts) gets this many times the pair's budget
CLIENT_BUDGET_FACTOR = 5


def delay_after(failures: int, free: int) -> int:
    """Seconds to wait after the latest failure once `failures` are in the window: 0 within the free budget,
    then 4, 8, 16 … up to MAX_DELAY_SECONDS."""
    if failures < free:
        return 0
    return int(min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** min(failures - free, 16)))


class LoginThrottle:
    def __init__(self, redis: Redis, namespace: str, secret_key: str, attempts_per_15min: int) -> None:
        self._redis = redis
        self._prefix = f"{namespace}:login-throttle"
        self._secret = secret_key.encode()
        self._free = attempts_per_15min

    def _keys(self, email: str, client: str) -> tuple[str, str]:
        account = canonical_email(email.strip()).encode()
        pair = hmac.digest(self._secret, b"pair\0" + account + b"\0" + client.encode(), "sha256")[:16]
        alone = hmac.digest(self._secret, b"client\0" + client.encode(), "sha256")[:16]
        return f"{self._prefix}:pair:{pair.hex()}", f"{self._prefix}:client:{alone.hex()}"

    async def check(self, email: str, client: str, *, now: float | None = None) -> None:
        """Raise 429 with Retry-After while this pair (or this client) must still wait."""
        now = time.time() if now is None else now
        pair, alone = self._keys(email, client)
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in (pair, alone):
                pipe.zremrangebyscore(key, "-inf", now - WINDOW_SECONDS)
                pipe.zcard(key)
                pipe.zrevrange(key, 0, 0, withscores=True)
            replies: list[Any] = await pipe.execute()
        wait = 0.0
        for (count, latest), free in (
            ((replies[1], replies[2]), self._free),
            ((replies[4], replies[5]), self._free * CLIENT_BUDGET_FACTOR),
        ):
            delay = delay_after(int(count), free)
            if delay and latest:
                wait = max(wait, latest[0][1] + delay - now)
        if wait > 0:
            raise TooManyRequests(
                lazy_gettext("Too many sign-in attempts; wait before trying again"),
                retry_after=max(1, math.ceil(wait)),
            )

    async def failed(self, email: str, client: str, *, now: float | None = None) -> None:
        now = time.time() if now is None else now
        member = f"{now:.6f}:{secrets.token_hex(4)}"
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in self._keys(email, client):
                pipe.zadd(key, {member: now})
                pipe.expire(key, WINDOW_SECONDS)
            await pipe.execute()

    async def succeeded(self, email: str, client: str) -> None:
        """The right password: this pair starts afresh (a success is never counted against anyone)."""
        await self._redis.delete(self._keys(email, client)[0])


def login_throttle(state: Any) -> LoginThrottle:
    """The throttle over this app's Redis and settings (cheap: it holds no connection of its own)."""
    settings = state.settings
    return LoginThrottle(
        state.redis, settings.redis_namespace, settings.secret_key, settings.login_attempts_per_15min
    )
