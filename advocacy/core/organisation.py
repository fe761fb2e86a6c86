"""The organisation's row (its name and settings): the one query that reads it, and the per-pool cache
every domain reads it through, dropped by the content_changed notification (migrations 0050 and 0100)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import asyncpg
import msgspec
from cachetools import TTLCache

if TYPE_CHECKING:
    from advocacy.db.pool import Database

# The trigger on the organisation table notifies this channel with the table's name.
CHANGE_CHANNEL = "content_changed"
CHANGE_PAYLOAD = "organisation"
# A bound on staleness should a notification ever be lost without the connection dropping.
SAFETY_SECONDS = 300.0


class Organisation(msgspec.Struct, frozen=True, kw_only=True):
    """The organisation's name and its settings (a JSON object, one key per domain: 'reach', 'sharing'...)."""

    name: str = ""
    settings: dict[str, Any] = msgspec.field(default_factory=dict)

    def section(self, key: str) -> dict[str, Any]:
        """One domain's settings object; {} when absent or not an object."""
        value = self.settings.get(key)
        return value if isinstance(value, dict) else {}


async def read_organisation(conn: asyncpg.Connection, *, for_update: bool = False) -> Organisation:
    """The organisation's row as it is now in this transaction (locked with for_update); empty if none."""
    row = await conn.fetchrow(
        "SELECT name, settings FROM organisation WHERE id = 1" + (" FOR UPDATE" if for_update else "")
    )
    if row is None:
        return Organisation()
    settings = row["settings"]
    return Organisation(name=row["name"] or "", settings=settings if isinstance(settings, dict) else {})


async def merge_settings(conn: asyncpg.Connection, values: dict[str, Any]) -> None:
    """Set these top-level keys of the organisation's settings (creating its row if need be), leaving the
    other keys as they are; the change notification drops every cached copy on commit."""
    await conn.execute(
        "INSERT INTO organisation (id, name, settings) VALUES (1, 'Organisation', $1::jsonb)"
        " ON CONFLICT (id) DO UPDATE SET settings = organisation.settings || $1::jsonb, updated_at = now()",
        values,
    )


class OrganisationCache:
    """The organisation's row, cached while the app follows change notifications (`live`).

    A cache that is not live (a worker, or while the notification connection is down) reads every time.
    A read that overlaps a change is not stored, so a notification can never be overtaken by a stale row.
    """

    def __init__(self) -> None:
        self.live = False
        self._entries: TTLCache[int, Organisation] = TTLCache(maxsize=1, ttl=SAFETY_SECONDS)
        self._generation = 0

    async def get(self, db: Database, conn: asyncpg.Connection | None = None) -> Organisation:
        """From the cache, else read on `conn` (a caller inside a transaction passes its own) or the pool."""
        if self.live:
            cached = self._entries.get(1)
            if cached is not None:
                return cached
        generation = self._generation
        if conn is not None:
            organisation = await read_organisation(conn)
        else:
            async with db.connection() as acquired:
                organisation = await read_organisation(acquired)
        if self.live and generation == self._generation:
            self._entries[1] = organisation
        return organisation

    @property
    def changes_seen(self) -> int:
        """How many changes (notifications, clears) this cache has seen: a reader that wrote can wait on it."""
        return self._generation

    def clear(self) -> None:
        self._generation += 1
        self._entries.clear()

    def on_change(self, payload: str) -> None:
        if payload == CHANGE_PAYLOAD:
            self.clear()


async def organisation(db: Database, conn: asyncpg.Connection | None = None) -> Organisation:
    """The organisation's name and settings, from this database's cache when it is live; a caller holding
    a connection passes it, so that a miss reads on it rather than taking a second one from the pool."""
    return await db.organisation.get(db, conn)
