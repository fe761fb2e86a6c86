"""SQL for points rules: the version in force, every version, and a new one."""

from __future__ import annotations

import asyncpg
import msgspec

from advocacy.incentives.rules.schemas import PointsRules, RulesVersion


async def current_rules(conn: asyncpg.Connection) -> RulesVersion | None:
    row = await conn.fetchrow(
        "SELECT version, rules, note, created_at FROM points_rules ORDER BY version DESC LIMIT 1"
    )
    return msgspec.convert(row, RulesVersion) if row else None


async def rules_versions(conn: asyncpg.Connection) -> list[RulesVersion]:
    rows = await conn.fetch("SELECT version, rules, note, created_at FROM points_rules ORDER BY version DESC")
    return [msgspec.convert(r, RulesVersion) for r in rows]


async def insert_rules(
    conn: asyncpg.Connection, rules: PointsRules, note: str | None, actor_id: int | None
) -> RulesVersion:
    # the advisory lock makes two HR edits at once take consecutive versions instead of colliding
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('points_rules'))")
    row = await conn.fetchrow(
        "INSERT INTO points_rules (version, rules, note, created_by)"
        " SELECT COALESCE(max(version), 0) + 1, $1, $2, $3 FROM points_rules"
        " RETURNING version, rules, note, created_at",
        msgspec.to_builtins(rules),
        note,
        actor_id,
    )
    return msgspec.convert(row, RulesVersion)
