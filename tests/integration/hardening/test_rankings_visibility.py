"""Every place that ranks people honours their board visibility (hidden, anonymous, team_only) through the
boards' one rule: challenges (live and closed) and recognition periods, not only the boards."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from advocacy.db.pool import Database
from advocacy.incentives.challenges import service as challenges
from advocacy.incentives.ledger.service import award_and_rank
from advocacy.settings import Settings
from tests.factories import Factory, Someone
from tests.integration.incentives._events import event

NOVEMBER = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)


async def _world(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database, redis: Redis, settings: Settings
) -> dict[str, Someone]:
    people = {
        "hidden": await factory.person(ambassador=True, team="Sales", display_name="Hidden Hanna"),
        "anonymous": await factory.person(ambassador=True, team="Sales", display_name="Anon Arno"),
        "team_only": await factory.person(ambassador=True, team="Ops", display_name="Team Tess"),
        "public": await factory.person(ambassador=True, team="Ops", display_name="Public Paul"),
        "viewer": await factory.person(ambassador=True, team="Sales", display_name="Viewer Vera"),
    }
    for choice in ("hidden", "anonymous", "team_only"):
        changed = await client.patch(
            "/api/v1/me/ambassador/visibility", json={"visibility": choice}, headers=people[choice].headers
        )
        assert changed.status_code == 200, changed.text
    points = {"hidden": 90, "anonymous": 80, "team_only": 70, "public": 60, "viewer": 50}
    async with db.transaction() as conn:
        await award_and_rank(
            conn, redis, settings.redis_namespace,
            [event("kudos", people[k].person_id, points=v, source_type="kudos", occurred_at=NOVEMBER)
             for k, v in points.items()],
        )  # fmt: skip
    return people


def _names(standings: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return [(s["rank"], s["name"]) for s in standings]


async def test_a_challenge_shows_each_person_as_their_visibility_allows_the_reader(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    people = await _world(client, factory, db, redis, settings)
    hr = await factory.person("hr", team="Ops")
    teams = {t["name"]: t["id"] for t in (await client.get("/api/v1/teams", headers=hr.headers)).json()}
    created = await client.post(
        "/api/v1/challenges",
        json={"name_fr": "Défi", "name_en": "Challenge", "starts_at": "2026-11-01T00:00:00Z",
              "ends_at": "2026-12-01T00:00:00Z", "teams": [teams["Sales"], teams["Ops"]], "goal": "top_n",
              "top_n": 3},
        headers=hr.headers,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    path = f"/api/v1/challenges/{created.json()['id']}"
    alias = await db.pool.fetchval(
        "SELECT alias_number FROM ambassadors WHERE person_id = $1", people["anonymous"].person_id
    )
    live = (await client.get(path, headers=people["viewer"].headers)).json()
    assert _names(live["standings"]) == [(2, f"Ambassador #{alias}"), (4, "Public Paul"), (5, "Viewer Vera")]
    # the hidden one still sees themself, with their rank
    own = (await client.get(path, headers=people["hidden"].headers)).json()
    assert (1, "Hidden Hanna") in _names(own["standings"]) and own["my_points"] == 90
    # a team-mate of the team_only person sees them by name
    mate = (await client.get(path, headers=people["public"].headers)).json()
    assert (3, "Team Tess") in _names(mate["standings"])
    assert await challenges.close_due(db, now=datetime(2026, 12, 1, 0, 1, tzinfo=UTC)) == 1
    closed = (await client.get(path, headers=people["viewer"].headers)).json()
    assert closed["closed"] is True
    assert _names(closed["standings"]) == [
        (2, f"Ambassador #{alias}"),
        (4, "Public Paul"),
        (5, "Viewer Vera"),
    ]


async def test_recognition_winners_are_shown_as_their_visibility_allows(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    await _world(client, factory, db, redis, settings)
    hr = await factory.person("hr", team="Sales")
    closed = await client.post("/api/v1/recognition/periods/2026-11/close", headers=hr.headers)
    assert closed.status_code == 200, closed.text
    listed = (await client.get("/api/v1/recognition/periods", headers=hr.headers)).json()
    for period in (closed.json(), listed[0]):
        names = [(w["rank"], w["display_name"]) for w in period["winners"]]
        assert (1, "Hidden Hanna") not in names and all("Hanna" not in n for _, n in names)
        assert names[0][0] == 2 and names[0][1].startswith("Ambassador #")
        assert all("Tess" not in n for _, n in names)  # team_only, and HR is in another team
