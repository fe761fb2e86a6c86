"""Sharing preferences: a person's own (their Mastodon server) and the organisation's (fatigue limits and
sharing hours, audited when changed)."""

from __future__ import annotations

import msgspec

from advocacy.audit.service import write_audit
from advocacy.auth.schemas import Principal
from advocacy.core.organisation import organisation
from advocacy.db.pool import Database
from advocacy.shares import queries
from advocacy.shares.limits import SharingSettings, sharing_settings_from
from advocacy.shares.schemas import SharePreferences


async def preferences(db: Database, principal: Principal) -> SharePreferences:
    async with db.connection() as conn:
        return SharePreferences(mastodon_instance=await queries.mastodon_instance(conn, principal.person_id))


async def set_preferences(db: Database, principal: Principal, body: SharePreferences) -> SharePreferences:
    host = body.mastodon_instance.lower() if body.mastodon_instance else None
    async with db.transaction() as conn:
        await queries.upsert_preferences(conn, principal.person_id, host)
    return SharePreferences(mastodon_instance=host)


async def sharing_settings(db: Database) -> SharingSettings:
    return sharing_settings_from((await organisation(db)).settings)


async def set_sharing_settings(db: Database, body: SharingSettings, *, actor_id: int) -> SharingSettings:
    async with db.transaction() as conn:
        await queries.set_sharing_settings(conn, msgspec.to_builtins(body))
        await write_audit(
            conn, actor_id=actor_id, action="organisation.sharing_settings", subject_type="organisation", subject_id="1",
            detail=msgspec.to_builtins(body),
        )  # fmt: skip
    return body
