"""Points rules: the version in force (the defaults until HR sets one), every version, and a new version
(audited)."""

from __future__ import annotations

import asyncpg

from advocacy.audit.service import write_audit
from advocacy.db.pool import Database
from advocacy.incentives.rules import queries
from advocacy.incentives.rules.policy import DEFAULT_RULES
from advocacy.incentives.rules.schemas import PointsRules, RulesUpdate, RulesVersion


async def rules_in_force(conn: asyncpg.Connection) -> tuple[int, PointsRules]:
    """(version, rules) in force: version 0 and the default rules until HR sets any."""
    current = await queries.current_rules(conn)
    if current is None:
        return 0, DEFAULT_RULES
    return current.version, current.rules


async def rules(db: Database) -> RulesVersion:
    async with db.connection() as conn:
        version, current = await rules_in_force(conn)
        stored = await queries.current_rules(conn)
    return stored or RulesVersion(version=version, rules=current, note="default rules", created_at=None)


async def rules_history(db: Database) -> list[RulesVersion]:
    async with db.connection() as conn:
        return await queries.rules_versions(conn)


async def set_rules(db: Database, body: RulesUpdate, actor_id: int) -> RulesVersion:
    async with db.transaction() as conn:
        version = await queries.insert_rules(conn, body.rules, body.note, actor_id)
        await write_audit(
            conn,
            actor_id=actor_id,
            action="points_rules.changed",
            subject_type="points_rules",
            subject_id=str(version.version),
            detail={"note": body.note},
        )
    return version
