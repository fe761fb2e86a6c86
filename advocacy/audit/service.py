"""The audit log as other domains use it: one call records who did what, inside the caller's transaction."""

from __future__ import annotations

from typing import Any

import asyncpg

from advocacy.audit import queries


async def write_audit(
    conn: asyncpg.Connection,
    *,
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: str | None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one entry; on `conn` so that it commits or rolls back with the change it records."""
    await queries.insert_entry(
        conn,
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        detail=detail,
    )
