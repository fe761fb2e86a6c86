"""SQL for outgoing mail rows: queueing (one or a batch), reading one, and each step of its sending."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from advocacy.mail.schemas import MailRow, Recipient

_COLUMNS = (
    "id, kind, person_id, to_address, language, subject_ref, context, message_id, status, attempts,"
    " last_error, created_at, sent_at"
)


async def insert_mail(
    conn: asyncpg.Connection,
    *,
    kind: str,
    recipients: list[Recipient],
    message_ids: list[str],
    context: dict[str, Any],
) -> list[int]:
    rows = await conn.fetch(
        "INSERT INTO mail_messages (kind, person_id, to_address, language, subject_ref, message_id, context)"
        " SELECT $1, r.person_id, r.to_address, r.language, r.subject_ref, r.message_id, $7"
        " FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[])"
        "   WITH ORDINALITY AS r(person_id, to_address, language, subject_ref, message_id, n)"
        " ORDER BY r.n RETURNING id",
        kind,
        [r.person_id for r in recipients],
        [r.to_address for r in recipients],
        [r.language for r in recipients],
        [r.subject_ref for r in recipients],
        message_ids,
        context,
    )
    return [r["id"] for r in rows]


async def mail_by_id(conn: asyncpg.Connection, mail_id: int) -> MailRow | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM mail_messages WHERE id = $1", mail_id)
    return msgspec.convert(row, MailRow) if row else None


async def mail_of_person(conn: asyncpg.Connection, person_id: int) -> list[MailRow]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM mail_messages WHERE person_id = $1 ORDER BY id", person_id
    )
    return [msgspec.convert(r, MailRow) for r in rows]


async def mark_sending(conn: asyncpg.Connection, mail_id: int) -> None:
    await conn.execute(
        "UPDATE mail_messages SET status = 'sending', attempts = attempts + 1 WHERE id = $1", mail_id
    )


async def set_status(conn: asyncpg.Connection, mail_id: int, status: str, error: str | None = None) -> None:
    await conn.execute(
        "UPDATE mail_messages SET status = $2, last_error = COALESCE($3, last_error),"
        " sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END WHERE id = $1",
        mail_id,
        status,
        error[:2000] if error else None,
    )
