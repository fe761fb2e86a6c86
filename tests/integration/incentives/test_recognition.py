"""HR-facing rules through the API and jobs: kudos, the points page, versioned rules, badges and cards,
recognition periods closed once, challenges and their results, anti-gaming flags and held points,
and the outbox jobs the shares area enqueues."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from advocacy.db.pool import Database
from advocacy.incentives.anti_gaming.schemas import ClickSample
from advocacy.incentives.anti_gaming.service import check_share_clicks
from advocacy.incentives.boards.scores import board_key
from advocacy.incentives.challenges import service as challenges
from advocacy.incentives.ledger.service import award_and_rank, events_to_args
from advocacy.settings import Settings
from tests.conftest import problem
from tests.factories import Factory
from tests.integration.incentives._events import NOON, event
from tests.integration.shares.conftest import Sharing
from workers.jobs.incentives import award as award_job
from workers.jobs.incentives import release_share, reverse_share


async def test_hr_gives_kudos_with_a_reason_the_person_reads_in_their_history(
    client: AsyncTestClient[Litestar], factory: Factory
) -> None:
    hr = await factory.person("hr", password=None)
    ann = await factory.person(ambassador=True, password=None, language="en")
    given = await client.post(
        "/api/v1/points/kudos",
        json={"person_id": str(ann.person.id), "points": 30, "reason": "Great webinar"},
        headers=hr.headers,
    )
    assert given.status_code == 201, given.text
    history = (await client.get("/api/v1/me/points/history", headers=ann.headers)).json()["items"]
    assert [(h["points"], h["reason"]) for h in history] == [(30, "Kudos from HR: Great webinar")]
    board = (await client.get("/api/v1/boards", params={"period": "all"}, headers=ann.headers)).json()
    assert board["me"]["points"] == 30


async def test_kudos_need_hr_and_an_ambassador(client: AsyncTestClient[Litestar], factory: Factory) -> None:
    ann = await factory.person(ambassador=True, password=None)
    never = await factory.person(password=None)
    body = {"person_id": str(never.person.id), "points": 5, "reason": "nice"}
    assert problem(await client.post("/api/v1/points/kudos", json=body, headers=ann.headers))["status"] == 403
    hr = await factory.person("hr", password=None)
    refused = await client.post("/api/v1/points/kudos", json=body, headers=hr.headers)
    assert problem(refused)["type"].endswith("not-an-ambassador")


async def test_the_points_page_says_why_facebook_shares_earn_nothing(
    client: AsyncTestClient[Litestar], factory: Factory
) -> None:
    ann = await factory.person(ambassador=True, password=None, language="fr")
    page = (await client.get("/api/v1/me/points", headers=ann.headers)).json()
    facebook = next(n for n in page["networks"] if n["network"] == "facebook")
    assert facebook["rewarded"] is False and facebook["share"] == 0
    assert "Facebook interdit" in facebook["why_not"]


async def test_hr_puts_new_rules_in_force_as_a_new_version(
    client: AsyncTestClient[Litestar], factory: Factory
) -> None:
    hr = await factory.person("hr", password=None)
    body = {"rules": {"default": {"share": 20}, "daily_cap": 300}, "note": "launch month"}
    first = await client.put("/api/v1/points/rules", json=body, headers=hr.headers)
    second = await client.put("/api/v1/points/rules", json=body, headers=hr.headers)
    assert (first.json()["version"], second.json()["version"]) == (1, 2)
    current = (await client.get("/api/v1/points/rules", headers=hr.headers)).json()
    assert current["rules"]["default"]["share"] == 20
    bad = await client.put("/api/v1/points/rules", json={"rules": {"daily_cap": -1}}, headers=hr.headers)
    assert bad.status_code == 400 or bad.status_code == 422


async def test_badges_are_awarded_once_with_a_date_and_a_png_card(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    ann = await factory.person(ambassador=True, password=None, language="en")
    async with db.transaction() as conn:
        await award_and_rank(conn, redis, settings.redis_namespace, [event("share_published", ann.person_id)])
        await award_and_rank(conn, redis, settings.redis_namespace, [event("share_published", ann.person_id)])
    badges = (await client.get("/api/v1/me/badges", headers=ann.headers)).json()
    assert [(b["badge"], b["name"]) for b in badges] == [("first_share", "First share")]
    card = await client.get(f"/api/v1/me/badges/{badges[0]['id']}/card.png", headers=ann.headers)
    assert card.status_code == 200 and card.headers["content-type"] == "image/png"
    assert card.content[:8] == b"\x89PNG\r\n\x1a\n"
    other = await factory.person(ambassador=True, password=None)
    assert (
        await client.get(f"/api/v1/me/badges/{badges[0]['id']}/card.png", headers=other.headers)
    ).status_code == 404


async def test_closing_a_month_names_winners_from_the_board_once(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    hr = await factory.person("hr", password=None)
    people = [await factory.person(ambassador=True, password=None) for _ in range(4)]
    async with db.transaction() as conn:
        events = [
            event(
                "kudos",
                p.person_id,
                points=points,
                source_type="kudos",
                occurred_at=NOON + timedelta(minutes=i),
            )
            for i, (p, points) in enumerate(zip(people, [10, 40, 40, 5], strict=True))
        ]
        await award_and_rank(conn, redis, settings.redis_namespace, events)
    board = await redis.zrevrange(board_key(settings.redis_namespace, "month:2026-11", "org"), 0, 2)
    first = await client.post("/api/v1/recognition/periods/2026-11/close", headers=hr.headers)
    assert first.status_code == 200, first.text
    winners = first.json()["winners"]
    assert [w["person_id"] for w in winners] == [
        str(p.person.id) for m in board for p in people if p.person_id == int(m)
    ]
    # winners are named by public id, as everywhere else in the API
    assert [w["person_id"] for w in winners] == [str(people[i].person.id) for i in (1, 2, 0)]
    again = await client.post("/api/v1/recognition/periods/2026-11/close", headers=hr.headers)
    assert again.json()["newly_closed"] is False and again.json()["winners"] == winners
    async with db.connection() as conn:
        assert (
            await conn.fetchval("SELECT count(*) FROM badge_awards WHERE badge = 'ambassador_of_the_month'")
            == 3
        )
        assert await conn.fetchval("SELECT count(*) FROM recognition_notifications") == 3 + 4
    notes = (await client.get("/api/v1/me/notifications", headers=people[1].headers)).json()
    assert any("Ambassadeur du mois" in n["subject"] for n in notes)


async def test_a_challenge_shows_progress_and_records_results_when_it_ends(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    hr = await factory.person("hr", password=None, team="Sales")
    ann = await factory.person(ambassador=True, password=None, team="Sales", display_name="Ann")
    bob = await factory.person(ambassador=True, password=None, team="Sales", display_name="Bob")
    outsider = await factory.person(ambassador=True, password=None, team="Ops")
    teams = {t["name"]: t["id"] for t in (await client.get("/api/v1/teams", headers=hr.headers)).json()}
    body = {
        "name_fr": "Défi de novembre", "name_en": "November challenge", "starts_at": "2026-11-01T00:00:00Z",
        "ends_at": "2026-12-01T00:00:00Z", "teams": [teams["Sales"]], "goal": "threshold", "threshold": 20,
    }  # fmt: skip
    created = await client.post("/api/v1/challenges", json=body, headers=hr.headers)
    assert created.status_code == 201, created.text
    challenge_id = created.json()["id"]
    async with db.transaction() as conn:
        await award_and_rank(
            conn, redis, settings.redis_namespace,
            [event("kudos", p.person_id, points=pts, source_type="kudos") for p, pts in ((ann, 25), (bob, 10), (outsider, 90))],
        )  # fmt: skip
    progress = (await client.get(f"/api/v1/challenges/{challenge_id}", headers=ann.headers)).json()
    assert progress["my_points"] == 25
    assert [(s["name"], s["points"]) for s in progress["standings"]] == [("Ann", 25), ("Bob", 10)]
    assert await challenges.close_due(db, now=datetime(2026, 12, 1, 0, 1, tzinfo=UTC)) == 1
    assert await challenges.close_due(db, now=datetime(2026, 12, 2, tzinfo=UTC)) == 0
    results = (await client.get(f"/api/v1/challenges/{challenge_id}", headers=bob.headers)).json()
    assert results["closed"] is True
    assert [(s["name"], s["won"]) for s in results["standings"]] == [("Ann", True), ("Bob", False)]


async def test_a_gamed_share_is_flagged_its_click_points_held_then_released_when_hr_clears_it(
    client: AsyncTestClient[Litestar], sharing: Sharing, db: Database, redis: Redis, settings: Settings
) -> None:
    hr = await sharing.factory.person("hr", password=None)
    ann = await sharing.ambassador(password=None)
    share = await sharing.ready_share(ann)
    share_id = await sharing.fetchval("SELECT id FROM shares WHERE public_id = $1", UUID(share["id"]))
    ctx = {"redis": redis, "settings": settings}
    samples = [ClickSample(visitor="v1", at=NOON + timedelta(milliseconds=300 * i)) for i in range(20)]
    async with db.transaction() as conn:
        assert await check_share_clicks(conn, share_id, ann.person_id, samples) == ["few_visitors", "burst"]
        await award_job(
            conn, events_to_args([event("click", ann.person_id, source_id=share_id, quantity=8)]), ctx
        )
    points = (await client.get("/api/v1/me/points/history", headers=ann.headers)).json()["items"]
    assert [(p["points"], p["held_points"], p["reason_code"]) for p in points] == [(0, 8, "held_for_review")]
    flags = (await client.get("/api/v1/points/flags", headers=hr.headers)).json()["items"]
    assert [(f["share_id"], f["held_points"], f["reasons"]) for f in flags] == [
        (share["id"], 8, ["few_visitors", "burst"])
    ]
    cleared = await client.post(f"/api/v1/points/flags/{flags[0]['id']}/clear", json={}, headers=hr.headers)
    assert cleared.json()["status"] == "cleared"
    async with db.transaction() as conn:
        await release_share(conn, {"share_id": share_id}, ctx)
        await release_share(conn, {"share_id": share_id}, ctx)
    assert (await client.get("/api/v1/me/points", headers=ann.headers)).json()["balance"] == 8


async def test_the_reverse_share_job_takes_the_points_back_once(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    ann = await factory.person(ambassador=True, password=None)
    ctx = {"redis": redis, "settings": settings}
    async with db.transaction() as conn:
        await award_job(conn, events_to_args([event("share_published", ann.person_id, source_id=77)]), ctx)
        for _ in range(2):
            await reverse_share(conn, {"share_id": 77, "reason": "compliance: confidential figures"}, ctx)
    history = (await client.get("/api/v1/me/points/history", headers=ann.headers)).json()["items"]
    assert [h["points"] for h in history] == [-10, 10]
    board = (await client.get("/api/v1/boards", params={"period": "all"}, headers=ann.headers)).json()
    assert board["me"]["points"] == 0


async def test_a_month_cannot_be_closed_before_it_is_over(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database
) -> None:
    hr = await factory.person("hr", password=None)
    running = datetime.now(UTC).strftime("%Y-%m")
    refused = await client.post(f"/api/v1/recognition/periods/{running}/close", headers=hr.headers)
    body = problem(refused)
    assert body["status"] == 409
    assert running in body["detail"] and "UTC" in body["detail"]
    french = await client.post(
        f"/api/v1/recognition/periods/{running}/close", headers={**hr.headers, "Accept-Language": "fr"}
    )
    assert "n'est pas" in problem(french)["detail"]
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM recognition_periods") == 0
        assert await conn.fetchval("SELECT count(*) FROM badge_awards") == 0
