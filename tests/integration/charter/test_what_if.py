"""The share flow's check (verdict + the charters.id that made it), the ring buffer of the last 1 000 texts it
checked, trying a draft, and the what-if report of decisions a draft would change.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from advocacy.charter.cache import CharterCache
from advocacy.charter.engine import CheckContent
from advocacy.charter.rules import Severity
from advocacy.charter.schemas import CharterRead
from advocacy.charter.service import check_share_text
from advocacy.db.pool import Database
from tests.factories import Factory
from tests.integration.charter.conftest import VERSIONS, default_rules

CLEAN = "Fiers de notre nouveau site de Lyon ! #collaborateur"
RIVAL = "Plus rapides que Dataplume et Vexora réunis #collaborateur"


async def share(db: Database, cache: CharterCache, text: str, **extra: Any) -> tuple[Any, int]:
    async with db.transaction() as conn:
        return await check_share_text(
            conn,
            cache,
            text=text,
            network="linkedin",
            language="fr",
            content=extra.pop("content", None),
            **extra,
        )


async def kept(conn: asyncpg.Connection) -> list[str]:
    return [r["text"] for r in await conn.fetch("SELECT text FROM charter_checked_texts ORDER BY checked_at")]


async def test_the_share_check_returns_the_verdict_and_the_id_of_the_version_in_force(
    db: Database, in_force: CharterRead
) -> None:
    verdict, charter_id = await share(db, CharterCache(), RIVAL)
    assert verdict.decision is Severity.REVIEW and verdict.charter_version == in_force.version
    async with db.connection() as conn:
        assert charter_id == await conn.fetchval(
            "SELECT id FROM charters WHERE version = $1", in_force.version
        )


async def test_an_old_verdict_keeps_naming_the_version_that_made_it_after_a_new_activation(
    db: Database, factory: Factory, in_force: CharterRead
) -> None:
    cache = CharterCache(recheck_seconds=0)
    _, old_id = await share(db, cache, RIVAL)
    newer = await factory.charter(rules=default_rules())
    verdict, new_id = await share(db, cache, RIVAL)
    assert new_id != old_id and verdict.charter_version == newer.version
    async with db.connection() as conn:
        row = await conn.fetchrow("SELECT version, status FROM charters WHERE id = $1", old_id)
    assert row is not None and (row["version"], row["status"]) == (in_force.version, "retired")


async def test_checked_texts_are_kept_once_each_without_personal_data_or_secrets(
    db: Database, in_force: CharterRead
) -> None:
    cache = CharterCache()
    for text in (
        CLEAN,
        RIVAL,
        CLEAN,
        "Appelez-moi au 06 12 34 56 78 #collaborateur",
        "key AKIAIOSFODNN7EXAMPLE",
    ):
        await share(db, cache, text)
    async with db.connection() as conn:
        assert sorted(await kept(conn)) == sorted([CLEAN, RIVAL])
        columns = {
            r["column_name"]
            for r in await conn.fetch(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'charter_checked_texts'"
            )
        }
    assert not columns & {"person_id", "author_id", "ip"}


async def test_the_ring_buffer_keeps_the_last_1000_texts(db: Database, in_force: CharterRead) -> None:
    cache = CharterCache()
    async with db.transaction() as conn:
        for n in range(1003):
            await check_share_text(
                conn,
                cache,
                text=f"Message numéro {n} #collaborateur",
                network="x",
                language="fr",
                content=None,
            )
        texts = await conn.fetch("SELECT text FROM charter_checked_texts")
    assert len(texts) == 1000
    assert {"Message numéro 0 #collaborateur", "Message numéro 2 #collaborateur"}.isdisjoint(
        r["text"] for r in texts
    )
    assert "Message numéro 1002 #collaborateur" in {r["text"] for r in texts}


async def test_compliance_tries_a_text_against_a_draft_before_activating_it(
    client: Any, factory: Factory, in_force: CharterRead
) -> None:
    compliance = await factory.person("compliance", language="en")
    stricter = default_rules()
    stricter["term_lists"][1]["severity"] = "block"  # competitors
    draft = await factory.charter_draft(rules=stricter)
    body = {"text": RIVAL, "network": "linkedin", "language": "fr"}
    tried = await client.post(f"{VERSIONS}/{draft.version}/try", json=body, headers=compliance.headers)
    assert tried.status_code == 200, tried.text
    verdict = tried.json()
    assert (verdict["charter_version"], verdict["decision"]) == (draft.version, "block")
    assert verdict["findings"][0]["message"].startswith("You mention a competitor")
    missing = await client.post(f"{VERSIONS}/999/try", json=body, headers=compliance.headers)
    assert missing.status_code == 404


async def test_the_what_if_report_lists_exactly_the_kept_texts_whose_decision_would_change(
    client: Any, factory: Factory, db: Database, in_force: CharterRead
) -> None:
    compliance = await factory.person("compliance")
    cache = CharterCache()
    linked = "Notre rapport : https://partner.example/rapport #collaborateur"
    for text in (CLEAN, RIVAL, "Bravo à l'équipe de Kelvana pour ce partenariat #collaborateur"):
        await share(db, cache, text)
    await share(db, cache, linked, content=CheckContent(link="https://partner.example/rapport"))
    stricter = default_rules()
    competitors = stricter["term_lists"][1]
    competitors["severity"] = "block"
    competitors["terms"] = [t for t in competitors["terms"] if t != "Kelvana"]
    draft = await factory.charter_draft(rules=stricter)
    report = await client.get(f"{VERSIONS}/{draft.version}/what-if", headers=compliance.headers)
    assert report.status_code == 200, report.text
    body = report.json()
    assert (body["draft_version"], body["active_version"], body["texts_considered"]) == (
        draft.version,
        in_force.version,
        4,
    )
    changes = {c["text"]: (c["active_decision"], c["draft_decision"]) for c in body["changed"]}
    assert changes == {
        RIVAL: ("review", "block"),
        "Bravo à l'équipe de Kelvana pour ce partenariat #collaborateur": ("review", "allow"),
    }
    rival = next(c for c in body["changed"] if c["text"] == RIVAL)
    assert {f["rule_id"] for f in rival["draft_findings"]} == {"terms.competitors"}


async def test_the_what_if_report_judges_both_versions_at_the_instant_asked(
    client: Any, factory: Factory, db: Database, in_force: CharterRead
) -> None:
    compliance = await factory.person("compliance")
    await share(db, CharterCache(), "Notre chiffre d'affaires progresse #collaborateur")
    rules = default_rules()
    rules["quiet_periods"]["severity"] = "block"
    draft = await factory.charter_draft(rules=rules)
    outside = await client.get(
        f"{VERSIONS}/{draft.version}/what-if",
        params={"at": "2026-06-01T00:00:00Z"},
        headers=compliance.headers,
    )
    inside = await client.get(
        f"{VERSIONS}/{draft.version}/what-if",
        params={"at": "2027-01-20T00:00:00Z"},
        headers=compliance.headers,
    )
    assert outside.json()["changed"] == []
    assert [(c["active_decision"], c["draft_decision"]) for c in inside.json()["changed"]] == [
        ("review", "block")
    ]
