"""A new active version reaches every running process by notification, without a restart (the periodic
recheck is only the fallback); each version is compiled once per process.

The waits are on what the process saw, bounded generously, never on wall-clock figures: a loaded CI machine
delays everything, and a notification that never comes still fails the test.
"""

from __future__ import annotations

import asyncio
from typing import Any

from advocacy.charter.cache import CharterCache, follow_charter_activations
from advocacy.charter.schemas import CharterRead
from advocacy.db.pool import Database
from advocacy.settings import Settings
from tests.eventually import eventually
from tests.factories import Factory
from tests.integration.charter.conftest import CHECK, default_rules

TEXT = {
    "text": "Nous avons battu Vexora ce trimestre ! #collaborateur",
    "network": "linkedin",
    "language": "fr",
}


async def test_a_running_app_checks_with_a_newly_activated_version_by_notification(
    client: Any, factory: Factory, in_force: CharterRead
) -> None:
    ambassador = await factory.person("employee", ambassador=True)
    cache: CharterCache = client.app.state.charters
    cache.recheck_seconds = 3600  # only the notification can bring the new version in
    await eventually(lambda: asyncio.sleep(0, result=cache.live), "the app listening for activations")
    before = (await client.post(CHECK, json=TEXT, headers=ambassador.headers)).json()
    assert (before["charter_version"], before["decision"]) == (in_force.version, "review")
    rules = default_rules()
    rules["term_lists"] = [t for t in rules["term_lists"] if t["name"] != "competitors"]
    newer = await factory.charter(rules=rules)  # activated by another process, as far as the app knows

    async def checks_with_newer() -> bool:
        after = (await client.post(CHECK, json=TEXT, headers=ambassador.headers)).json()
        return bool(after["charter_version"] == newer.version and after["decision"] == "allow")

    await eventually(checks_with_newer, "the newly activated version in the app's checks")


async def test_a_notification_alone_brings_the_new_version_in_at_once(
    settings: Settings, db: Database, factory: Factory, in_force: CharterRead
) -> None:
    cache = CharterCache(recheck_seconds=3600)  # the once-a-second fallback is out of the picture
    async with db.connection() as conn:
        assert (await cache.active(conn)).version == in_force.version
    follower = asyncio.create_task(follow_charter_activations(settings.database_url, cache, db))
    try:
        await eventually(lambda: asyncio.sleep(0, result=cache.live), "the listener connected")
        newer = await factory.charter(rules=default_rules())

        async def has_newer() -> bool:  # as requests would ask
            return (await cache.active_from(db)).version == newer.version

        await eventually(has_newer, "the new version by notification")
    finally:
        follower.cancel()
        await asyncio.gather(follower, return_exceptions=True)


async def test_without_notifications_the_recheck_still_finds_the_new_version(
    db: Database, factory: Factory, in_force: CharterRead
) -> None:
    cache = CharterCache(recheck_seconds=3600)
    assert (await cache.active_from(db)).version == in_force.version
    newer = await factory.charter(rules=default_rules())
    assert (await cache.active_from(db)).version == in_force.version  # not rechecked yet, nobody told it
    cache.recheck_seconds = 0  # the recheck is due: the next request asks the database
    assert (await cache.active_from(db)).version == newer.version


async def test_a_version_is_compiled_once_however_many_checks_use_it(
    db: Database, factory: Factory, in_force: CharterRead
) -> None:
    cache = CharterCache(recheck_seconds=0)  # asks the database every time, yet compiles once
    versions = await asyncio.gather(*(cache.active_from(db) for _ in range(20)))
    assert {v.version for v in versions} == {in_force.version}
    assert len({id(v.charter) for v in versions}) == 1
    assert cache.compilations == 1


async def test_the_worker_starts_with_a_charter_cache_that_follows_activations(
    settings: Settings, clean: None
) -> None:
    from workers.settings import build_worker

    worker = build_worker(settings, handlers={}, burst=True, relay=False, handle_signals=False)
    ctx: dict[str, Any] = {}
    assert worker.on_startup is not None and worker.on_shutdown is not None
    await worker.on_startup(ctx)
    try:
        assert isinstance(ctx["charters"], CharterCache)
        await eventually(lambda: asyncio.sleep(0, result=ctx["charters"].live), "the worker's listener")
    finally:
        await worker.on_shutdown(ctx)
        await worker.close()
    assert ctx["charter_follower"].done()
