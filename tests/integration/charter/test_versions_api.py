"""Charter versions for compliance: typed rules (bad rules are a clear 422), import/export as TOML or JSON
(API and CLI) round-tripping unchanged, activation history, and the charter as employees read it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
import pytest

from advocacy.charter.schemas import CharterRead
from advocacy.db.pool import Database
from advocacy.settings import Settings
from tests.conftest import problem
from tests.factories import Factory
from tests.integration.charter.conftest import VERSIONS, default_rules


def draft_body(rules: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"title": "Charte v2", "body_fr": "Texte", "body_en": "Text", "rules": rules, **extra}


async def test_a_draft_with_the_default_rules_is_stored_as_typed_rules(client: Any, factory: Factory) -> None:
    compliance = await factory.person("compliance")
    response = await client.post(VERSIONS, json=draft_body(default_rules()), headers=compliance.headers)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "draft"
    exported = await client.get(f"{VERSIONS}/1/export?format=json", headers=compliance.headers)
    assert json.loads(exported.content)["rules"] == default_rules()


@pytest.mark.parametrize(
    ("rules", "field", "says"),
    [
        (
            {
                "term_lists": [
                    {
                        "name": "x",
                        "category": "insults",
                        "severity": "fatal",
                        "message": {"fr": "a", "en": "b"},
                        "terms": ["a"],
                    }
                ]
            },
            "rules.term_lists[0].severity",
            "fatal",
        ),
        ({"links": {"allowed_domains": ["not a domain"]}}, "rules.links.allowed_domains[0]", "match"),
        ({"tone": {"shouting_min_words": 0}}, "rules.tone.shouting_min_words", ">= 1"),
        ({"surprise": True}, "rules", "surprise"),
        (
            {
                "quiet_periods": {
                    "periods": [
                        {"name": "Q", "starts_at": "2027-02-01T00:00:00Z", "ends_at": "2027-01-01T00:00:00Z"}
                    ]
                }
            },
            "rules.quiet_periods.periods[0]",
            "must end after it starts",
        ),
        (
            {"term_lists": [*default_rules()["term_lists"][:1], *default_rules()["term_lists"][:1]]},
            "rules",
            "unique",
        ),
    ],
    ids=[
        "unknown-severity",
        "bad-domain",
        "zero-threshold",
        "unknown-key",
        "period-backwards",
        "duplicate-list",
    ],
)
async def test_bad_rules_are_refused_with_a_422_naming_the_problem(
    client: Any, factory: Factory, db: Database, rules: dict[str, Any], field: str, says: str
) -> None:
    compliance = await factory.person("compliance")
    answer = problem(await client.post(VERSIONS, json=draft_body(rules), headers=compliance.headers))
    assert answer["status"] == 422
    where = " ".join(f"{e['field']} {e['message']}" for e in answer.get("errors", [])) + answer["detail"]
    assert field in where and says in where, answer
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM charters") == 0


async def test_a_toml_export_imports_back_to_the_same_charter(
    client: Any, factory: Factory, in_force: CharterRead
) -> None:
    compliance = await factory.person("compliance")
    exported = await client.get(f"{VERSIONS}/{in_force.version}/export", headers=compliance.headers)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/toml")
    assert f"charter-v{in_force.version}.toml" in exported.headers["content-disposition"]
    imported = await client.post(
        f"{VERSIONS}/import?format=toml&activate=true",
        content=exported.content,
        headers={**compliance.headers, "Content-Type": "application/toml"},
    )
    assert imported.status_code == 201, imported.text
    assert imported.json()["status"] == "active"
    again = await client.get(f"{VERSIONS}/{imported.json()['version']}/export", headers=compliance.headers)
    assert tomllib.loads(again.text) == tomllib.loads(exported.text)  # the header comment names the version
    assert tomllib.loads(exported.text)["rules"]["term_lists"][0]["terms"][0] == "Projet Atlas"


async def test_a_json_export_is_accepted_as_a_new_draft_unchanged(
    client: Any, factory: Factory, in_force: CharterRead
) -> None:
    compliance = await factory.person("compliance")
    exported = await client.get(
        f"{VERSIONS}/{in_force.version}/export?format=json", headers=compliance.headers
    )
    document = json.loads(exported.content)
    created = await client.post(VERSIONS, json=document, headers=compliance.headers)
    assert created.status_code == 201, created.text
    also = await client.post(
        f"{VERSIONS}/import?format=json",
        content=exported.content,
        headers={**compliance.headers, "Content-Type": "application/json"},
    )
    assert also.json()["status"] == "draft"
    for version in (created.json()["version"], also.json()["version"]):
        back = await client.get(f"{VERSIONS}/{version}/export?format=json", headers=compliance.headers)
        assert json.loads(back.content) == document


async def test_a_broken_import_is_a_422_and_creates_nothing(
    client: Any, factory: Factory, db: Database
) -> None:
    compliance = await factory.person("compliance")
    for fmt, content in (
        ("toml", b"title = 'x'\n[rules\n"),
        ("json", b'{"title": "x"}'),
        ("toml", b"\xff\xfe"),
    ):
        answer = problem(
            await client.post(f"{VERSIONS}/import?format={fmt}", content=content, headers=compliance.headers)
        )
        assert answer["status"] == 422
        assert answer["detail"].startswith(f"charter document ({fmt})")
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM charters") == 0


async def test_only_compliance_manages_versions(client: Any, factory: Factory, in_force: CharterRead) -> None:
    curator = await factory.person("curator", ambassador=True)
    for response in (
        await client.get(f"{VERSIONS}/{in_force.version}/export", headers=curator.headers),
        await client.post(VERSIONS, json=draft_body({}), headers=curator.headers),
        await client.get(f"{VERSIONS}/activations", headers=curator.headers),
    ):
        assert problem(response)["status"] == 403


async def test_the_activation_history_lists_every_activation_newest_first_with_who(
    client: Any, factory: Factory, in_force: CharterRead
) -> None:
    compliance = await factory.person("compliance")
    draft = await client.post(VERSIONS, json=draft_body({}, material_change=True), headers=compliance.headers)
    version = draft.json()["version"]
    await client.post(f"{VERSIONS}/{version}/activate", headers=compliance.headers)
    first = await client.get(f"{VERSIONS}/activations?limit=1", headers=compliance.headers)
    assert first.status_code == 200, first.text
    [latest] = first.json()["items"]
    assert (latest["version"], latest["material_change"], latest["activated_by"]) == (
        version,
        True,
        str(compliance.person.id),
    )
    rest = await client.get(
        f"{VERSIONS}/activations?cursor={first.json()['next_cursor']}", headers=compliance.headers
    )
    assert [(a["version"], a["activated_by"]) for a in rest.json()["items"]] == [(in_force.version, None)]
    assert rest.json()["next_cursor"] is None


async def test_a_version_in_force_cannot_be_edited_or_deleted(db: Database, in_force: CharterRead) -> None:
    async with db.connection() as conn:
        with pytest.raises(asyncpg.IntegrityConstraintViolationError, match="draft a new version"):
            await conn.execute("UPDATE charters SET rules = '{}' WHERE version = $1", in_force.version)
        with pytest.raises(asyncpg.IntegrityConstraintViolationError, match="cannot be deleted"):
            await conn.execute("DELETE FROM charters WHERE version = $1", in_force.version)


async def test_employees_read_the_charter_with_a_summary_of_its_rules_in_their_language(
    client: Any, factory: Factory, in_force: CharterRead
) -> None:
    english = await factory.person("employee", language="en")
    french = await factory.person("employee", language="fr")
    read_en = (await client.get("/api/v1/charter", headers=english.headers)).json()
    read_fr = (await client.get("/api/v1/charter", headers=french.headers)).json()
    assert read_en["version"] == in_force.version and read_en["body_fr"] == in_force.body_fr
    summaries_en = {rule["rule"]: rule["summary"] for rule in read_en["rules"]}
    summaries_fr = {rule["rule"]: rule["summary"] for rule in read_fr["rules"]}
    assert summaries_en.keys() == summaries_fr.keys()
    assert "#employee" in summaries_en["disclosure.missing"]
    assert "#collaborateur" in summaries_fr["disclosure.missing"]
    # Term lists are described, never listed: the code names are themselves confidential.
    assert "Atlas" not in json.dumps(read_en)
    assert "10 term(s)" in summaries_en["terms.confidential_code_names"]


def run_cli(settings: Settings, cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "SECRET_KEY": settings.secret_key,
        "DATA_DIR": str(cwd / "data"),
    }
    advocacy = Path(sys.executable).parent / "advocacy"
    return subprocess.run(
        [str(advocacy), *args], cwd=cwd, env=env, capture_output=True, timeout=60, check=False
    )


async def test_the_cli_exports_and_imports_a_charter_in_toml_and_json(
    settings: Settings, factory: Factory, in_force: CharterRead, db: Database, tmp_path: Path
) -> None:
    for fmt in ("toml", "json"):
        exported = run_cli(settings, tmp_path, "charter", "export", "--format", fmt)
        assert exported.returncode == 0, exported.stderr
        (tmp_path / f"charter.{fmt}").write_bytes(exported.stdout)
        imported = run_cli(
            settings, tmp_path, "charter", "import", f"charter.{fmt}", "--activate", "--material-change"
        )
        assert imported.returncode == 0, imported.stderr
        assert b"imported: active" in imported.stdout
        again = run_cli(settings, tmp_path, "charter", "export", "--format", fmt)
        load = tomllib.loads if fmt == "toml" else json.loads
        first, second = load(exported.stdout.decode()), load(again.stdout.decode())
        assert second == {**first, "material_change": True}
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM charter_activations") == 3


async def test_the_cli_names_the_problem_in_a_bad_file_and_exits_non_zero(
    settings: Settings, clean: None, tmp_path: Path
) -> None:
    (tmp_path / "bad.toml").write_text(
        'title = "x"\nbody_fr = "a"\nbody_en = "b"\n[rules.tone]\nshouting_min_words = 0\n'
    )
    done = run_cli(settings, tmp_path, "charter", "import", "bad.toml")
    assert done.returncode != 0
    assert b"rules.tone.shouting_min_words" in done.stderr
    missing = run_cli(settings, tmp_path, "charter", "export", "--version", "42")
    assert missing.returncode != 0 and b"no charter version 42" in missing.stderr


async def test_the_demo_organisation_has_the_default_charter_in_force_and_seeding_again_changes_nothing(
    db: Database, clean: None
) -> None:
    from advocacy.charter.rules import load_default_rules
    from advocacy.demo import seed_demo

    await seed_demo(db)
    await seed_demo(db)
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT version, status, rules FROM charters")
        activations = await conn.fetchval("SELECT count(*) FROM charter_activations")
    assert [(r["version"], r["status"]) for r in rows] == [(1, "active")]
    assert rows[0]["rules"] == msgspec.to_builtins(load_default_rules())
    assert activations == 1


async def test_a_demo_charter_seeded_without_rules_is_followed_by_one_with_the_default_rules(
    db: Database, clean: None
) -> None:
    from advocacy.demo import CHARTER_EN, CHARTER_FR, CHARTER_TITLE, seed_demo

    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO charters (version, status, title, body_fr, body_en, activated_at)"
            " VALUES (1, 'active', $1, $2, $3, now())",
            CHARTER_TITLE,
            CHARTER_FR,
            CHARTER_EN,
        )
    await seed_demo(db)
    await seed_demo(db)
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT version, status, rules <> '{}' AS has_rules FROM charters ORDER BY version"
        )
    assert [tuple(r) for r in rows] == [(1, "retired", False), (2, "active", True)]
