"""Nobody awards, approves or fulfils for themselves; caps apply to kudos; every privileged act writes an audit
row; the audit log refuses TRUNCATE as it refuses UPDATE and DELETE."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from advocacy.db.pool import Database
from advocacy.incentives.ledger.service import award_and_rank
from advocacy.settings import Settings
from tests.conftest import problem
from tests.factories import Factory
from tests.integration.incentives._events import event

KUDOS = "/api/v1/points/kudos"


async def audit(db: Database, action: str) -> list[asyncpg.Record]:
    async with db.connection() as conn:
        rows: list[asyncpg.Record] = await conn.fetch(
            "SELECT actor_id, subject_id, detail FROM audit_log WHERE action = $1 ORDER BY id", action
        )
    return rows


async def test_hr_cannot_give_themself_kudos(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database
) -> None:
    hr = await factory.person("hr", "employee", ambassador=True)
    body = {"person_id": str(hr.person.id), "points": 10_000, "reason": "for me"}
    refused = problem(await client.post(KUDOS, json=body, headers=hr.headers))
    assert refused["status"] == 403
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM points_ledger") == 0


async def test_kudos_stay_within_the_daily_cap_and_are_audited(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database
) -> None:
    hr = await factory.person("hr")
    ann = await factory.person(ambassador=True)
    over = await client.post(
        KUDOS,
        json={"person_id": str(ann.person.id), "points": 10_000, "reason": "too much"},
        headers=hr.headers,
    )
    body = problem(over)
    assert body["status"] == 422 and body["extra"]["left_today"] == 200
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM points_ledger") == 0
    board = (await client.get("/api/v1/boards", params={"period": "all"}, headers=ann.headers)).json()
    assert board["me"] is None
    given = await client.post(
        KUDOS, json={"person_id": str(ann.person.id), "points": 150, "reason": "talk"}, headers=hr.headers
    )
    assert given.status_code == 201, given.text
    again = problem(
        await client.post(
            KUDOS, json={"person_id": str(ann.person.id), "points": 60, "reason": "more"}, headers=hr.headers
        )
    )
    assert again["extra"]["left_today"] == 50
    [row] = await audit(db, "points.kudos")
    assert row["actor_id"] == hr.person_id and row["subject_id"] == str(ann.person.id)
    assert row["detail"]["points"] == 150


async def test_hr_cannot_approve_fulfil_or_reject_their_own_redemption_and_decisions_are_audited(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database, redis: Redis, settings: Settings
) -> None:
    hugo = await factory.person("hr", "employee", ambassador=True)
    hanna = await factory.person("hr")
    async with db.transaction() as conn:
        await award_and_rank(
            conn,
            redis,
            settings.redis_namespace,
            [event("kudos", hugo.person_id, points=50, source_type="kudos", source_id=hanna.person_id)],
        )
    reward = await client.post("/api/v1/rewards", json={"name": "Mug", "cost": 20}, headers=hugo.headers)
    asked = await client.post(f"/api/v1/rewards/{reward.json()['id']}/redeem", headers=hugo.headers)
    redemption = asked.json()["id"]
    for action in ("approve", "reject"):
        refused = await client.post(
            f"/api/v1/redemptions/{redemption}/{action}", json={"reason": "not for me"} if action == "reject" else None,
            headers=hugo.headers,
        )  # fmt: skip
        assert problem(refused)["status"] == 403
    ok = await client.post(f"/api/v1/redemptions/{redemption}/approve", headers=hanna.headers)
    assert ok.status_code == 200, ok.text
    refused = await client.post(
        f"/api/v1/redemptions/{redemption}/fulfil", json={"note": "mine"}, headers=hugo.headers
    )
    assert problem(refused)["status"] == 403
    done = await client.post(
        f"/api/v1/redemptions/{redemption}/fulfil", json={"note": "given"}, headers=hanna.headers
    )
    assert done.json()["status"] == "fulfilled"
    assert [r["actor_id"] for r in await audit(db, "redemption.approve")] == [hanna.person_id]
    assert [r["detail"]["note"] for r in await audit(db, "redemption.fulfil")] == ["given"]


async def test_an_administrator_cannot_change_their_own_roles_and_role_changes_are_audited(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database
) -> None:
    admin = await factory.person("admin", "employee")
    other = await factory.person("employee")
    refused = await client.patch(
        f"/api/v1/people/{admin.person.id}",
        json={"roles": ["admin", "employee", "hr"]},
        headers=admin.headers,
    )
    assert problem(refused)["status"] == 403
    changed = await client.patch(
        f"/api/v1/people/{other.person.id}", json={"roles": ["employee", "hr"]}, headers=admin.headers
    )
    assert changed.status_code == 200, changed.text
    [row] = [r for r in await audit(db, "person.updated") if r["subject_id"] == str(other.person.id)]
    assert row["detail"]["roles"] == {"before": ["employee"], "after": ["employee", "hr"]}
    imported = await client.post(
        "/api/v1/people/import",
        content=f"email,display_name,roles\n{admin.person.email},Me,admin;hr;employee\n".encode(),
        headers={**admin.headers, "Content-Type": "text/csv"},
    )
    report = imported.json()
    assert report["applied"] is False and "own roles" in report["errors"][0]["reason"]


async def test_privileged_settings_and_content_approvals_write_audit_rows(
    client: AsyncTestClient[Litestar], factory: Factory, db: Database
) -> None:
    admin = await factory.person("admin")
    reach = await client.put(
        "/api/v1/organisation/reach", json={"organic_reach_rate": {"default": 0.05}}, headers=admin.headers
    )
    assert reach.status_code == 200, reach.text
    assert [r["actor_id"] for r in await audit(db, "organisation.reach_settings")] == [admin.person_id]
    curator = await factory.person("curator")
    reviewer = await factory.person("reviewer")
    created = await client.post(
        "/api/v1/content/items",
        json={"title": "Post", "captions": [{"language": "fr", "body": "Bonjour"}]},
        headers=curator.headers,
    )
    item: dict[str, Any] = created.json()
    for who, to in ((curator, "in_review"), (reviewer, "approved")):
        moved = await client.post(
            f"/api/v1/content/items/{item['id']}/transitions", json={"to": to}, headers=who.headers
        )
        assert moved.status_code in (200, 201), moved.text
    [row] = await audit(db, "content.approved")
    assert row["actor_id"] == reviewer.person_id and row["subject_id"] == item["id"]


async def test_the_audit_log_refuses_truncate(factory: Factory, db: Database) -> None:
    await factory.person("admin")
    async with db.connection() as conn:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute("TRUNCATE audit_log")
        assert await conn.fetchval("SELECT count(*) FROM audit_log") > 0
