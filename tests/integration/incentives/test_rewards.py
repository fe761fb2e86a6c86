"""Rewards: the catalogue HR manages, redemptions that never take a balance or a stock below zero even
under concurrent requests, HR decisions the person can follow, refunds, and the fulfilment export."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from advocacy.core.errors import Conflict
from advocacy.db.pool import Database
from advocacy.incentives.ledger import queries
from advocacy.incentives.ledger.service import award_and_rank
from advocacy.incentives.rewards import service as rewards
from advocacy.incentives.rewards.schemas import RewardCreate
from advocacy.settings import Settings
from tests.conftest import problem
from tests.factories import Factory, Someone
from tests.integration.incentives._events import event


async def _with_points(
    factory: Factory, db: Database, redis: Redis, ns: str, points: int, **kw: object
) -> Someone:
    someone = await factory.person(ambassador=True, password=None, **kw)  # type: ignore[arg-type]
    async with db.transaction() as conn:
        await award_and_rank(
            conn,
            redis,
            ns,
            [event("kudos", someone.person_id, points=points, reason="seed", source_type="kudos")],
        )
    return someone


async def _outcomes(calls: list[object]) -> tuple[int, int]:
    results = await asyncio.gather(*calls, return_exceptions=True)  # type: ignore[call-overload]
    ok = sum(1 for r in results if not isinstance(r, BaseException))
    refused = sum(1 for r in results if isinstance(r, Conflict))
    assert ok + refused == len(results), [
        r for r in results if isinstance(r, BaseException) and not isinstance(r, Conflict)
    ]
    return ok, refused


async def test_concurrent_redemptions_never_take_a_balance_below_zero(
    factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    ann = await _with_points(factory, db, redis, settings.redis_namespace, 25)
    reward = await rewards.create_reward(db, RewardCreate(name="Mug", cost=10))
    ok, refused = await _outcomes([rewards.redeem(db, reward.id, ann.person_id) for _ in range(12)])
    assert (ok, refused) == (2, 10)
    async with db.connection() as conn:
        assert await queries.ledger_balance(conn, ann.person_id) == 5
        assert (await queries.accounts_of(conn, [ann.person_id]))[ann.person_id].balance == 5


async def test_concurrent_redemptions_by_many_people_never_take_a_stock_below_zero(
    factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    people = [await _with_points(factory, db, redis, settings.redis_namespace, 100) for _ in range(6)]
    reward = await rewards.create_reward(db, RewardCreate(name="Hoodie", cost=30, stock=4))
    calls = [rewards.redeem(db, reward.id, p.person_id) for p in people for _ in range(2)]
    ok, refused = await _outcomes(calls)
    assert (ok, refused) == (4, 8)
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT stock FROM rewards") == 0
        assert await conn.fetchval("SELECT min(balance) FROM points_accounts") >= 0


async def test_a_per_person_limit_is_enforced(
    factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    ann = await _with_points(factory, db, redis, settings.redis_namespace, 100)
    reward = await rewards.create_reward(db, RewardCreate(name="Lunch", cost=10, per_person_limit=1))
    await rewards.redeem(db, reward.id, ann.person_id)
    with pytest.raises(Conflict) as refused:
        await rewards.redeem(db, reward.id, ann.person_id)
    assert refused.value.extra["reason"] == "limit-reached"


async def test_hr_runs_a_redemption_from_request_to_fulfilment_and_exports_it(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    hr = await factory.person("hr", password=None)
    ann = await _with_points(factory, db, redis, settings.redis_namespace, 50, display_name="Ann")
    created = await client.post(
        "/api/v1/rewards", json={"name": "=Gift card", "cost": 20, "stock": 2}, headers=hr.headers
    )
    assert created.status_code == 201, created.text
    reward_id = created.json()["id"]
    assert (await client.get("/api/v1/rewards", headers=ann.headers)).json()["items"][0][
        "name"
    ] == "=Gift card"
    asked = await client.post(f"/api/v1/rewards/{reward_id}/redeem", headers=ann.headers)
    assert asked.status_code == 201 and asked.json()["status"] == "requested"
    redemption = asked.json()["id"]
    assert (await client.get("/api/v1/me/points", headers=ann.headers)).json()["balance"] == 30
    forbidden = await client.post(f"/api/v1/redemptions/{redemption}/approve", headers=ann.headers)
    assert forbidden.status_code == 403
    assert (await client.post(f"/api/v1/redemptions/{redemption}/approve", headers=hr.headers)).json()[
        "status"
    ] == "approved"
    done = await client.post(
        f"/api/v1/redemptions/{redemption}/fulfil",
        json={"note": "handed over at reception"},
        headers=hr.headers,
    )
    assert done.json()["status"] == "fulfilled" and done.json()["note"] == "handed over at reception"
    mine = (await client.get("/api/v1/me/redemptions", headers=ann.headers)).json()["items"]
    assert [(r["status"], r["approved_at"] is not None, r["fulfilled_at"] is not None) for r in mine] == [
        ("fulfilled", True, True)
    ]
    export = await client.get("/api/v1/redemptions/fulfilments.csv", headers=hr.headers)
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [(r["display_name"], r["reward"], r["note"]) for r in rows] == [
        ("Ann", "'=Gift card", "handed over at reception")
    ]


async def test_a_rejected_redemption_gives_the_points_and_the_item_back(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    hr = await factory.person("hr", password=None)
    ann = await _with_points(factory, db, redis, settings.redis_namespace, 50)
    reward = await rewards.create_reward(db, RewardCreate(name="Mug", cost=20, stock=1))
    asked = (await client.post(f"/api/v1/rewards/{reward.id}/redeem", headers=ann.headers)).json()
    rejected = await client.post(
        f"/api/v1/redemptions/{asked['id']}/reject", json={"reason": "out of mugs"}, headers=hr.headers
    )
    assert rejected.json()["status"] == "rejected"
    assert (await client.get("/api/v1/me/points", headers=ann.headers)).json()["balance"] == 50
    history = (await client.get("/api/v1/me/points/history", headers=ann.headers)).json()["items"]
    assert [(h["kind"], h["points"]) for h in history[:2]] == [("refund", 20), ("redemption", -20)]
    again = await client.post(
        f"/api/v1/redemptions/{asked['id']}/reject", json={"reason": "twice"}, headers=hr.headers
    )
    assert problem(again)["status"] == 409
    assert problem(again)["detail"] == "Only a requested or approved redemption can be rejected"
    fulfil = await client.post(
        f"/api/v1/redemptions/{asked['id']}/fulfil", json={}, headers={**hr.headers, "Accept-Language": "fr"}
    )
    assert problem(fulfil)["detail"] == "Seul un échange approuvé peut être remis"
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT stock FROM rewards") == 1


async def test_a_reward_for_other_teams_or_outside_its_window_cannot_be_redeemed(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    hr = await factory.person("hr", password=None, team="Ops")
    ann = await _with_points(factory, db, redis, settings.redis_namespace, 50, team="Sales")
    teams = {t["name"]: t["id"] for t in (await client.get("/api/v1/teams", headers=hr.headers)).json()}
    for_ops = await client.post(
        "/api/v1/rewards",
        json={"name": "Ops dinner", "cost": 5, "eligible_teams": [teams["Ops"]]},
        headers=hr.headers,
    )
    later = await client.post(
        "/api/v1/rewards",
        json={"name": "Later", "cost": 5, "active_from": "2099-01-01T00:00:00Z"},
        headers=hr.headers,
    )
    assert (await client.get("/api/v1/rewards", headers=ann.headers)).json()["items"] == []
    refused = await client.post(f"/api/v1/rewards/{for_ops.json()['id']}/redeem", headers=ann.headers)
    assert problem(refused)["status"] == 403
    refused = await client.post(f"/api/v1/rewards/{later.json()['id']}/redeem", headers=ann.headers)
    assert problem(refused)["status"] == 409
    in_french = await client.post(
        f"/api/v1/rewards/{later.json()['id']}/redeem", headers={**ann.headers, "Accept-Language": "fr"}
    )
    assert problem(in_french)["detail"] == "Cette récompense ne peut pas être échangée en ce moment"


async def test_only_hr_manages_the_catalogue(client: AsyncTestClient[Litestar], factory: Factory) -> None:
    ann = await factory.person(ambassador=True, password=None)
    response = await client.post("/api/v1/rewards", json={"name": "Mug", "cost": 5}, headers=ann.headers)
    assert problem(response)["status"] == 403
