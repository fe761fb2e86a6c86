"""SQL for charter versions, their activations, the ring buffer of texts checked at share time, and the
charter training (lessons and quiz of a version, the organisation's setting, each person's results)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from advocacy.charter.schemas import ActivationRead, CharterRead, KeptText

_COLUMNS = "version, status, title, body_fr, body_en, material_change, created_at, activated_at"


async def active_charter(conn: asyncpg.Connection) -> CharterRead | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM charters WHERE status = 'active'")
    return msgspec.convert(row, CharterRead) if row else None


async def active_charter_id_and_version(conn: asyncpg.Connection) -> tuple[int, int] | None:
    row = await conn.fetchrow("SELECT id, version FROM charters WHERE status = 'active'")
    return (row["id"], row["version"]) if row else None


async def charter_by_version(conn: asyncpg.Connection, version: int) -> CharterRead | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM charters WHERE version = $1", version)
    return msgspec.convert(row, CharterRead) if row else None


async def charters(conn: asyncpg.Connection) -> list[CharterRead]:
    rows = await conn.fetch(f"SELECT {_COLUMNS} FROM charters ORDER BY version DESC")
    return [msgspec.convert(r, CharterRead) for r in rows]


async def charter_rules(conn: asyncpg.Connection, version: int) -> dict[str, Any] | None:
    rules: dict[str, Any] | None = await conn.fetchval(
        "SELECT rules FROM charters WHERE version = $1", version
    )
    return rules


async def charter_id_and_rules(conn: asyncpg.Connection, version: int) -> tuple[int, dict[str, Any]] | None:
    row = await conn.fetchrow("SELECT id, rules FROM charters WHERE version = $1", version)
    return (row["id"], row["rules"]) if row else None


async def insert_draft(
    conn: asyncpg.Connection,
    *,
    title: str,
    body_fr: str,
    body_en: str,
    material_change: bool,
    rules: dict[str, Any],
    created_by: int | None,
    training: dict[str, Any] | None = None,
) -> CharterRead:
    # Serialised by a lock so two drafts created at once never pick the same number.
    await conn.execute("LOCK TABLE charters IN SHARE ROW EXCLUSIVE MODE")
    row = await conn.fetchrow(
        "INSERT INTO charters (version, title, body_fr, body_en, material_change, rules, created_by, training)"
        " SELECT COALESCE(max(version), 0) + 1, $1, $2, $3, $4, $5, $6, $7 FROM charters"
        f" RETURNING {_COLUMNS}",
        title,
        body_fr,
        body_en,
        material_change,
        rules,
        created_by,
        training,
    )
    return msgspec.convert(row, CharterRead)


async def activate(conn: asyncpg.Connection, version: int, *, activated_by: int | None) -> CharterRead | None:
    """Make this version the only active one and record the activation; None if it is not a draft."""
    charter_id = await conn.fetchval(
        "SELECT id FROM charters WHERE version = $1 AND status = 'draft'", version
    )
    if charter_id is None:
        return None
    await conn.execute("UPDATE charters SET status = 'retired' WHERE status = 'active'")
    row = await conn.fetchrow(
        f"UPDATE charters SET status = 'active', activated_at = now() WHERE id = $1 RETURNING {_COLUMNS}",
        charter_id,
    )
    await conn.execute(
        "INSERT INTO charter_activations (charter_id, material_change, activated_by)"
        " SELECT id, material_change, $2 FROM charters WHERE id = $1",
        charter_id,
        activated_by,
    )
    await conn.execute("SELECT pg_notify('charter_activated', $1::text)", str(version))
    return msgspec.convert(row, CharterRead)


async def activations_page(
    conn: asyncpg.Connection, *, before_id: int | None, limit: int
) -> list[tuple[int, ActivationRead]]:
    """Activation history, newest first; the person who activated is named by public id while they exist."""
    rows = await conn.fetch(
        "SELECT a.id, c.version, c.title, a.material_change, p.public_id AS activated_by, a.activated_at"
        " FROM charter_activations a JOIN charters c ON c.id = a.charter_id"
        " LEFT JOIN people p ON p.id = a.activated_by"
        " WHERE $1::bigint IS NULL OR a.id < $1"
        " ORDER BY a.id DESC LIMIT $2",
        before_id,
        limit,
    )
    return [(row["id"], msgspec.convert(row, ActivationRead)) for row in rows]


async def record_checked_text(
    conn: asyncpg.Connection,
    *,
    text: str,
    text_sha256: str,
    network: str,
    language: str,
    content: dict[str, Any] | None,
    decision: str,
    charter_id: int,
) -> None:
    """Keep a text checked at share time in the 1 000-slot ring buffer (the same text refreshes its row)."""
    await conn.execute(
        "WITH again AS ("
        "  UPDATE charter_checked_texts SET content = $5, decision = $6, charter_id = $7, checked_at = now()"
        "  WHERE text_sha256 = $2 AND network = $3 AND language = $4 RETURNING slot"
        ")"
        " INSERT INTO charter_checked_texts"
        " (slot, text, text_sha256, network, language, content, decision, charter_id, checked_at)"
        " SELECT nextval('charter_checked_texts_slot'), $1, $2, $3, $4, $5, $6, $7, now()"
        " WHERE NOT EXISTS (SELECT 1 FROM again)"
        " ON CONFLICT (slot) DO UPDATE SET text = EXCLUDED.text, text_sha256 = EXCLUDED.text_sha256,"
        " network = EXCLUDED.network, language = EXCLUDED.language, content = EXCLUDED.content,"
        " decision = EXCLUDED.decision, charter_id = EXCLUDED.charter_id, checked_at = EXCLUDED.checked_at",
        text,
        text_sha256,
        network,
        language,
        content,
        decision,
        charter_id,
    )


async def kept_texts(conn: asyncpg.Connection) -> list[KeptText]:
    """Every kept text (at most 1 000), newest first."""
    rows = await conn.fetch(
        "SELECT k.text, k.network, k.language, k.content, k.decision, c.version AS charter_version, k.checked_at"
        " FROM charter_checked_texts k JOIN charters c ON c.id = k.charter_id"
        " ORDER BY k.checked_at DESC"
    )
    return [msgspec.convert(row, KeptText) for row in rows]


async def charter_training_by_version(conn: asyncpg.Connection, version: int) -> dict[str, Any] | None:
    training: dict[str, Any] | None = await conn.fetchval(
        "SELECT training FROM charters WHERE version = $1", version
    )
    return training


async def charter_training(conn: asyncpg.Connection, charter_id: int) -> dict[str, Any] | None:
    training: dict[str, Any] | None = await conn.fetchval(
        "SELECT training FROM charters WHERE id = $1", charter_id
    )
    return training


async def set_charter_training(conn: asyncpg.Connection, charter_id: int, training: dict[str, Any]) -> None:
    await conn.execute("UPDATE charters SET training = $2 WHERE id = $1", charter_id, training)


async def training_required(conn: asyncpg.Connection) -> bool:
    value = await conn.fetchval(
        "SELECT settings -> 'charter_training_required' FROM organisation WHERE id = 1"
    )
    return bool(value)


async def set_training_required(conn: asyncpg.Connection, required: bool) -> None:
    await conn.execute(
        "INSERT INTO organisation (id, name, settings) VALUES (1, 'Organisation', jsonb_build_object("
        "'charter_training_required', $1::boolean))"
        " ON CONFLICT (id) DO UPDATE SET settings = organisation.settings"
        " || jsonb_build_object('charter_training_required', $1::boolean)",
        required,
    )


async def insert_quiz_result(
    conn: asyncpg.Connection,
    *,
    person_id: int,
    charter_id: int,
    correct: int,
    question_count: int,
    percent: int,
    passed: bool,
    answers: list[list[int]],
) -> datetime:
    taken_at: datetime = await conn.fetchval(
        "INSERT INTO charter_quiz_results"
        " (person_id, charter_id, correct, question_count, percent, passed, answers)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING taken_at",
        person_id,
        charter_id,
        correct,
        question_count,
        percent,
        passed,
        answers,
    )
    return taken_at


class TrainingRecord(msgspec.Struct, frozen=True, kw_only=True):
    attempts: int
    best_percent: int | None
    passed_at: datetime | None  # the latest pass since the given instant


async def my_training_results(
    conn: asyncpg.Connection, person_id: int, charter_id: int, *, passed_since: datetime
) -> TrainingRecord:
    row = await conn.fetchrow(
        "SELECT count(*)::int AS attempts, max(percent) AS best_percent,"
        " max(taken_at) FILTER (WHERE passed AND taken_at >= $3) AS passed_at"
        " FROM charter_quiz_results WHERE person_id = $1 AND charter_id = $2",
        person_id,
        charter_id,
        passed_since,
    )
    return msgspec.convert(row, TrainingRecord)


class TeamCompletionRow(msgspec.Struct, frozen=True, kw_only=True):
    team: str | None
    people: int
    attempted: int
    passed: int


async def training_completion(conn: asyncpg.Connection, charter_id: int) -> list[TeamCompletionRow]:
    """Per team (None: people without one), the active employees, those who tried the quiz, those who passed."""
    rows = await conn.fetch(
        "SELECT t.name AS team, count(*)::int AS people,"
        " count(*) FILTER (WHERE r.tried)::int AS attempted, count(*) FILTER (WHERE r.passed)::int AS passed"
        " FROM people p LEFT JOIN teams t ON t.id = p.team_id"
        " LEFT JOIN LATERAL (SELECT count(*) > 0 AS tried, bool_or(q.passed) AS passed FROM charter_quiz_results q"
        "   WHERE q.person_id = p.id AND q.charter_id = $1) r ON true"
        " WHERE p.active AND EXISTS (SELECT 1 FROM person_roles x WHERE x.person_id = p.id AND x.role = 'employee')"
        " GROUP BY t.name ORDER BY t.name NULLS LAST",
        charter_id,
    )
    return [msgspec.convert(r, TeamCompletionRow) for r in rows]
