"""The organisation's settings: one reader, cached while followed, dropped when the row changes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from advocacy.core.organisation import CHANGE_CHANNEL, Organisation, organisation, read_organisation
from advocacy.db.notifications import follow_notifications
from advocacy.db.pool import Database
from advocacy.settings import Settings
from tests.eventually import eventually


@pytest.fixture
async def followed(settings: Settings, clean: None) -> AsyncIterator[Database]:
    """A pool whose organisation cache is followed, as the app's lifespan does."""
    database = await Database.connect(settings.database_url, min_size=1, max_size=2)
    cache = database.organisation
    follower = asyncio.create_task(
        follow_notifications(settings.database_url, {CHANGE_CHANNEL: cache.on_change}, [cache])
    )
    for _ in range(500):
        if cache.live:
            break
        await asyncio.sleep(0.01)
    assert cache.live
    yield database
    follower.cancel()
    await asyncio.gather(follower, return_exceptions=True)
    await database.close()


async def _read(db: Database) -> Organisation:
    async with db.connection() as conn:
        return await read_organisation(conn)


async def _settled(db: Database, expected_name: str) -> str:
    """The name the cache serves once the notification had time to arrive (bounded polling)."""
    for _ in range(500):
        found = (await organisation(db)).name
        if found == expected_name:
            return found
        await asyncio.sleep(0.01)
    return (await organisation(db)).name


async def _write_unannounced(db: Database, sql: str) -> None:
    """Change the row with triggers off: nothing notifies, so only a read of the database could see it."""
    async with db.transaction() as conn:
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute(sql)


async def test_a_cache_that_is_not_followed_reads_every_time(db: Database, clean: None) -> None:
    assert not db.organisation.live
    assert (await organisation(db)).name == ""
    await _write_unannounced(db, "INSERT INTO organisation (id, name) VALUES (1, 'Acme')")
    assert (await organisation(db)).name == "Acme"


async def test_a_followed_cache_serves_the_row_without_reading_it_again(followed: Database) -> None:
    seen = followed.organisation.changes_seen
    async with followed.transaction() as conn:
        await conn.execute("INSERT INTO organisation (id, name) VALUES (1, 'Acme')")
    # the insert's own notification must have arrived, or it could drop the copy read below (a loaded machine
    # delivers it after the first read)
    await eventually(
        lambda: asyncio.sleep(0, result=followed.organisation.changes_seen > seen),
        "the insert's notification",
    )
    assert await _settled(followed, "Acme") == "Acme"
    await _write_unannounced(followed, "UPDATE organisation SET name = 'Unseen'")
    assert (await organisation(followed)).name == "Acme"
    assert (await _read(followed)).name == "Unseen"


async def test_creating_changing_or_emptying_the_row_drops_the_cached_copy(followed: Database) -> None:
    assert (await organisation(followed)).name == ""
    async with followed.transaction() as conn:  # creating the row notifies (migration 0100)
        await conn.execute("INSERT INTO organisation (id, name) VALUES (1, 'Acme')")
    assert await _settled(followed, "Acme") == "Acme"
    async with followed.transaction() as conn:  # so does changing it (migration 0050)
        await conn.execute(
            'UPDATE organisation SET name = \'Acme SA\', settings = \'{"reach": {"currency": "USD"}}\''
        )
    assert await _settled(followed, "Acme SA") == "Acme SA"
    assert (await organisation(followed)).section("reach") == {"currency": "USD"}
    assert (await organisation(followed)).section("sharing") == {}
    async with followed.transaction() as conn:  # and emptying the table
        await conn.execute("TRUNCATE organisation")
    assert await _settled(followed, "") == ""
