"""The compliance queue: held shares with findings, approve or reject with a reason, and the audit trail."""

from __future__ import annotations

import csv
import io
import json

import asyncpg
import pytest

from tests.conftest import problem
from tests.integration.shares.conftest import X_POST, Sharing


async def test_reviewers_list_held_shares_with_findings_and_approving_makes_them_ready(
    sharing: Sharing,
) -> None:
    ambassador = await sharing.ambassador()
    reviewer = await sharing.factory.person("reviewer")
    held = await sharing.ready_share(ambassador, caption="Mieux que Globex")
    queue = await sharing.client.get("/api/v1/compliance/shares", headers=reviewer.headers)
    assert queue.status_code == 200
    [entry] = queue.json()["items"]
    assert entry["share"]["id"] == held["id"] and entry["person"] == str(ambassador.person.id)
    assert entry["share"]["verdict"]["findings"][0]["severity"] == "review"
    approved = await sharing.client.post(
        f"/api/v1/compliance/shares/{held['id']}/approve", headers=reviewer.headers
    )
    assert approved.status_code == 200
    assert approved.json()["status"] == "ready" and approved.json()["link"]
    assert (await sharing.client.get("/api/v1/compliance/shares", headers=reviewer.headers)).json()[
        "items"
    ] == []


async def test_a_rejected_share_shows_its_reason_to_the_employee(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    compliance = await sharing.factory.person("compliance")
    held = await sharing.ready_share(ambassador, caption="Mieux que Globex")
    rejected = await sharing.client.post(
        f"/api/v1/compliance/shares/{held['id']}/reject",
        json={"reason": "Pas de comparaison avec un concurrent"},
        headers=compliance.headers,
    )
    assert rejected.status_code == 200
    mine = (await sharing.client.get(f"/api/v1/shares/{held['id']}", headers=ambassador.headers)).json()
    assert mine["status"] == "rejected"
    assert mine["status_reason"] == "Pas de comparaison avec un concurrent"
    assert await sharing.fetchval("SELECT count(*) FROM tracked_links") == 0


async def test_employees_cannot_use_the_compliance_queue(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    held = await sharing.ready_share(ambassador, caption="Mieux que Globex")
    other = await sharing.ambassador()
    assert (await sharing.client.get("/api/v1/compliance/shares", headers=other.headers)).status_code == 403
    response = await sharing.client.post(
        f"/api/v1/compliance/shares/{held['id']}/approve", headers=other.headers
    )
    assert response.status_code == 403
    assert (await sharing.client.get("/api/v1/compliance/audit", headers=other.headers)).status_code == 403


async def test_a_reviewer_cannot_approve_their_own_share(sharing: Sharing) -> None:
    reviewer = await sharing.ambassador("employee", "reviewer")
    held = await sharing.ready_share(reviewer, caption="Mieux que Globex")
    response = await sharing.client.post(
        f"/api/v1/compliance/shares/{held['id']}/approve", headers=reviewer.headers
    )
    assert response.status_code == 403
    assert problem(response)["detail"]


async def test_only_held_shares_can_be_approved(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    reviewer = await sharing.factory.person("reviewer")
    ready = await sharing.ready_share(ambassador)
    response = await sharing.client.post(
        f"/api/v1/compliance/shares/{ready['id']}/approve", headers=reviewer.headers
    )
    assert response.status_code == 409


async def test_rejecting_a_published_share_after_the_fact_takes_its_points_back(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    compliance = await sharing.factory.person("compliance")
    share = await sharing.ready_share(ambassador)
    await sharing.client.post(
        f"/api/v1/shares/{share['id']}/confirm", json={"post_url": X_POST}, headers=ambassador.headers
    )
    response = await sharing.client.post(
        f"/api/v1/compliance/shares/{share['id']}/reject",
        json={"reason": "Hors charte"},
        headers=compliance.headers,
    )
    assert response.json()["status"] == "rejected"
    args = await sharing.fetchval("SELECT args FROM outbox WHERE job = 'incentives.reverse_share'")
    assert args["share_id"] == await sharing.fetchval("SELECT id FROM shares")


async def test_every_decision_is_in_the_audit_log_which_filters_and_exports_as_csv_and_json_lines(
    sharing: Sharing,
) -> None:
    ambassador = await sharing.ambassador()
    compliance = await sharing.factory.person("compliance")
    first = await sharing.ready_share(ambassador, caption="Mieux que Globex")
    second = await sharing.ready_share(ambassador, await sharing.item(title="2"), caption="Globex encore")
    await sharing.client.post(f"/api/v1/compliance/shares/{first['id']}/approve", headers=compliance.headers)
    await sharing.client.post(
        f"/api/v1/compliance/shares/{second['id']}/reject", json={"reason": "non"}, headers=compliance.headers
    )
    audit = await sharing.client.get(
        "/api/v1/compliance/audit", params={"subject_type": "share"}, headers=compliance.headers
    )
    assert [(e["action"], e["subject_id"]) for e in audit.json()["items"]] == [
        ("share.approved", first["id"]),
        ("share.rejected", second["id"]),
    ]
    assert audit.json()["items"][1]["detail"]["reason"] == "non"
    rejected_only = await sharing.client.get(
        "/api/v1/compliance/audit", params={"action": "share.rejected"}, headers=compliance.headers
    )
    assert len(rejected_only.json()["items"]) == 1
    exported = await sharing.client.get(
        "/api/v1/compliance/audit/export",
        params={"format": "csv", "subject_type": "share"},
        headers=compliance.headers,
    )
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["action"] for r in rows] == ["share.approved", "share.rejected"]
    assert rows[0]["actor"] == str(compliance.person.id)
    lines = await sharing.client.get(
        "/api/v1/compliance/audit/export",
        params={"format": "jsonl", "action": "share.approved"},
        headers=compliance.headers,
    )
    assert lines.headers["content-type"] == "application/x-ndjson"
    assert lines.headers["content-disposition"] == 'attachment; filename="audit.jsonl"'
    decoded = [json.loads(line) for line in lines.text.splitlines()]
    assert [d["subject_id"] for d in decoded] == [first["id"]]


async def test_the_audit_log_cannot_be_edited(sharing: Sharing) -> None:
    ambassador = await sharing.ambassador()
    reviewer = await sharing.factory.person("reviewer")
    held = await sharing.ready_share(ambassador, caption="Globex")
    await sharing.client.post(f"/api/v1/compliance/shares/{held['id']}/approve", headers=reviewer.headers)
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await sharing.execute("DELETE FROM audit_log")
