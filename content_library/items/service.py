"""Decisions about items: drafts created and edited (each edit a new version), moved through the workflow,
read, searched, and compared version with version."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from msgspec import UNSET

from advocacy.core.errors import Conflict, Forbidden, Invalid, NotFound
from advocacy.core.i18n import lazy_gettext
from content_library.campaigns import service as campaigns
from content_library.images.storage import Storage, media_prefix
from content_library.items import queries
from content_library.items.schemas import (
    Caption,
    FieldChange,
    ItemCreate,
    ItemRead,
    ItemRow,
    ItemUpdate,
    LibraryFilter,
    Snapshot,
    TransitionIn,
    TransitionRead,
    VersionDiff,
    VersionRead,
)
from content_library.items.text import (
    check_captions,
    check_window,
    clean_hashtags,
    clean_tags,
    normalise_link,
)
from content_library.items.workflow import can_edit, check_transition
from content_library.ports import TeamIds, Transactional, now


async def _audience_values(conn: asyncpg.Connection, audience: Any, teams: TeamIds | None) -> dict[str, Any]:
    wanted = list(dict.fromkeys(audience.teams))
    assert teams is not None or not wanted, "an audience that names teams needs the people domain's team_ids"
    found = await teams(conn, wanted) if wanted and teams is not None else {}
    missing = [str(t) for t in wanted if t not in found]
    if missing:
        raise Invalid(
            "Unknown team(s) in the audience: " + ", ".join(missing), extra={"field": "audience.teams"}
        )
    return {
        "audience_team_ids": [found[t] for t in wanted],
        "audience_locations": sorted({loc.strip().lower() for loc in audience.locations if loc.strip()}),
        "audience_languages": sorted(set(audience.languages)),
    }


async def read_item(conn: asyncpg.Connection, item_id: int, storage: Storage | None) -> ItemRead:
    items = await queries.items_read(conn, [item_id], at=now(), media=media_prefix(storage))
    return items[0]


def snapshot_of(item: ItemRead) -> Snapshot:
    return Snapshot(
        title=item.title,
        summary=item.summary,
        link=item.link,
        campaign=item.campaign.slug if item.campaign else None,
        captions=item.captions,
        tags=item.tags,
        hashtags=item.hashtags,
        networks=list(item.networks),
        audience=item.audience,
        starts_at=item.starts_at,
        expires_at=item.expires_at,
        pinned=item.pinned,
        priority=item.priority,
        caption_policy=item.caption_policy,
        allow_reshare=item.allow_reshare,
        images=[image.id for image in item.images],
    )


async def _record_version(
    conn: asyncpg.Connection, item_id: int, actor_id: int | None, storage: Storage | None
) -> ItemRead:
    await queries.refresh_search_doc(conn, item_id)
    item = await read_item(conn, item_id, storage)
    await queries.insert_version(conn, item_id, item.version, snapshot_of(item), actor_id)
    return item


async def create_item(
    db: Transactional,
    body: ItemCreate,
    *,
    actor_id: int | None,
    teams: TeamIds,
    storage: Storage | None = None,
    source_id: int | None = None,
) -> ItemRead:
    check_window(body.starts_at, body.expires_at)
    captions = check_captions(body.captions)
    async with db.transaction() as conn:
        return await create_draft(
            conn, body, captions, actor_id=actor_id, teams=teams, storage=storage, source_id=source_id
        )


async def create_draft(
    conn: asyncpg.Connection,
    body: ItemCreate,
    captions: list[Caption],
    *,
    actor_id: int | None,
    teams: TeamIds | None,
    storage: Storage | None,
    source_id: int | None = None,
    campaign_id: int | None = None,
) -> ItemRead:
    """A new draft in this transaction. `teams` (the people domain's lookup) may be None only where the
    body names no team, as in a source's drafts."""
    values: dict[str, Any] = {
        "title": body.title,
        "summary": body.summary,
        "link": normalise_link(body.link) if body.link else None,
        "campaign_id": campaign_id
        if campaign_id is not None
        else await campaigns.campaign_id_of(conn, body.campaign),
        "caption_policy": body.caption_policy,
        "allow_reshare": body.allow_reshare,
        "starts_at": body.starts_at,
        "expires_at": body.expires_at,
        "pinned": body.pinned,
        "priority": body.priority,
        "tags": clean_tags(body.tags),
        "hashtags": clean_hashtags(body.hashtags),
        "networks": list(dict.fromkeys(body.networks)),
        "source_id": source_id,
        "created_by": actor_id,
        "updated_by": actor_id,
        **await _audience_values(conn, body.audience, teams),
    }
    item_id, _ = await queries.insert_item(conn, values)
    await queries.replace_captions(conn, item_id, captions)
    await queries.insert_transition(
        conn, item_id, from_status=None, to_status="draft", version=1, actor_id=actor_id, comment=None
    )
    return await _record_version(conn, item_id, actor_id, storage)


async def existing_row(conn: asyncpg.Connection, public_id: UUID) -> ItemRow:
    row = await queries.item_row(conn, public_id)
    if row is None:
        raise NotFound(lazy_gettext("No such content item."))
    return row


async def editable_row(conn: asyncpg.Connection, public_id: UUID) -> ItemRow:
    row = await queries.item_row(conn, public_id, for_update=True)
    if row is None:
        raise NotFound(lazy_gettext("No such content item."))
    return row


async def back_to_review(conn: asyncpg.Connection, row: ItemRow, actor_id: int | None, comment: str) -> None:
    await queries.update_item(
        conn,
        row.id,
        {"status": "in_review", "approved_at": None, "approved_by": None, "updated_by": actor_id},
    )
    await queries.insert_transition(
        conn,
        row.id,
        from_status="approved",
        to_status="in_review",
        version=row.version,
        actor_id=actor_id,
        comment=comment,
    )


async def update_item(
    db: Transactional,
    public_id: UUID,
    body: ItemUpdate,
    *,
    actor_id: int,
    roles: Iterable[str],
    teams: TeamIds,
    storage: Storage | None = None,
) -> ItemRead:
    """Change an item: a new version; an approved item goes back to review unless a reviewer keeps it."""
    if not can_edit(roles):
        raise Forbidden(lazy_gettext("Only curators edit content items."))
    async with db.transaction() as conn:
        row = await editable_row(conn, public_id)
        if row.status == "archived":
            raise Conflict(
                lazy_gettext("This item is archived: restore it to draft before editing."),
                extra={"reason": "archived"},
            )
        fields = {k: v for k, v in msgspec.structs.asdict(body).items() if v is not UNSET}
        fields.pop("send_back_to_review", None)
        comment = fields.pop("comment", None)
        changes: dict[str, Any] = {}
        for name in (
            "title",
            "summary",
            "caption_policy",
            "allow_reshare",
            "starts_at",
            "expires_at",
            "pinned",
            "priority",
        ):
            if name in fields:
                changes[name] = fields[name]
        if "link" in fields:
            changes["link"] = normalise_link(fields["link"]) if fields["link"] else None
        if "campaign" in fields:
            changes["campaign_id"] = await campaigns.campaign_id_of(
                conn, body.campaign if body.campaign is not UNSET else None
            )
        if "tags" in fields:
            changes["tags"] = clean_tags(fields["tags"])
        if "hashtags" in fields:
            changes["hashtags"] = clean_hashtags(fields["hashtags"])
        if "networks" in fields:
            changes["networks"] = list(dict.fromkeys(fields["networks"]))
        if body.audience is not UNSET:
            changes.update(await _audience_values(conn, body.audience, teams))
        check_window(changes.get("starts_at", row.starts_at), changes.get("expires_at", row.expires_at))
        if not changes and body.captions is UNSET:
            raise Invalid(lazy_gettext("Nothing to change."))
        changes["version"] = row.version + 1
        changes["updated_by"] = actor_id
        status = row.status
        if row.status == "approved":
            if body.send_back_to_review:
                status = "in_review"
            else:  # keeping one's own edit approved would be approving it oneself (invariant 10)
                raise Forbidden(
                    lazy_gettext(
                        "An edited item goes back to review: another reviewer approves it again (nobody approves their own edit)."
                    ),
                    extra={"reason": "self-approval"},
                )
        if status != row.status:
            changes["status"] = status
            changes["approved_at"] = None
            changes["approved_by"] = None
        await queries.update_item(conn, row.id, changes)
        if body.captions is not UNSET:
            await queries.replace_captions(conn, row.id, check_captions(body.captions))
        if status != row.status:
            await queries.insert_transition(
                conn,
                row.id,
                from_status=row.status,
                to_status=status,
                version=row.version + 1,
                actor_id=actor_id,
                comment=comment or "edited after approval",
            )
        return await _record_version(conn, row.id, actor_id, storage)


async def transition(
    db: Transactional,
    public_id: UUID,
    body: TransitionIn,
    *,
    actor_id: int,
    roles: Iterable[str],
    storage: Storage | None = None,
) -> ItemRead:
    async with db.transaction() as conn:
        row = await editable_row(conn, public_id)
        missing = await queries.languages_missing_alt_text(conn, row.id) if body.to == "approved" else []
        own = actor_id in (row.created_by, await queries.last_editor(conn, row.id))
        check_transition(
            row.status,
            body.to,
            roles,
            is_own=own,
            languages_missing_alt=missing,
        )
        changes: dict[str, Any] = {"status": body.to}
        if body.to == "approved":
            changes.update(approved_at=now(), approved_by=actor_id)
        elif body.to == "in_review":
            changes["submitted_by"] = actor_id
        await queries.update_item(conn, row.id, changes)
        await queries.insert_transition(
            conn,
            row.id,
            from_status=row.status,
            to_status=body.to,
            version=row.version,
            actor_id=actor_id,
            comment=body.comment,
        )
        return await read_item(conn, row.id, storage)


async def get_item(db: Transactional, public_id: UUID, *, storage: Storage | None = None) -> ItemRead:
    async with db.connection() as conn:
        row = await existing_row(conn, public_id)
        return await read_item(conn, row.id, storage)


async def search_items(
    db: Transactional, flt: LibraryFilter, *, after_id: int | None, limit: int, storage: Storage | None = None
) -> list[tuple[int, ItemRead]]:
    async with db.connection() as conn:
        ids = await queries.library_page(conn, flt, after_id=after_id, limit=limit)
        items = await queries.items_read(conn, ids, at=now(), media=media_prefix(storage))
    return list(zip(ids, items, strict=True))


async def versions(db: Transactional, public_id: UUID) -> list[VersionRead]:
    async with db.connection() as conn:
        row = await existing_row(conn, public_id)
        return await queries.versions_of_item(conn, row.id)


def diff_snapshots(before: Snapshot, after: Snapshot) -> list[FieldChange]:
    left = msgspec.to_builtins(before)
    right = msgspec.to_builtins(after)
    return [
        FieldChange(field=name, before=left.get(name), after=right.get(name))
        for name in Snapshot.__struct_fields__
        if left.get(name) != right.get(name)
    ]


async def diff_versions(db: Transactional, public_id: UUID, a: int, b: int) -> VersionDiff:
    async with db.connection() as conn:
        row = await existing_row(conn, public_id)
        first = await queries.version_of_item(conn, row.id, a)
        second = await queries.version_of_item(conn, row.id, b)
    if first is None or second is None:
        raise NotFound(
            lazy_gettext("Version %(value)s of this item does not exist.", value=a if first is None else b)
        )
    return VersionDiff(from_version=a, to_version=b, changes=diff_snapshots(first.snapshot, second.snapshot))


async def transitions(db: Transactional, public_id: UUID) -> list[TransitionRead]:
    async with db.connection() as conn:
        row = await existing_row(conn, public_id)
        return await queries.transitions_of_item(conn, row.id)
