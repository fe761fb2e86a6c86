"""Deactivating a person ends their sessions and revokes their API tokens at once (one service function), and
a redemption refuses fields it does not know."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from advocacy.db.pool import Database
from advocacy.incentives.ledger.service import award_and_rank
from advocacy.people.service import deactivate
from advocacy.settings import Settings
from tests.conftest import problem
from tests.factories import Factory
from tests.integration.incentives._events import event


async def test_deactivating_a_person_revokes_their_tokens_and_sessions_for_good(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database
) -> None:
    admin = await factory.person("admin")
    ann = await factory.person(email="ann@example.com", password="a long enough password")
    signed_in = await client.post(
        "/api/v1/auth/login", json={"email": "ann@example.com", "password": "a long enough password"}
    )
    assert signed_in.status_code == 200
    off = await client.patch(f"/api/v1/people/{ann.person.id}", json={"active": False}, headers=admin.headers)
    assert off.status_code == 200, off.text
    async with db.connection() as conn:
        live_tokens = await conn.fetchval(
            "SELECT count(*) FROM api_tokens WHERE person_id = $1 AND revoked_at IS NULL", ann.person_id
        )
        live_sessions = await conn.fetchval(
            "SELECT count(*) FROM web_sessions WHERE person_id = $1 AND revoked_at IS NULL", ann.person_id
        )
        audited = await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'person.deactivated'")
    assert (live_tokens, live_sessions, audited) == (0, 0, 1)
    back = await client.patch(f"/api/v1/people/{ann.person.id}", json={"active": True}, headers=admin.headers)
    assert back.json()["active"] is True
    # switched on again, nothing of before comes back to life
    assert problem(await client.get("/api/v1/me", headers=ann.headers))["status"] == 401
    assert problem(await client.get("/api/v1/me"))["status"] == 401  # the old session cookie


async def test_deactivate_is_one_service_function_that_reports_a_person_already_off(
    factory: Factory, db: Database
) -> None:
    ann = await factory.person()
    async with db.transaction() as conn:
        assert await deactivate(conn, ann.person_id, actor_id=None) is True
        assert await deactivate(conn, ann.person_id, actor_id=None) is False


async def test_a_redemption_refuses_unknown_fields(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    hr = await factory.person("hr")
    ann = await factory.person(ambassador=True)
    async with db.transaction() as conn:
        await award_and_rank(
            conn, redis, settings.redis_namespace,
            [event("kudos", ann.person_id, points=100, source_type="kudos", source_id=hr.person_id)],
        )  # fmt: skip
    reward = (
        await client.post("/api/v1/rewards", json={"name": "Mug", "cost": 10}, headers=hr.headers)
    ).json()
    path = f"/api/v1/rewards/{reward['id']}/redeem"
    refused = await client.post(path, json={"quantity": 50, "cost": 0}, headers=ann.headers)
    assert problem(refused)["status"] in (400, 422)
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM redemptions") == 0
    assert (await client.post(path, json={}, headers=ann.headers)).status_code == 201
    assert (await client.post(path, headers=ann.headers)).status_code == 201
