"""Engagement points: the metric polling cron turns a direct share's new likes, comments and reposts
into point events through the outbox, keyed by the cumulative count reached, and the award job prices
them with the rules (per engagement, caps, campaign multiplier, networks that earn nothing, opt-out)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from redis.asyncio import Redis

from advocacy.ambassadors.service import opt_out
from advocacy.connectors.crypto import TokenCipher
from advocacy.connectors.publishing import Publisher
from advocacy.connectors.registry import Registry
from advocacy.db.pool import Database
from advocacy.incentives.ledger.service import award
from advocacy.incentives.rules import queries as rules_queries
from advocacy.incentives.rules.schemas import PointsRules
from advocacy.reach.service import poll_metrics
from advocacy.settings import Settings
from tests.factories import Factory, Someone
from tests.integration.connectors.conftest import Fakes, connect, direct_share
from tests.integration.incentives._events import event
from tests.integration.jobs import run_pending
from workers.jobs.incentives import award as award_job

NOW = datetime.now(UTC)


async def nothing(_: float) -> None:
    return None


async def published_on_x(db: Database, registry: Registry, cipher: TokenCipher, someone: Someone) -> int:
    await connect(db, registry, cipher, someone, "x")
    share_id = await direct_share(db, someone, "x")
    async with db.transaction() as conn:
        assert (
            await Publisher(db, registry, cipher, None, sleep=nothing).publish(conn, share_id) == "published"
        )
    return share_id


async def run_awards(db: Database, redis: Redis, settings: Settings) -> int:
    return await run_pending(db, redis, settings, "incentives.award")


async def engagement_rows(db: Database, person_id: int) -> list[tuple[int, int, str]]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT quantity, points, reason_code FROM points_ledger WHERE person_id = $1 AND kind = 'engagement'"
            " ORDER BY id",
            person_id,
        )
    return [(r["quantity"], r["points"], r["reason_code"]) for r in rows]


async def poll(
    db: Database, registry: Registry, cipher: TokenCipher, fakes: Fakes, hours: int, **metrics: int
) -> None:
    await poll_at(db, registry, cipher, fakes, NOW + timedelta(hours=hours), **metrics)


async def poll_at(
    db: Database, registry: Registry, cipher: TokenCipher, fakes: Fakes, at: datetime, **metrics: int
) -> None:
    tweet = fakes.x.posts[0]["id"]
    fakes.x.metrics[tweet] = {"likes": 0, "comments": 0, "reposts": 0, "impressions": 100, **metrics}
    assert await poll_metrics(db, registry, cipher, now=at) == 1


async def test_new_engagements_between_snapshots_earn_points_once_however_often_replayed(
    db: Database, registry: Registry, cipher: TokenCipher, factory: Factory, fakes: Fakes, redis: Redis,
    settings: Settings,
) -> None:  # fmt: skip
    alice = await factory.person("employee", ambassador=True)
    share_id = await published_on_x(db, registry, cipher, alice)
    await poll(db, registry, cipher, fakes, 0, likes=3, comments=1, reposts=2)
    await poll(db, registry, cipher, fakes, 2, likes=5, comments=1, reposts=2)
    # an unlike, then the count comes back: nothing is paid twice
    await poll(db, registry, cipher, fakes, 4, likes=4, comments=1, reposts=2)
    await poll(db, registry, cipher, fakes, 6, likes=5, comments=1, reposts=2)
    await poll(db, registry, cipher, fakes, 8, likes=5, comments=2, reposts=2)
    await run_awards(db, redis, settings)  # the published share's points, then the engagements'
    assert await engagement_rows(db, alice.person_id) == [
        (6, 12, "engagement"),
        (2, 4, "engagement"),
        (1, 2, "engagement"),
    ]
    async with db.connection() as conn:
        keys = await conn.fetch(
            "SELECT idempotency_key FROM points_ledger WHERE kind = 'engagement' ORDER BY id"
        )
        args = await conn.fetch("SELECT args FROM outbox WHERE job = 'incentives.award' ORDER BY id")
    assert [k["idempotency_key"] for k in keys] == [f"engagement:share:{share_id}:{n}" for n in (6, 8, 9)]
    # the award jobs run again (a duplicate delivery, a retry): nothing more
    ctx: dict[str, Any] = {"redis": redis, "settings": settings}
    for row in args:
        async with db.transaction() as conn:
            await award_job(conn, row["args"], ctx)
    assert len(await engagement_rows(db, alice.person_id)) == 3
    async with db.connection() as conn:
        engaged = await conn.fetchval(
            "SELECT sum(points) FROM points_ledger WHERE person_id = $1 AND kind = 'engagement'",
            alice.person_id,
        )
    assert engaged == 18
    board = await redis.zscore(f"{settings.redis_namespace}:board:all:org", str(alice.person_id))
    assert board is not None


async def test_engagement_points_are_capped_and_multiplied_by_the_campaign(
    db: Database, registry: Registry, cipher: TokenCipher, factory: Factory, fakes: Fakes, redis: Redis,
    settings: Settings,
) -> None:  # fmt: skip
    alice = await factory.person("employee", ambassador=True)
    share_id = await published_on_x(db, registry, cipher, alice)
    async with db.transaction() as conn:
        await rules_queries.insert_rules(conn, PointsRules(daily_cap=40), "tight cap", None)
        campaign = await conn.fetchval(
            "INSERT INTO campaigns (slug, name, points_multiplier) VALUES ('launch', 'Launch', 2) RETURNING id"
        )
        await conn.execute(
            "UPDATE content_items SET campaign_id = $1 WHERE id = (SELECT content_item_id FROM shares WHERE id = $2)",
            campaign,
            share_id,
        )
    # both polls on one UTC day, not the share's (polled every 6 hours after its first day)
    tomorrow = (NOW + timedelta(days=1)).replace(hour=1, minute=0, second=0, microsecond=0)
    await poll_at(db, registry, cipher, fakes, tomorrow, likes=5)
    await poll_at(db, registry, cipher, fakes, tomorrow + timedelta(hours=7), likes=40)
    await run_awards(db, redis, settings)
    # 5 × 2 points × 2 (campaign) = 20; then 35 × 4 = 140, cut to the 20 the daily cap of 40 leaves
    assert await engagement_rows(db, alice.person_id) == [
        (5, 20, "engagement"),
        (35, 20, "daily_cap_reached"),
    ]


async def test_no_engagement_points_while_opted_out_nor_for_what_came_in_meanwhile(
    db: Database, registry: Registry, cipher: TokenCipher, factory: Factory, fakes: Fakes, redis: Redis,
    settings: Settings,
) -> None:  # fmt: skip
    alice = await factory.person("employee", ambassador=True)
    await published_on_x(db, registry, cipher, alice)
    await poll(db, registry, cipher, fakes, 0, likes=2)
    await opt_out(db, alice.principal)
    # her account is revoked by the opt-out job; were a poll to run first, it would award nothing
    await poll(db, registry, cipher, fakes, 2, likes=10)
    async with db.connection() as conn:
        await conn.execute("UPDATE ambassadors SET status = 'opted_in' WHERE person_id = $1", alice.person_id)
    await poll(db, registry, cipher, fakes, 4, likes=11)
    await run_awards(db, redis, settings)
    # 2 before the opt-out; the 8 that came while opted out never; 1 after coming back
    assert await engagement_rows(db, alice.person_id) == [(2, 4, "engagement"), (1, 2, "engagement")]


async def test_engagements_on_facebook_earn_nothing(factory: Factory, db: Database) -> None:
    alice = await factory.person("employee", ambassador=True)
    async with db.transaction() as conn:
        [entry] = await award(conn, [event("engagement", alice.person_id, network="facebook", quantity=9)])
        assert (entry.points, entry.reason_code) == (0, "network_not_rewarded")
