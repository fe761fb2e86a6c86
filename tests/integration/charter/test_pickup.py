"""A new active version is used by every running process within a second, without a restart; each version
is compiled once per process.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from advocacy.charter.cache import CharterCache, follow_charter_activations
from advocacy.charter.schemas import CharterRead
from advocacy.db.pool import Database
from advocacy.settings import Settings
from tests.factories import Factory
from tests.integration.charter.conftest import CHECK, default_rules

TEXT = {
    "text": "Nous avons battu Vexora ce trimestre ! #collaborateur",
    "network": "linkedin",
    "language": "fr",
}


async def test_a_running_app_checks_with_a_newly_activated_version_within_a_second(
    client: Any, factory: Factory, in_force: CharterRead
) -> None:
    ambassador = await factory.person("employee", ambassador=True)
    before = (await client.post(CHECK, json=TEXT, headers=ambassador.headers)).json()
    assert (before["charter_version"], before["decision"]) == (in_force.version, "review")
    rules = default_rules()
    rules["term_lists"] = [t for t in rules["term_lists"] if t["name"] != "competitors"]
    newer = await factory.charter(rules=rules)  # activated by another process, as far as the app knows
    activated = time.monotonic()
    while True:
        after = (await client.post(CHECK, json=TEXT, headers=ambassador.headers)).json()
        if after["charter_version"] == newer.version:
            break
        assert time.monotonic() - activated < 1.0, "the new version was not picked up within a second"
        await asyncio.sleep(0.02)
    assert after["decision"] == "allow"


async def test_a_notification_alone_brings_the_new_version_in_at_once(
    settings: Settings, db: Database, factory: Factory, in_force: CharterRead
) -> None:
    cache = CharterCache(recheck_seconds=3600)  # the once-a-second fallback is out of the picture
    async with db.connection() as conn:
        assert (await cache.active(conn)).version == in_force.version
    follower = asyncio.create_task(follow_charter_activations(settings.database_url, cache, db))
    try:
        async with asyncio.timeout(5):
            while not cache.live:  # noqa: ASYNC110 - bounded wait for the listener to connect
                await asyncio.sleep(0.01)
        newer = await factory.charter(rules=default_rules())
        activated = time.monotonic()
        async with asyncio.timeout(1):
            while (await cache.active_from(db)).version != newer.version:  # noqa: ASYNC110 - as requests would ask
                await asyncio.sleep(0.01)
        assert time.monotonic() - activated < 1.0
    finally:
        follower.cancel()
        await asyncio.gather(follower, return_exceptions=True)


async def test_without_notifications_the_recheck_still_finds_the_new_version(
    db: Database, factory: Factory, in_force: CharterRead
) -> None:
    cache = CharterCache(recheck_seconds=0.05)
    assert (await cache.active_from(db)).version == in_force.version
    newer = await factory.charter(rules=default_rules())
    await asyncio.sleep(0.06)
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
        async with asyncio.timeout(5):
            while not ctx["charters"].live:  # noqa: ASYNC110 - bounded wait for the listener to connect
                await asyncio.sleep(0.01)
    finally:
        await worker.on_shutdown(ctx)
        await worker.close()
    assert ctx["charter_follower"].done()
