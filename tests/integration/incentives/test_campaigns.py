"""Campaign boards and challenges name a campaign as the rest of the API does: by its public id (UUID) or
its slug, never by an internal number; unknown ones are a clear 404 (a board) or 422 (a challenge body)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from advocacy.db.pool import Database
from advocacy.incentives.ledger.service import award_and_rank
from advocacy.settings import Settings
from tests.conftest import problem
from tests.factories import Factory
from tests.integration.incentives._events import event


async def a_campaign(db: Database, slug: str) -> tuple[int, str]:
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "INSERT INTO campaigns (slug, name) VALUES ($1, 'Launch') RETURNING id, public_id", slug
        )
    assert row is not None
    return row["id"], str(row["public_id"])


async def test_a_campaign_board_is_read_by_the_campaigns_public_id_or_its_slug(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    ann = await factory.person(ambassador=True, password=None)
    campaign_id, public_id = await a_campaign(db, "spring-launch")
    async with db.transaction() as conn:
        await award_and_rank(
            conn, redis, settings.redis_namespace,
            [event("share_published", ann.person_id, campaign_id=campaign_id, occurred_at=datetime.now(UTC))],
        )  # fmt: skip
    for ref in (public_id, "spring-launch"):
        params: dict[str, Any] = {"period": "all", "scope": "campaign", "campaign": ref}
        board = await client.get("/api/v1/boards", params=params, headers=ann.headers)
        assert board.status_code == 200, board.text
        body = board.json()
        assert body["campaign"] == {"id": public_id, "slug": "spring-launch"}
        assert [e["points"] for e in body["entries"]] == [10] and body["me"]["points"] == 10
        mine = (await client.get("/api/v1/boards/me", params=params, headers=ann.headers)).json()
        assert mine["campaign"] == {"id": public_id, "slug": "spring-launch"} and mine["me"]["rank"] == 1
    assert str(campaign_id) not in {public_id, "spring-launch"}


async def test_an_unknown_campaign_or_an_internal_number_is_a_404_and_a_bad_one_a_422(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database
) -> None:
    ann = await factory.person(ambassador=True, password=None)
    campaign_id, _ = await a_campaign(db, "spring-launch")
    for ref in (str(uuid4()), "autumn", str(campaign_id)):
        for path in ("/api/v1/boards", "/api/v1/boards/me"):
            missing = await client.get(
                path, params={"scope": "campaign", "campaign": ref}, headers=ann.headers
            )
            assert problem(missing)["status"] == 404, ref
            assert "No such campaign" in problem(missing)["detail"]
    for ref in ("Spring Launch!", "x" * 81):
        bad = await client.get(
            "/api/v1/boards", params={"scope": "campaign", "campaign": ref}, headers=ann.headers
        )
        assert problem(bad)["status"] in (400, 422), ref
    needed = await client.get("/api/v1/boards", params={"scope": "campaign"}, headers=ann.headers)
    assert problem(needed)["status"] == 422 and "slug" in problem(needed)["detail"]


async def test_a_challenge_names_its_campaign_by_slug_or_id_and_shows_it_back(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database
) -> None:
    hr = await factory.person("hr", password=None)
    _, public_id = await a_campaign(db, "spring-launch")
    body: dict[str, Any] = {
        "name_fr": "Défi", "name_en": "Challenge", "starts_at": "2026-11-01T00:00:00Z",
        "ends_at": "2026-12-01T00:00:00Z", "goal": "top_n", "top_n": 3,
    }  # fmt: skip
    for ref in ("spring-launch", public_id):
        created = await client.post("/api/v1/challenges", json={**body, "campaign": ref}, headers=hr.headers)
        assert created.status_code == 201, created.text
        assert created.json()["campaign"] == {"id": public_id, "slug": "spring-launch"}
        shown = (await client.get(f"/api/v1/challenges/{created.json()['id']}", headers=hr.headers)).json()
        assert shown["campaign"] == {"id": public_id, "slug": "spring-launch"}
        assert "campaign_id" not in shown
    listed = (await client.get("/api/v1/challenges", headers=hr.headers)).json()
    assert [c["campaign"]["slug"] for c in listed] == ["spring-launch", "spring-launch"]
    unknown = await client.post("/api/v1/challenges", json={**body, "campaign": "autumn"}, headers=hr.headers)
    assert problem(unknown)["status"] == 422 and "No such campaign" in problem(unknown)["detail"]
    internal = await client.post("/api/v1/challenges", json={**body, "campaign_id": 1}, headers=hr.headers)
    assert problem(internal)["status"] in (400, 422)
    assert await _challenges(db) == 2


async def _challenges(db: Database) -> int:
    async with db.connection() as conn:
        count: int = await conn.fetchval("SELECT count(*) FROM challenges")
    return count


async def test_my_points_history_says_when_a_campaign_multiplier_applied(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    ann = await factory.person(ambassador=True, language="en")
    lea = await factory.person(ambassador=True, language="fr")
    async with db.transaction() as conn:
        campaign_id = await conn.fetchval(
            "INSERT INTO campaigns (slug, name, points_multiplier) VALUES ('launch', 'Launch', 1.5) RETURNING id"
        )
        now = datetime.now(UTC)
        await award_and_rank(
            conn,
            redis,
            settings.redis_namespace,
            [
                event("share_published", ann.person_id, campaign_id=campaign_id, occurred_at=now),
                event("share_published", ann.person_id, occurred_at=now),
                event("share_published", lea.person_id, campaign_id=campaign_id, occurred_at=now),
            ],
        )
    history = (await client.get("/api/v1/me/points/history", headers=ann.headers)).json()["items"]
    by_multiplier = {h["campaign_multiplier"]: h for h in history}
    assert set(by_multiplier) == {1.5, None}
    assert by_multiplier[1.5]["reason"].endswith("campaign multiplier ×1.5")
    assert "multiplier" not in by_multiplier[None]["reason"]
    assert by_multiplier[1.5]["points"] > by_multiplier[None]["points"]
    [french] = (await client.get("/api/v1/me/points/history", headers=lea.headers)).json()["items"]
    assert french["reason"] == "Partage publié, multiplicateur de campagne ×1,5"
