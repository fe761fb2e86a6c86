"""Charter versions: drafts, activation (exactly one active), reading the one in force."""

from __future__ import annotations

from advocacy.audit.queries import write_audit
from advocacy.charter import queries
from advocacy.charter.schemas import CharterDraftCreate, CharterRead
from advocacy.db.pool import Database
from content_library.errors import Conflict, NotFound


async def active_charter(db: Database) -> CharterRead:
    async with db.connection() as conn:
        charter = await queries.active_charter(conn)
    if charter is None:
        raise NotFound("No charter is active yet: compliance must activate one")
    return charter


async def list_charters(db: Database) -> list[CharterRead]:
    async with db.connection() as conn:
        return await queries.charters(conn)


async def create_draft(db: Database, body: CharterDraftCreate, *, actor_id: int | None) -> CharterRead:
    async with db.transaction() as conn:
        charter = await queries.insert_draft(
            conn,
            title=body.title,
            body_fr=body.body_fr,
            body_en=body.body_en,
            material_change=body.material_change,
            rules=body.rules,
            created_by=actor_id,
        )
        await write_audit(
            conn,
            actor_id=actor_id,
            action="charter.drafted",
            subject_type="charter",
            subject_id=str(charter.version),
        )
    return charter


async def activate(db: Database, version: int, *, actor_id: int | None) -> CharterRead:
    async with db.transaction() as conn:
        existing = await queries.charter_by_version(conn, version)
        if existing is None:
            raise NotFound(f"There is no charter version {version}")
        charter = await queries.activate(conn, version, activated_by=actor_id)
        if charter is None:
            raise Conflict(f"Charter version {version} is {existing.status}; only a draft can be activated")
        await write_audit(
            conn,
            actor_id=actor_id,
            action="charter.activated",
            subject_type="charter",
            subject_id=str(version),
            detail={"material_change": charter.material_change},
        )
    return charter
