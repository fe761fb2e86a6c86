"""SQL of suggestions, and only SQL: an ambassador's link and note, and the curators' decision on it."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import msgspec

from content_library.suggestions.schemas import SuggestionRead, SuggestionRow

_SUGGESTION = """
SELECT s.public_id AS id, s.link, s.note, s.status, s.decline_reason, ci.public_id AS item,
       p.public_id AS suggested_by,
       (SELECT a.public_id FROM content_assets a WHERE a.suggestion_id = s.id ORDER BY a.id LIMIT 1) AS image,
       s.created_at, s.decided_at
FROM content_suggestions s
LEFT JOIN content_items ci ON ci.id = s.item_id
LEFT JOIN person_refs p ON p.id = s.person_id
"""


async def insert_suggestion(
    conn: asyncpg.Connection, person_id: int, link: str, note: str | None
) -> tuple[int, UUID]:
    row = await conn.fetchrow(
        "INSERT INTO content_suggestions (person_id, link, note) VALUES ($1, $2, $3) RETURNING id, public_id",
        person_id,
        link,
        note,
    )
    assert row is not None
    return row["id"], row["public_id"]


async def suggestion(conn: asyncpg.Connection, public_id: UUID) -> SuggestionRead | None:
    row = await conn.fetchrow(_SUGGESTION + " WHERE s.public_id = $1", public_id)
    return msgspec.convert(row, SuggestionRead) if row else None


async def suggestion_for_update(conn: asyncpg.Connection, public_id: UUID) -> SuggestionRow | None:
    row = await conn.fetchrow(
        "SELECT id, person_id, link, note, status FROM content_suggestions WHERE public_id = $1 FOR UPDATE",
        public_id,
    )
    return msgspec.convert(row, SuggestionRow) if row else None


async def decide_suggestion(
    conn: asyncpg.Connection,
    suggestion_id: int,
    *,
    status: str,
    reason: str | None,
    item_id: int | None,
    by: int,
) -> None:
    await conn.execute(
        "UPDATE content_suggestions SET status = $2, decline_reason = $3, item_id = $4, decided_by = $5,"
        " decided_at = now() WHERE id = $1",
        suggestion_id,
        status,
        reason,
        item_id,
        by,
    )


async def suggestions_page(
    conn: asyncpg.Connection, *, person_id: int | None, status: str | None, after_id: int | None, limit: int
) -> list[tuple[int, SuggestionRead]]:
    rows = await conn.fetch(
        "SELECT * FROM ("
        + _SUGGESTION.replace("SELECT s.public_id", "SELECT s.id AS pk, s.person_id AS owner, s.public_id", 1)
        + ") x"
        " WHERE ($1::bigint IS NULL OR owner = $1) AND ($2::text IS NULL OR status = $2)"
        " AND ($3::bigint IS NULL OR pk < $3) ORDER BY pk DESC LIMIT $4",
        person_id,
        status,
        after_id,
        limit,
    )
    return [(r["pk"], msgspec.convert(r, SuggestionRead)) for r in rows]
