"""Reach: metric snapshots polled from the networks (append-only), estimates for share-page shares, the
analytics API with EMV per network, CSV, and who may see what."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from advocacy.connectors.crypto import TokenCipher
from advocacy.connectors.publishing import Publisher
from advocacy.connectors.registry import Registry
from advocacy.db.pool import Database
from advocacy.reach import service
from advocacy.reach.schemas import NetworkValue, ReachSettings
from tests.factories import Factory, Someone
from tests.integration.connectors.conftest import Fakes, connect, direct_share

VERDICT = '{"decision": "allow", "findings": [], "charter_version": 1, "text_sha256": "x"}'


async def nothing(_: float) -> None:
    return None


async def page_share(
    db: Database, someone: Someone, network: str, *, status: str = "published"
) -> tuple[int, Any]:
    async with db.transaction() as conn:
        item_id = await conn.fetchval(
            "INSERT INTO content_items (title, status) VALUES ('Post', 'approved') RETURNING id"
        )
        row = await conn.fetchrow(
            "INSERT INTO shares (person_id, content_item_id, network, status, mode, language, caption, verdict)"
            f" VALUES ($1, $2, $3, $4, 'share_page', 'fr', 'Bonjour', '{VERDICT}'::jsonb) RETURNING id, public_id",
            someone.person_id,
            item_id,
            network,
            status,
        )
    return row["id"], row["public_id"]


async def clicks(
    db: Database, share_id: int, *, counted: int, bots: int = 0, own: int = 0, repeats: int = 0
) -> None:
    async with db.transaction() as conn:
        rows = (
            [(share_id, True, False, False)] * counted
            + [(share_id, False, False, True)] * bots
            + [(share_id, False, True, False)] * own
            + [(share_id, False, False, False)] * repeats
        )
        await conn.executemany(
            "INSERT INTO clicks (share_id, visitor_hash, counted, self, bot) VALUES ($1, '\\x00', $2, $3, $4)",
            rows,
        )


async def published_on_x(db: Database, registry: Registry, cipher: TokenCipher, someone: Someone) -> int:
    await connect(db, registry, cipher, someone, "x")
    share_id = await direct_share(db, someone, "x")
    async with db.transaction() as conn:
        assert (
            await Publisher(db, registry, cipher, None, sleep=nothing).publish(conn, share_id) == "published"
        )
    return share_id


async def test_polling_appends_snapshots_over_time_and_never_edits_them(
    db: Database, registry: Registry, cipher: TokenCipher, factory: Factory, fakes: Fakes
) -> None:
    alice = await factory.person("employee", ambassador=True)
    share_id = await published_on_x(db, registry, cipher, alice)
    tweet = fakes.x.posts[0]["id"]
    fakes.x.metrics[tweet] = {"likes": 3, "comments": 1, "reposts": 2, "impressions": 400}
    assert await service.poll_metrics(db, registry, cipher) == 1
    assert await service.poll_metrics(db, registry, cipher) == 0  # not due again within the hour
    fakes.x.metrics[tweet] = {"likes": 5, "comments": 1, "reposts": 2, "impressions": 900}
    assert await service.poll_metrics(db, registry, cipher, now=datetime.now(UTC) + timedelta(hours=2)) == 1
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT likes, impressions FROM share_metrics WHERE share_id = $1 ORDER BY id", share_id
        )
        assert [(r["likes"], r["impressions"]) for r in rows] == [(3, 400), (5, 900)]
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("UPDATE share_metrics SET likes = 0")


async def test_a_rate_limited_network_is_left_alone_for_the_rest_of_the_pass(
    db: Database, registry: Registry, cipher: TokenCipher, factory: Factory, fakes: Fakes
) -> None:
    alice = await factory.person("employee", ambassador=True)
    await published_on_x(db, registry, cipher, alice)
    from tests.fakes.x import too_many

    status, body, headers = too_many(600)
    fakes.x.fail_next("tweet", status, body, headers)
    assert await service.poll_metrics(db, registry, cipher) == 0
    assert fakes.x.count("tweet") == 1


async def test_analytics_keep_measured_and_estimated_reach_apart_and_compute_emv(
    db: Database, registry: Registry, cipher: TokenCipher, factory: Factory, fakes: Fakes
) -> None:
    alice = await factory.person("employee", ambassador=True)
    direct_id = await published_on_x(db, registry, cipher, alice)
    fakes.x.metrics[fakes.x.posts[0]["id"]] = {"likes": 4, "comments": 2, "reposts": 2, "impressions": 1000}
    await service.poll_metrics(db, registry, cipher)
    page_id, _ = await page_share(db, alice, "linkedin")
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO declared_audiences (person_id, network, followers) VALUES ($1, 'linkedin', 2000)",
            alice.person_id,
        )
    await clicks(db, direct_id, counted=3, bots=5, own=2, repeats=4)
    await clicks(db, page_id, counted=10)
    await service.update_reach_settings(
        db,
        ReachSettings(
            organic_reach_rate={"default": 0.05, "linkedin": 0.1},
            emv={
                "x": NetworkValue(cpm_minor=500, cpc_minor=80, reaction_multiplier=0.5, currency="EUR"),
                "linkedin": NetworkValue(
                    cpm_minor=2000, cpc_minor=300, reaction_multiplier=1.0, currency="USD"
                ),
            },
        ),
        actor_id=alice.person_id,
    )
    now = datetime.now(UTC)
    result = await service.my_analytics(
        db, alice.principal, now - timedelta(days=1), now + timedelta(minutes=1)
    )
    by = {f.network: f for f in result.networks}
    x, linkedin = by["x"], by["linkedin"]
    assert (x.unique_clicks, x.engagements, x.impressions_measured) == (3, 8, 1000)
    assert x.reach_estimated.value == 0 and x.reach_estimated.estimate
    # 1000 × 500 / 1000 + 80 × (3 + 0.5 × 8) = 500 + 560
    assert x.emv.amount_minor == 1060 and x.emv.currency == "EUR" and x.emv.cpm_minor == 500
    assert (linkedin.unique_clicks, linkedin.impressions_measured, linkedin.reach_estimated.value) == (
        10,
        0,
        200,
    )
    # measured: 300 × 10 = 3000; with the estimate: 200 × 2000 / 1000 + 3000
    assert linkedin.emv.amount_minor == 3000 and linkedin.emv.amount_with_estimates_minor.value == 3400
    assert {(e.currency, e.amount_minor) for e in result.emv} == {("EUR", 1060), ("USD", 3000)}
    assert result.reach_estimated.estimate and "estimate" in result.reach_estimated.basis


async def test_a_person_sees_their_own_figures_and_shares_only(
    api: Any, db: Database, factory: Factory, fakes: Fakes
) -> None:
    alice = await factory.person("employee", ambassador=True)
    bob = await factory.person("employee", ambassador=True)
    _, alice_share = await page_share(db, alice, "x")
    _, bob_share = await page_share(db, bob, "x")
    mine = await api.get("/api/v1/analytics/me", headers=alice.headers)
    assert mine.status_code == 200 and mine.json()["shares"] == 1
    assert (
        await api.get(f"/api/v1/analytics/shares/{alice_share}", headers=alice.headers)
    ).status_code == 200
    assert (await api.get(f"/api/v1/analytics/shares/{bob_share}", headers=alice.headers)).status_code == 403
    assert (await api.get("/api/v1/analytics/organisation", headers=alice.headers)).status_code == 403
    listed = (await api.get("/api/v1/analytics/me/shares", headers=alice.headers)).json()
    assert [g["key"] for g in listed] == [str(alice_share)]


async def test_curators_and_hr_see_aggregates_but_not_another_persons_shares(
    api: Any, db: Database, factory: Factory, fakes: Fakes
) -> None:
    alice = await factory.person("employee", ambassador=True)
    _, share = await page_share(db, alice, "x")
    for role in ("curator", "hr"):
        reader = await factory.person(role)
        org = await api.get("/api/v1/analytics/organisation", headers=reader.headers)
        assert org.status_code == 200 and org.json()["shares"] == 1
        team = await api.get(f"/api/v1/analytics/people/{alice.person.id}", headers=reader.headers)
        assert team.status_code == 200
        assert (await api.get(f"/api/v1/analytics/shares/{share}", headers=reader.headers)).status_code == 403
        report = await api.get(
            "/api/v1/analytics/report", params={"group_by": "share"}, headers=reader.headers
        )
        assert report.status_code == 403
        by_team = await api.get(
            "/api/v1/analytics/report", params={"group_by": "team"}, headers=reader.headers
        )
        assert by_team.status_code == 200 and by_team.json()[0]["label"] == "Sales"


async def test_compliance_and_admins_see_individual_shares(
    api: Any, db: Database, factory: Factory, fakes: Fakes
) -> None:
    alice = await factory.person("employee", ambassador=True)
    _, share = await page_share(db, alice, "x")
    for role in ("compliance", "admin"):
        reader = await factory.person(role)
        assert (await api.get(f"/api/v1/analytics/shares/{share}", headers=reader.headers)).status_code == 200
        report = await api.get(
            "/api/v1/analytics/report", params={"group_by": "share"}, headers=reader.headers
        )
        assert report.status_code == 200 and report.json()[0]["key"] == str(share)


async def test_the_csv_export_shows_emv_values_next_to_each_amount_and_labels_estimates(
    api: Any, db: Database, factory: Factory, fakes: Fakes
) -> None:
    alice = await factory.person("employee", ambassador=True)
    share_id, _ = await page_share(db, alice, "linkedin")
    await clicks(db, share_id, counted=2)
    curator = await factory.person("curator")
    response = await api.get(
        "/api/v1/analytics/report.csv", params={"group_by": "campaign"}, headers=curator.headers
    )
    assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[0]["unique_clicks"] == "2" and rows[0]["emv_currency"] == "EUR"
    assert {"emv_cpm_minor", "emv_cpc_minor", "emv_reaction_multiplier", "reach_estimated (estimate)"} <= set(
        rows[0]
    )
    mine = await api.get("/api/v1/analytics/me/export.csv", headers=alice.headers)
    assert mine.status_code == 200 and len(list(csv.DictReader(io.StringIO(mine.text)))) == 1


async def test_reach_settings_are_read_by_curators_and_changed_by_admins_only(
    api: Any, factory: Factory, fakes: Fakes
) -> None:
    curator, admin = await factory.person("curator"), await factory.person("admin")
    body = {"organic_reach_rate": {"default": 0.07}, "emv": {"x": {"cpm_minor": 900, "currency": "GBP"}}}
    assert (
        await api.put("/api/v1/organisation/reach", json=body, headers=curator.headers)
    ).status_code == 403
    assert (await api.put("/api/v1/organisation/reach", json=body, headers=admin.headers)).status_code == 200
    read = (await api.get("/api/v1/organisation/reach", headers=curator.headers)).json()
    assert read["emv"]["x"]["currency"] == "GBP" and read["organic_reach_rate"]["default"] == 0.07
    bad = {"organic_reach_rate": {"default": 3}}
    assert (await api.put("/api/v1/organisation/reach", json=bad, headers=admin.headers)).status_code == 422
