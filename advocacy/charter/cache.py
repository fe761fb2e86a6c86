"""Compiled charter versions cached per process, and how a process learns that another version is in force.

Each version is compiled once. The active version is learnt from PostgreSQL's `charter_activated`
notifications (a dedicated connection, see `follow_charter_activations`) and, in case one is missed, by
re-reading it at most once a second: a new version is in use in every process within a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import asyncpg
import msgspec
from cachetools import LRUCache

from advocacy.charter import queries
from advocacy.charter.engine import CompiledCharter, compile_charter
from advocacy.charter.rules import CharterRules
from advocacy.core.errors import NotFound
from advocacy.core.i18n import lazy_gettext
from advocacy.db.notifications import follow_notifications
from advocacy.db.pool import Database

log = logging.getLogger("advocacy.charter")
CHANNEL = "charter_activated"


class CompiledVersion:
    """A compiled charter version and the `charters.id` verdicts made with it point at."""

    __slots__ = ("charter", "charter_id", "version")

    def __init__(self, charter_id: int, charter: CompiledCharter) -> None:
        self.charter_id = charter_id
        self.version = charter.version
        self.charter = charter


class CompiledVersions(LRUCache[int, CompiledVersion]):
    """The few compiled versions last used (cachetools' LRU); the active one is never the one dropped."""

    def __init__(self, maxsize: int, locks: dict[int, asyncio.Lock]) -> None:
        super().__init__(maxsize)
        self.active_version: int | None = None
        self._locks = locks

    def popitem(self) -> tuple[int, CompiledVersion]:
        key, value = super().popitem()
        if key == self.active_version and len(self) > 0:
            dropped = super().popitem()
            self[key] = value  # back as the most recently used: there is room for it now
            key, value = dropped
        self._locks.pop(key, None)
        return key, value


class CharterCache:
    """Per-process: compiled versions (the few last used) and which one is active.

    `recheck_seconds` bounds how stale the active version may be if a notification is lost.
    """

    def __init__(self, *, recheck_seconds: float = 1.0, keep_versions: int = 4) -> None:
        self.recheck_seconds = recheck_seconds
        self.keep_versions = keep_versions
        self.live = False  # whether a listener currently follows activations
        self._locks: dict[int, asyncio.Lock] = {}
        self._compiled = CompiledVersions(keep_versions, self._locks)
        self._active_version: int | None = None
        self._checked_at = float("-inf")
        self.compilations = 0  # how many times a version was compiled in this process (for tests and metrics)

    def forget_active(self) -> None:
        """The next read asks the database which version is active (a notification arrived, or was missed)."""
        self._checked_at = float("-inf")

    async def active(self, conn: asyncpg.Connection) -> CompiledVersion:
        """The version in force, compiled; reads the active version from `conn` at most once a second."""
        if self._needs_recheck():
            await self._recheck(conn)
        version = self._active_version
        if version is None:
            raise NotFound(lazy_gettext("No charter is active yet: compliance must activate one"))
        return await self.version(conn, version)

    async def active_from(self, db: Database) -> CompiledVersion:
        """As `active`, taking a pooled connection only when the database must be asked."""
        version = self._active_version
        if not self._needs_recheck() and version is not None:
            cached = self._compiled.get(version)  # a read marks it as the most recently used
            if cached is not None:
                return cached
        async with db.connection() as conn:
            return await self.active(conn)

    async def version(self, conn: asyncpg.Connection, version: int) -> CompiledVersion:
        """Any version (draft, active or retired), compiled once; raises NotFound for an unknown one."""
        cached = self._compiled.get(version)
        if cached is not None:
            return cached
        lock = self._locks.setdefault(version, asyncio.Lock())
        async with lock:
            cached = self._compiled.get(version)
            if cached is not None:
                return cached
            found = await queries.charter_id_and_rules(conn, version)
            if found is None:
                raise NotFound(lazy_gettext("There is no charter version %(version)s", version=version))
            charter_id, raw = found
            # Rules were validated when the version was written; a large list takes a while: off the loop.
            rules = await asyncio.to_thread(_rules_of, raw)
            charter = await asyncio.to_thread(compile_charter, rules, version=version)
            compiled = CompiledVersion(charter_id, charter)
            self.compilations += 1
            self._compiled.active_version = self._active_version
            self._compiled[version] = compiled
        return compiled

    async def refresh(self, db: Database) -> None:
        """Learn the active version now and compile it, so the next check does not pay for compiling."""
        self.forget_active()
        async with db.connection() as conn:
            with contextlib.suppress(NotFound):
                await self.active(conn)

    def _needs_recheck(self) -> bool:
        return time.monotonic() - self._checked_at >= self.recheck_seconds

    async def _recheck(self, conn: asyncpg.Connection) -> None:
        # Stamped before asking, so concurrent requests do not all ask at once.
        self._checked_at = time.monotonic()
        found = await queries.active_charter_id_and_version(conn)
        self._active_version = found[1] if found else None


def _rules_of(raw: object) -> CharterRules:
    return msgspec.convert(raw, CharterRules)


class _Follower:
    """What follow_notifications sees of the charter cache: while it cannot listen the cache is not live, and
    after any gap (a reconnect) the active version is learned again, since an activation may have been missed."""

    def __init__(self, cache: CharterCache, wake: asyncio.Event) -> None:
        self._cache = cache
        self._wake = wake
        self.reconnected = False

    @property
    def live(self) -> bool:
        return self._cache.live

    @live.setter
    def live(self, value: bool) -> None:
        self._cache.live = value

    def clear(self) -> None:
        self._cache.forget_active()
        self.reconnected = True
        self._wake.set()


REFRESH_TRIES = 3


async def follow_charter_activations(dsn: str, cache: CharterCache, db: Database) -> None:
    """Runs for the life of the process: on each activation, learn and compile the new version at once."""
    wake = asyncio.Event()
    follower = _Follower(cache, wake)

    async def refresh_when_woken() -> None:
        while True:
            await wake.wait()
            wake.clear()
            if follower.reconnected:
                # The listener came back: PostgreSQL may have restarted under the pool, whose idle connections
                # are then broken and fail their next use (asyncpg then reports "another operation is in
                # progress" on them). Replaced on their next acquire, as asyncpg's docs advise after a restart.
                follower.reconnected = False
                await db.pool.expire_connections()
            for attempt in range(REFRESH_TRIES):
                try:
                    await cache.refresh(db)
                    break
                except Exception as exc:  # the once-a-second recheck still catches up
                    if attempt == REFRESH_TRIES - 1:
                        log.warning("cannot load the active charter", extra={"error": repr(exc)})
                    else:
                        await asyncio.sleep(0.2 * (attempt + 1))

    refresher = asyncio.create_task(refresh_when_woken())
    try:
        await follow_notifications(dsn, {CHANNEL: lambda _payload: wake.set()}, [follower])
    finally:
        refresher.cancel()
        await asyncio.gather(refresher, return_exceptions=True)
