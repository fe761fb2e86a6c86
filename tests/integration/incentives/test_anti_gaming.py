"""Anti-gaming through the real pipeline: clicks recorded, settled by the cron job, flagged shares' click
points held by the award job (those paid before the flag too), released or kept by HR's decision; the
thresholds API; replays that never flag or hold twice."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from redis.asyncio import Redis

from advocacy.links import queries as link_queries
from advocacy.links.schemas import Click
from advocacy.settings import Settings
from tests.conftest import problem
from tests.integration.jobs import run_pending
from tests.integration.shares.conftest import Sharing
from workers.jobs.incentives import award as award_job
from workers.jobs.shares import settle_clicks as settle_job

START = datetime.now(UTC) - timedelta(days=2)


async def clicks(sharing: Sharing, share_id: int, visitors_and_times: list[tuple[str, datetime]]) -> None:
    """Person clicks as the redirect records them (one visitor hash per name)."""
    batch = [_click(share_id, name, at) for name, at in visitors_and_times]
    async with sharing.db.connection() as conn:
        await link_queries.insert_click_rows(conn, batch)


def _click(share_id: int, visitor: str, at: datetime) -> Click:
    hashed = hashlib.sha256(visitor.encode()).digest()[:16]
    return Click(
        share_id=share_id, at=at, visitor_hash=hashed, visitor_hash_prev=hashed, counted=None, self=False,
        bot=False, preview=False,
    )  # fmt: skip


async def run_jobs(sharing: Sharing, redis: Redis, settings: Settings) -> int:
    """Run every pending incentives outbox row as the worker would (the real handlers)."""
    return await run_pending(sharing.db, redis, settings, "incentives.")


async def click_history(sharing: Sharing, person_id: int) -> list[tuple[str, int, int, str]]:
    rows = await sharing.fetch(
        "SELECT kind, points, held_points, reason_code FROM points_ledger"
        " WHERE person_id = $1 AND kind IN ('click', 'release') ORDER BY id",
        person_id,
    )
    return [(r["kind"], r["points"], r["held_points"], r["reason_code"]) for r in rows]


async def balance(sharing: Sharing, who: Any) -> int:
    page = (await sharing.client.get("/api/v1/me/points", headers=who.headers)).json()
    return int(page["balance"])


async def a_share(sharing: Sharing) -> tuple[Any, int]:
    ambassador = await sharing.ambassador()
    await sharing.ready_share(ambassador, network="linkedin")
    return ambassador, int(await sharing.fetchval("SELECT id FROM shares"))


async def test_a_burst_of_clicks_flags_the_share_and_holds_its_click_points_even_those_paid_before(
    sharing: Sharing, redis: Redis, settings: Settings
) -> None:
    ann, share_id = await a_share(sharing)
    hr = await sharing.factory.person("hr")
    ctx: dict[str, Any] = {"db": sharing.db}
    # three people over an afternoon: genuine, paid
    await clicks(sharing, share_id, [(f"person-{i}", START + timedelta(hours=i)) for i in range(3)])
    assert await settle_job(ctx) == 3
    await run_jobs(sharing, redis, settings)
    before = await balance(sharing, ann)
    assert await click_history(sharing, ann.person_id) == [("click", 3, 0, "click")]
    # then twenty "visitors" within four seconds: no human does that
    burst = START + timedelta(hours=5)
    await clicks(
        sharing, share_id, [(f"bot-{i}", burst + timedelta(milliseconds=200 * i)) for i in range(20)]
    )
    assert await settle_job(ctx) == 20
    await run_jobs(sharing, redis, settings)
    assert sorted(await click_history(sharing, ann.person_id)) == sorted(
        [("click", 3, 0, "click"), ("click", -3, 3, "held_for_review"), ("click", 0, 20, "held_for_review")]
    )
    assert await balance(sharing, ann) == before - 3
    flags = (await sharing.client.get("/api/v1/points/flags", headers=hr.headers)).json()["items"]
    assert [(f["reasons"], f["held_points"], f["status"]) for f in flags] == [(["burst"], 23, "open")]
    assert flags[0]["stats"]["densest_window_clicks"] == 20
    # the flag names its share by the public id the share's own API shows, never by its internal number
    mine = (await sharing.client.get("/api/v1/shares", headers=ann.headers)).json()["items"]
    assert flags[0]["share_id"] == mine[0]["id"] != str(share_id)

    cleared = await sharing.client.post(
        f"/api/v1/points/flags/{flags[0]['id']}/clear", json={"note": "a live demo"}, headers=hr.headers
    )
    assert cleared.status_code == 200, cleared.text
    await run_jobs(sharing, redis, settings)
    assert await balance(sharing, ann) == before + 20
    assert (await click_history(sharing, ann.person_id))[-1] == ("release", 23, 0, "released_after_review")
    board = (await sharing.client.get("/api/v1/boards", params={"period": "all"}, headers=ann.headers)).json()
    assert board["me"]["points"] == before + 20


async def test_clicks_from_very_few_visitors_are_flagged_and_stay_held_when_hr_confirms(
    sharing: Sharing, redis: Redis, settings: Settings
) -> None:
    ann, share_id = await a_share(sharing)
    hr = await sharing.factory.person("hr")
    ctx: dict[str, Any] = {"db": sharing.db}
    # one visitor clicking again and again for a day, and two others: 12 clicks, 3 counted
    repeated = [("me-again", START + timedelta(minutes=30 * i)) for i in range(10)]
    await clicks(sharing, share_id, [*repeated, ("friend", START), ("colleague", START + timedelta(hours=1))])
    assert await settle_job(ctx) == 2 + 1
    await run_jobs(sharing, redis, settings)
    assert await click_history(sharing, ann.person_id) == [("click", 0, 3, "held_for_review")]
    [flag] = (await sharing.client.get("/api/v1/points/flags", headers=hr.headers)).json()["items"]
    assert flag["reasons"] == ["few_visitors"] and flag["stats"]["top_visitors_share"] == 1.0
    # HR decides a flag by the id the list shows; the flag's internal number is no route
    internal = await sharing.fetchval("SELECT id FROM share_flags")
    unknown = await sharing.client.post(
        f"/api/v1/points/flags/{internal}/confirm", json={}, headers=hr.headers
    )
    assert unknown.status_code == 404
    confirmed = await sharing.client.post(
        f"/api/v1/points/flags/{flag['id']}/confirm", json={}, headers=hr.headers
    )
    assert confirmed.json()["status"] == "confirmed"
    # later clicks on a confirmed share are held too, and nothing is ever released
    await clicks(sharing, share_id, [("newcomer", START + timedelta(days=1, hours=2))])
    assert await settle_job(ctx) == 1
    await run_jobs(sharing, redis, settings)
    assert [h[:3] for h in await click_history(sharing, ann.person_id)] == [("click", 0, 3), ("click", 0, 1)]
    assert await sharing.fetchval("SELECT count(*) FROM share_flags") == 1


async def test_settling_and_awarding_again_never_flags_twice_nor_holds_twice(
    sharing: Sharing, redis: Redis, settings: Settings
) -> None:
    ann, share_id = await a_share(sharing)
    ctx: dict[str, Any] = {"db": sharing.db, "redis": redis, "settings": settings}
    await clicks(sharing, share_id, [(f"paid-{i}", START + timedelta(hours=i)) for i in range(4)])
    await settle_job(ctx)
    await run_jobs(sharing, redis, settings)
    burst = START + timedelta(hours=6)
    await clicks(
        sharing, share_id, [(f"bot-{i}", burst + timedelta(milliseconds=100 * i)) for i in range(16)]
    )
    await settle_job(ctx)
    awards = await sharing.fetch("SELECT args FROM outbox WHERE job = 'incentives.award' ORDER BY id")
    await run_jobs(sharing, redis, settings)
    written = await click_history(sharing, ann.person_id)
    # the cron runs again with nothing new; more clicks arrive on the flagged share; the award jobs replay
    assert await settle_job(ctx) == 0
    await clicks(sharing, share_id, [(f"later-{i}", burst + timedelta(hours=1, seconds=i)) for i in range(2)])
    await settle_job(ctx)
    for row in awards:
        async with sharing.db.transaction() as conn:
            await award_job(conn, row["args"], ctx)
    await run_jobs(sharing, redis, settings)
    assert await sharing.fetchval("SELECT count(*) FROM share_flags") == 1
    after = await click_history(sharing, ann.person_id)
    assert after[: len(written)] == written and after[len(written) :] == [("click", 0, 2, "held_for_review")]
    holds = [h for h in after if h[1] < 0]
    assert holds == [("click", -4, 4, "held_for_review")]


async def test_hr_reads_and_changes_the_thresholds_and_they_apply_to_the_next_clicks(
    sharing: Sharing, redis: Redis, settings: Settings
) -> None:
    hr = await sharing.factory.person("hr")
    employee = await sharing.ambassador()
    path = "/api/v1/organisation/anti-gaming"
    defaults = (await sharing.client.get(path, headers=hr.headers)).json()
    assert defaults == {
        "enabled": True, "min_clicks": 10, "few_visitors": 3, "few_visitors_share": 0.6,
        "burst_window_seconds": 10, "burst_clicks": 15,
    }  # fmt: skip
    assert (await sharing.client.get(path, headers=employee.headers)).status_code == 403
    assert (await sharing.client.put(path, json=defaults, headers=employee.headers)).status_code == 403
    # a lenient burst rule: 16 clicks in 3 seconds are no longer a burst
    changed = await sharing.client.put(path, json={**defaults, "burst_clicks": 50}, headers=hr.headers)
    assert changed.status_code == 200, changed.text
    assert (await sharing.client.get(path, headers=hr.headers)).json()["burst_clicks"] == 50
    _, share_id = await a_share(sharing)
    await clicks(sharing, share_id, [(f"v-{i}", START + timedelta(milliseconds=200 * i)) for i in range(16)])
    assert await settle_job({"db": sharing.db}) == 16
    assert await sharing.fetchval("SELECT count(*) FROM share_flags") == 0
    # the other incentives settings are kept
    async with sharing.db.connection() as conn:
        await conn.execute(
            "UPDATE organisation SET settings = jsonb_set(settings, '{incentives,recognition_winners}', '5')"
        )
    await sharing.client.put(path, json={**defaults, "enabled": False}, headers=hr.headers)
    assert (
        await sharing.fetchval("SELECT settings #> '{incentives,recognition_winners}' FROM organisation") == 5
    )
    assert (
        await sharing.fetchval("SELECT settings #> '{incentives,anti_gaming,enabled}' FROM organisation")
        is False
    )


async def test_thresholds_that_make_no_sense_are_refused_and_change_nothing(sharing: Sharing) -> None:
    hr = await sharing.factory.person("hr")
    path = "/api/v1/organisation/anti-gaming"
    for body in (
        {"min_clicks": 0},
        {"few_visitors_share": 1.5},
        {"few_visitors_share": 0},
        {"burst_window_seconds": -1},
        {"burst_clicks": "many"},
        {"min_clicks": 5, "few_visitors": 5},
    ):
        refused = await sharing.client.put(path, json=body, headers=hr.headers)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
    unknown = await sharing.client.put(path, json={"mystery": 1}, headers=hr.headers)
    assert problem(unknown)["status"] in (400, 422)
    assert (await sharing.client.get(path, headers=hr.headers)).json()["min_clicks"] == 10
