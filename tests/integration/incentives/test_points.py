"""The points rules through award(): per network, caps, diminishing returns, streaks, opt-out, holds,
reversals, and idempotency of every kind of award."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
import pytest

from advocacy.incentives.ledger import queries
from advocacy.incentives.ledger.service import award
from advocacy.incentives.rules import queries as rules_queries
from advocacy.incentives.rules.schemas import PointsRules
from tests.factories import Factory
from tests.integration.incentives._events import NOON, event


async def _balance(conn: asyncpg.Connection, person_id: int) -> int:
    return await queries.ledger_balance(conn, person_id)


async def test_a_published_share_earns_the_network_points_once_however_often_it_is_replayed(
    factory: Factory, conn: asyncpg.Connection
) -> None:
    ann = await factory.person(ambassador=True, password=None)
    share = event("share_published", ann.person_id, idempotency_key="share:1:item:7:linkedin")
    first = await award(conn, [share, share])
    again = await award(conn, [share])
    assert [e.points for e in first] == [10]
    assert again == []
    assert await _balance(conn, ann.person_id) == 10


async def test_a_facebook_share_earns_nothing_and_says_why(
    factory: Factory, conn: asyncpg.Connection
) -> None:
    ann = await factory.person(ambassador=True, password=None)
    [entry] = await award(conn, [event("share_published", ann.person_id, network="facebook")])
    assert entry.points == 0
    assert entry.reason_code == "network_not_rewarded"


async def test_someone_who_is_not_an_ambassador_earns_nothing(
    factory: Factory, conn: asyncpg.Connection
) -> None:
    never = await factory.person(password=None)
    assert await award(conn, [event("share_published", never.person_id)]) == []
    assert await _balance(conn, never.person_id) == 0


async def test_an_opted_out_ambassador_earns_nothing(factory: Factory, conn: asyncpg.Connection, db) -> None:  # type: ignore[no-untyped-def]
    from advocacy.ambassadors.service import opt_out

    ann = await factory.person(ambassador=True, password=None)
    await opt_out(db, ann.principal)
    assert await award(conn, [event("click", ann.person_id, quantity=5)]) == []


async def test_repeated_shares_in_a_day_earn_less_and_less(
    factory: Factory, conn: asyncpg.Connection
) -> None:
    ann = await factory.person(ambassador=True, password=None)
    shares = [
        event("share_published", ann.person_id, occurred_at=NOON + timedelta(minutes=i)) for i in range(6)
    ]
    entries = await award(conn, shares)
    assert [e.points for e in entries] == [10, 10, 5, 2, 0, 0]  # factors 1, 1, .5, .25, 0 (last repeats)
    assert entries[2].reason_code == "share_diminished"


async def test_the_next_day_starts_again_at_full_points(factory: Factory, conn: asyncpg.Connection) -> None:
    ann = await factory.person(ambassador=True, password=None)
    await award(
        conn,
        [event("share_published", ann.person_id, occurred_at=NOON + timedelta(minutes=i)) for i in range(4)],
    )
    [entry] = await award(
        conn, [event("share_published", ann.person_id, occurred_at=NOON + timedelta(days=1))]
    )
    assert entry.points == 10


async def test_the_daily_cap_stops_points_for_the_day(factory: Factory, conn: asyncpg.Connection) -> None:
    ann = await factory.person(ambassador=True, password=None)
    entries = await award(conn, [event("engagement", ann.person_id, quantity=60) for _ in range(3)])
    assert [e.points for e in entries] == [120, 80, 0]  # 2 points each, daily cap 200
    assert entries[2].reason_code == "daily_cap_reached"


async def test_click_points_are_capped_per_share(factory: Factory, conn: asyncpg.Connection) -> None:
    ann = await factory.person(ambassador=True, password=None)
    clicks = [event("click", ann.person_id, source_id=900, quantity=30) for _ in range(2)]
    entries = await award(conn, clicks)
    assert [e.points for e in entries] == [30, 20]
    assert entries[1].reason_code == "click_cap_reached"


async def test_click_points_are_capped_per_day_across_shares(
    factory: Factory, conn: asyncpg.Connection
) -> None:
    ann = await factory.person(ambassador=True, password=None)
    entries = await award(
        conn, [event("click", ann.person_id, source_id=900 + i, quantity=45) for i in range(3)]
    )
    assert [e.points for e in entries] == [45, 45, 10]


async def test_rules_are_versioned_and_each_row_records_its_version(
    factory: Factory, conn: asyncpg.Connection
) -> None:
    ann = await factory.person(ambassador=True, password=None)
    [before] = await award(conn, [event("share_published", ann.person_id)])
    await rules_queries.insert_rules(conn, PointsRules(share_factors=[1.0]), "double shares", None)
    rules = await rules_queries.current_rules(conn)
    assert rules is not None and rules.version == 1
    assert before.rule_version == 0


async def test_a_campaign_multiplies_the_points(factory: Factory, conn: asyncpg.Connection) -> None:
    ann = await factory.person(ambassador=True, password=None)
    campaign = await conn.fetchval(
        "INSERT INTO campaigns (slug, name, points_multiplier) VALUES ('launch', 'Launch', 3) RETURNING id"
    )
    [entry] = await award(conn, [event("share_published", ann.person_id, campaign_id=campaign)])
    assert entry.points == 30


async def test_sharing_in_n_consecutive_weeks_earns_the_streak_bonus_once(
    factory: Factory, conn: asyncpg.Connection
) -> None:
    ann = await factory.person(ambassador=True, password=None)
    weeks = [
        event("share_published", ann.person_id, occurred_at=NOON - timedelta(weeks=3 - i)) for i in range(4)
    ]
    entries = await award(conn, weeks[:3])
    assert all(e.kind == "share_published" for e in entries)
    entries = await award(conn, [weeks[3]])
    assert [(e.kind, e.points) for e in entries] == [("share_published", 10), ("streak_bonus", 50)]
    extra = await award(
        conn, [event("share_published", ann.person_id, occurred_at=NOON + timedelta(hours=1))]
    )
    assert [e.kind for e in extra] == ["share_published"]


async def test_a_reversal_takes_back_what_the_share_earned_once(
    factory: Factory, conn: asyncpg.Connection
) -> None:
    ann = await factory.person(ambassador=True, password=None)
    await award(
        conn,
        [
            event("share_published", ann.person_id, source_id=55),
            event("click", ann.person_id, source_id=55, quantity=7),
        ],
    )
    undo = event("reversal", ann.person_id, source_id=55, idempotency_key="reversal:share:55")
    [entry] = await award(conn, [undo])
    assert entry.points == -17
    assert await award(conn, [undo]) == []
    assert [
        e.points for e in await award(conn, [event("click", ann.person_id, source_id=55, quantity=3)])
    ] == [0]
    assert await _balance(conn, ann.person_id) == 0


async def test_the_ledger_refuses_edits_and_deletes(factory: Factory, conn: asyncpg.Connection) -> None:
    ann = await factory.person(ambassador=True, password=None)
    await award(conn, [event("share_published", ann.person_id)])
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with conn.transaction():
            await conn.execute("UPDATE points_ledger SET points = 1000")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with conn.transaction():
            await conn.execute("DELETE FROM points_ledger")


async def test_the_account_balance_always_equals_the_ledger_sum(
    factory: Factory, conn: asyncpg.Connection
) -> None:
    ann = await factory.person(ambassador=True, password=None)
    await award(conn, [event("share_published", ann.person_id), event("click", ann.person_id, quantity=4)])
    await award(conn, [event("kudos", ann.person_id, points=25, reason="Great talk", source_type="kudos")])
    account = (await queries.accounts_of(conn, [ann.person_id]))[ann.person_id]
    assert account.balance == await _balance(conn, ann.person_id) == 39


@pytest.mark.parametrize(
    "kind", ["share_published", "click", "engagement", "kudos", "streak_bonus", "reversal", "challenge"]
)
async def test_every_kind_of_award_is_written_once_per_key(
    kind: str, factory: Factory, conn: asyncpg.Connection
) -> None:
    ann = await factory.person(ambassador=True, password=None)
    await award(conn, [event("share_published", ann.person_id, source_id=31)])
    one = event(kind, ann.person_id, source_id=31, points=5, idempotency_key=f"once:{kind}")
    await award(conn, [one])
    await award(conn, [one, one])
    count = await conn.fetchval(
        "SELECT count(*) FROM points_ledger WHERE idempotency_key = $1", f"once:{kind}"
    )
    assert count == 1
