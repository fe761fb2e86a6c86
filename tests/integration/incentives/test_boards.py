"""Leaderboards in Redis: written as points are, rebuilt identically from the ledger, read with each
person's visibility, and emptied of a person who opts out."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from typing import Any

import asyncpg
from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from advocacy.ambassadors.schemas import VisibilityChange
from advocacy.ambassadors.service import change_visibility, opt_out
from advocacy.db.pool import Database
from advocacy.incentives.boards import service as boards
from advocacy.incentives.boards.scores import board_key, decode_score
from advocacy.incentives.ledger.service import award_and_rank
from advocacy.settings import Settings
from tests.factories import Factory
from tests.integration.incentives._events import NOON, event
from tests.integration.jobs import run_pending
from workers.jobs.ambassadors import opted_in_again, opted_out


async def _all_boards(redis: Redis, namespace: str) -> dict[str, list[tuple[str, float]]]:
    keys = sorted([k.decode() async for k in redis.scan_iter(match=f"{namespace}:board:*")])
    return {k: await boards.board_snapshot(redis, k) for k in keys}


async def test_a_rebuild_from_the_ledger_gives_exactly_the_same_boards(
    factory: Factory, conn: asyncpg.Connection, redis: Redis, settings: Settings
) -> None:
    ns = settings.redis_namespace
    people = [
        await factory.person(ambassador=True, password=None, team=t) for t in ("Sales", "Sales", "Ops", None)
    ]
    rng = random.Random(7)
    kinds = ["share_published", "click", "engagement", "kudos"]
    for batch in range(6):
        events = [
            event(
                rng.choice(kinds),
                rng.choice(people).person_id,
                quantity=rng.randint(1, 5),
                points=rng.randint(1, 9),
                campaign_id=rng.choice([None, 5]),
                source_id=rng.randint(1, 6),
                occurred_at=NOON + timedelta(days=rng.randint(-40, 40), minutes=batch),
            )
            for _ in range(15)
        ]
        await award_and_rank(conn, redis, ns, events)
    await award_and_rank(conn, redis, ns, [event("reversal", people[0].person_id, source_id=3)])
    incremental = await _all_boards(redis, ns)
    assert any(":team:" in k for k in incremental) and any(":campaign:5" in k for k in incremental)
    await redis.zadd(board_key(ns, "all", "org"), {"999999": 1.0})  # drift the rebuild must correct
    await boards.rebuild(conn, redis, ns)
    assert await _all_boards(redis, ns) == incremental


async def test_a_replayed_batch_does_not_move_the_boards(
    factory: Factory, conn: asyncpg.Connection, redis: Redis, settings: Settings
) -> None:
    ns = settings.redis_namespace
    ann = await factory.person(ambassador=True, password=None)
    entries = await award_and_rank(conn, redis, ns, [event("share_published", ann.person_id)])
    before = await _all_boards(redis, ns)
    assert await boards.fold(redis, ns, entries, {ann.person_id}) == 0
    assert await _all_boards(redis, ns) == before


async def test_equal_points_rank_whoever_reached_them_first(
    factory: Factory, conn: asyncpg.Connection, redis: Redis, settings: Settings
) -> None:
    ns = settings.redis_namespace
    late = await factory.person(ambassador=True, password=None)
    early = await factory.person(ambassador=True, password=None)
    await award_and_rank(
        conn, redis, ns, [event("share_published", late.person_id, occurred_at=NOON + timedelta(hours=2))]
    )
    await award_and_rank(conn, redis, ns, [event("share_published", early.person_id, occurred_at=NOON)])
    ranking = await boards.board_snapshot(redis, board_key(ns, "all", "org"))
    assert [m for m, _ in ranking] == [str(early.person_id), str(late.person_id)]


async def test_opting_out_removes_the_person_from_every_board(
    factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    ns = settings.redis_namespace
    ann = await factory.person(ambassador=True, password=None)
    other = await factory.person(ambassador=True, password=None)
    async with db.transaction() as conn:
        await award_and_rank(
            conn, redis, ns,
            [event("share_published", p.person_id, campaign_id=3) for p in (ann, other)],
        )  # fmt: skip
    listed = await _all_boards(redis, ns)
    assert len(listed) == 12 and all(str(ann.person_id) in dict(b) for b in listed.values())
    await opt_out(db, ann.principal)
    async with db.transaction() as conn:
        await opted_out(conn, {"person_id": ann.person_id}, {"redis": redis, "settings": settings, "db": db})
    after = await _all_boards(redis, ns)
    assert all(str(ann.person_id) not in dict(b) for b in after.values())
    assert all(str(other.person_id) in dict(b) for b in after.values())


async def test_opting_in_again_puts_back_earlier_points_as_a_rebuild_would(
    factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    ns = settings.redis_namespace
    ann = await factory.person(ambassador=True, password=None, team="Sales")
    other = await factory.person(ambassador=True, password=None, team="Sales")
    async with db.transaction() as conn:
        await award_and_rank(
            conn, redis, ns,
            [event("share_published", ann.person_id, points=30, source_id=1, campaign_id=3),
             event("kudos", other.person_id, points=20, source_type="kudos", source_id=2)],
        )  # fmt: skip
    for _ in range(2):  # twice: each return restores once, whatever happened before
        await opt_out(db, ann.principal)
        assert await run_pending(db, redis, settings, "ambassador.opted_out") == 1
        await factory.make_ambassador(ann)
        # a point earned after coming back is folded by its own award, before or after the restore runs
        async with db.transaction() as conn:
            await award_and_rank(
                conn, redis, ns,
                [event("kudos", ann.person_id, points=5, source_type="kudos", source_id=10 + _,
                       occurred_at=NOON + timedelta(hours=1 + _))],
            )  # fmt: skip
        assert await run_pending(db, redis, settings, "ambassador.opted_in_again") == 1
        restored = await _all_boards(redis, ns)
        async with db.connection() as conn:
            await boards.rebuild(conn, redis, ns)
        assert await _all_boards(redis, ns) == restored
    # a replayed restore adds nothing
    async with db.connection() as conn:
        args = await conn.fetchval(
            "SELECT args FROM outbox WHERE job = 'ambassador.opted_in_again' ORDER BY id DESC LIMIT 1"
        )
        before = await _all_boards(redis, ns)
        await opted_in_again(conn, args, {"redis": redis, "settings": settings, "db": db})
    assert await _all_boards(redis, ns) == before


async def _seed_visibility(factory: Factory, db: Database, redis: Redis, ns: str) -> dict[str, Any]:
    viewer = await factory.person(ambassador=True, password=None, team="Sales", display_name="Viewer")
    people: dict[str, Any] = {"viewer": viewer}
    for name, team, visibility in [
        ("Public", "Ops", "public"),
        ("Teammate", "Sales", "team_only"),
        ("Stranger", "Ops", "team_only"),
        ("Masked", "Ops", "anonymous"),
        ("Hidden", "Ops", "hidden"),
    ]:
        someone = await factory.person(ambassador=True, password=None, team=team, display_name=name)
        await change_visibility(db, someone.principal, VisibilityChange(visibility=visibility))  # type: ignore[arg-type]
        people[name] = someone
    async with db.transaction() as conn:
        events = [
            event("kudos", p.person_id, points=100 - 10 * i, source_type="kudos", occurred_at=NOON)
            for i, p in enumerate(people.values())
        ]
        await award_and_rank(conn, redis, ns, events)
    return people


async def test_each_visibility_is_honoured_on_the_board(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    people = await _seed_visibility(factory, db, redis, settings.redis_namespace)
    response = await client.get("/api/v1/boards", params={"period": "all"}, headers=people["viewer"].headers)
    assert response.status_code == 200, response.text
    body = response.json()
    alias = await db.pool.fetchval(
        "SELECT alias_number FROM ambassadors WHERE person_id = $1", people["Masked"].person_id
    )
    assert [(e["rank"], e["name"]) for e in body["entries"]] == [
        (1, "Viewer"),
        (2, "Public"),
        (3, "Teammate"),
        (5, f"Ambassador #{alias}"),
    ]
    assert body["me"] == {"rank": 1, "name": "Viewer", "points": 100, "is_me": True}


async def test_a_hidden_person_is_not_listed_but_sees_their_own_rank(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    people = await _seed_visibility(factory, db, redis, settings.redis_namespace)
    hidden = people["Hidden"]
    top = (await client.get("/api/v1/boards", params={"period": "all"}, headers=hidden.headers)).json()
    assert top["me"]["rank"] == 6 and top["me"]["name"] == "Hidden"
    mine = (
        await client.get("/api/v1/boards/me", params={"period": "all", "around": 1}, headers=hidden.headers)
    ).json()
    assert mine["me"]["rank"] == 6
    assert [n["rank"] for n in mine["neighbours"]] == [5]
    viewer = (
        await client.get("/api/v1/boards", params={"period": "all"}, headers=people["viewer"].headers)
    ).json()
    assert "Hidden" not in [e["name"] for e in viewer["entries"]]


async def test_a_team_board_lists_only_that_team(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    people = await _seed_visibility(factory, db, redis, settings.redis_namespace)
    body = (
        await client.get(
            "/api/v1/boards", params={"period": "all", "scope": "team"}, headers=people["viewer"].headers
        )
    ).json()
    assert [e["name"] for e in body["entries"]] == ["Viewer", "Teammate"]


async def test_a_period_written_wrongly_is_refused(
    client: AsyncTestClient[Litestar], factory: Factory
) -> None:
    someone = await factory.person(ambassador=True, password=None)
    response = await client.get(
        "/api/v1/boards", params={"period": "week", "key": "2026-11"}, headers=someone.headers
    )
    assert response.status_code == 422


# --- a rebuild while awards go on (issue 12, fault 3) ----------------------------------------------------


async def _rebuilt_from_scratch(db: Database, redis: Redis, ns: str) -> dict[str, list[tuple[str, float]]]:
    async with db.connection() as conn:
        await boards.rebuild(conn, redis, ns)
    return await _all_boards(redis, ns)


async def _award(db: Database, redis: Redis, ns: str, person_id: int, points: int) -> None:
    async with db.transaction() as conn:
        await award_and_rank(conn, redis, ns, [event("kudos", person_id, points=points, source_type="kudos")])


async def test_an_award_that_commits_between_a_rebuilds_read_and_its_swap_stays_on_the_boards(
    factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    ns = settings.redis_namespace
    ann = await factory.person(ambassador=True, password=None, team="Sales")
    bob = await factory.person(ambassador=True, password=None)
    await _award(db, redis, ns, ann.person_id, 10)
    await _award(db, redis, ns, bob.person_id, 7)

    async def award_meanwhile() -> None:  # written and folded after the read, before the swap
        await _award(db, redis, ns, bob.person_id, 5)

    async with db.connection() as conn:
        await boards.rebuild(conn, redis, ns, after_read=award_meanwhile)
    after = await _all_boards(redis, ns)
    org = dict(after[board_key(ns, "all", "org")])
    assert decode_score(org[str(bob.person_id)])[0] == 12
    assert after == await _rebuilt_from_scratch(db, redis, ns)


async def test_an_award_folded_before_a_rebuild_reads_but_committed_after_stays_on_the_boards(
    factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    ns = settings.redis_namespace
    ann = await factory.person(ambassador=True, password=None)
    await _award(db, redis, ns, ann.person_id, 10)
    async with db.transaction() as award_conn:
        await award_and_rank(award_conn, redis, ns, [event("kudos", ann.person_id, points=4)])
        # folded into the current boards, not yet committed: the rebuild starts now and must wait for it
        rebuild_conn = await db.pool.acquire()
        try:
            pid = rebuild_conn.get_server_pid()
            rebuilding = asyncio.create_task(boards.rebuild(rebuild_conn, redis, ns))
            async with db.connection() as watcher:
                while not await watcher.fetchval(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = $1 AND locktype = 'advisory'"
                    " AND NOT granted)",
                    pid,
                ):
                    assert not rebuilding.done(), "the rebuild did not wait for the award in flight"
                    await asyncio.sleep(0.01)
        except BaseException:
            await db.pool.release(rebuild_conn)
            raise
    try:
        await rebuilding
    finally:
        await db.pool.release(rebuild_conn)
    after = await _all_boards(redis, ns)
    org = dict(after[board_key(ns, "all", "org")])
    assert decode_score(org[str(ann.person_id)])[0] == 14
    assert after == await _rebuilt_from_scratch(db, redis, ns)


async def test_a_person_who_opts_out_while_a_rebuild_runs_is_not_put_back_on_the_boards(
    factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    ns = settings.redis_namespace
    ann = await factory.person(ambassador=True, password=None)
    bob = await factory.person(ambassador=True, password=None)
    await _award(db, redis, ns, ann.person_id, 3)
    await _award(db, redis, ns, bob.person_id, 4)

    async def opt_out_meanwhile() -> None:
        await opt_out(db, ann.principal)
        async with db.transaction() as conn:
            await opted_out(
                conn, {"person_id": ann.person_id}, {"redis": redis, "settings": settings, "db": db}
            )

    async with db.connection() as conn:
        await boards.rebuild(conn, redis, ns, after_read=opt_out_meanwhile)
    after = await _all_boards(redis, ns)
    assert all(str(ann.person_id) not in dict(b) for b in after.values())
    assert after == await _rebuilt_from_scratch(db, redis, ns)
