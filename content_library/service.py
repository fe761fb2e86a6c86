"""Decisions of the content library: items and their versions, the workflow, campaigns, images and
renditions, suggestions, the employee feed, and what the share flow reads of an item."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

import asyncpg
import msgspec
from msgspec import UNSET

from advocacy.core.roles import effective_roles
from content_library import queries
from content_library.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from content_library.images import (
    LOGO_MAX_SIDE,
    NEAR_DUPLICATE_DISTANCE,
    SNIFF_BYTES,
    Corner,
    FrameOverlay,
    IngestedImage,
    LogoOverlay,
    Overlay,
    ingest,
    make_renditions,
    phash_distance,
    sniff,
)
from content_library.schemas import (
    AssetRead,
    CampaignCreate,
    CampaignRead,
    CampaignUpdate,
    Caption,
    CaptionIn,
    FieldChange,
    ImageUpdate,
    ItemCreate,
    ItemRead,
    ItemRow,
    ItemUpdate,
    LibraryFilter,
    LibrarySettings,
    Snapshot,
    SuggestionRead,
    TransitionIn,
    TransitionRead,
    VersionDiff,
    VersionRead,
)
from content_library.storage import Storage, etag_for, new_key
from content_library.workflow import can_edit, check_transition

log = logging.getLogger("content_library")

RENDITIONS_JOB = "content.renditions"
NEAR_DUPLICATE_WINDOW = 2000  # how many recent uploads a new one is compared with
MEDIA_PREFIX = "/media/"


class Transactional(Protocol):
    """What services need of the database: a unit of work, or a connection for reads."""

    def transaction(self) -> AbstractAsyncContextManager[asyncpg.Connection]: ...

    def connection(self) -> AbstractAsyncContextManager[asyncpg.Connection]: ...


class Enqueue(Protocol):
    """The outbox's `enqueue`, handed in by the caller (the library does not import the service)."""

    def __call__(
        self,
        conn: asyncpg.Connection,
        job: str,
        args: dict[str, Any] | None = None,
        *,
        dedupe_key: str | None = None,
    ) -> Awaitable[int | None]: ...


def media_prefix(storage: Storage | None) -> str:
    return storage.url_path("k")[:-1] if storage is not None else MEDIA_PREFIX


def now() -> datetime:
    return datetime.now(UTC)


# --- links ------------------------------------------------------------------------------------------


def normalise_link(url: str) -> str:
    """An http(s) URL with scheme and host lower-cased, default port and fragment dropped; Invalid otherwise."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise Invalid("The link must be an http or https address.", extra={"field": "link"})
    if parts.username or parts.password:
        raise Invalid("The link must not carry a user name or password.", extra={"field": "link"})
    scheme = parts.scheme.lower()
    try:
        host = parts.hostname.encode("idna").decode("ascii").lower()
        port = parts.port
    except (UnicodeError, ValueError):
        raise Invalid("The link's host is not valid.", extra={"field": "link"}) from None
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


# --- captions ---------------------------------------------------------------------------------------


def pick_caption(captions: Iterable[Caption], network: str | None, language: str) -> str | None:
    """The caption for network in language, else that language's default caption."""
    default = None
    for caption in captions:
        if caption.language != language:
            continue
        if caption.network == network and network is not None:
            return caption.body
        if caption.network is None:
            default = caption.body
    return default


def _check_captions(captions: Sequence[CaptionIn]) -> list[Caption]:
    seen: set[tuple[str | None, str]] = set()
    for caption in captions:
        key = (caption.network, caption.language)
        if key in seen:
            raise Invalid(
                f"Two captions for {caption.network or 'default'} in {caption.language}.",
                extra={"field": "captions"},
            )
        seen.add(key)
    return [Caption(network=c.network, language=c.language, body=c.body) for c in captions]


def _check_window(starts_at: datetime | None, expires_at: datetime | None) -> None:
    for value in (starts_at, expires_at):
        if value is not None and value.tzinfo is None:
            raise Invalid("Dates need a time zone (e.g. 2026-05-01T09:00:00Z).")
    if starts_at and expires_at and expires_at <= starts_at:
        raise Invalid("The item must expire after it starts.", extra={"field": "expires_at"})


# --- library settings -------------------------------------------------------------------------------


async def library_settings(db: Transactional) -> LibrarySettings:
    async with db.connection() as conn:
        return await queries.library_settings(conn)


async def set_library_settings(db: Transactional, **values: Any) -> LibrarySettings:
    known = {k: v for k, v in values.items() if k in LibrarySettings.__struct_fields__}
    merged = msgspec.convert(known, LibrarySettings)  # validates before writing
    async with db.transaction() as conn:
        await queries.merge_organisation_settings(
            conn, {k: v for k, v in msgspec.to_builtins(merged).items() if k in known}
        )
        return await queries.library_settings(conn)


def brand_overlay(settings: LibrarySettings, logo: bytes | None = None) -> Overlay | None:
    """The organisation's overlay for renditions: its logo (the stored bytes of `brand_logo_key`) in the
    chosen corner when there is one, which takes precedence over the frame; else the frame if a colour is
    set; else none. Renditions already made keep the overlay they were made with until re-run."""
    if logo is not None:
        return LogoOverlay(
            logo=logo,
            corner=settings.brand_logo_corner,
            size=settings.brand_logo_size,
            margin=settings.brand_logo_margin,
        )
    if settings.brand_frame_color:
        return FrameOverlay(color=settings.brand_frame_color, width=settings.brand_frame_width)
    return None


async def set_brand_logo(
    db: Transactional,
    storage: Storage,
    chunks: AsyncIterator[bytes],
    *,
    max_bytes: int,
    max_pixels: int,
    corner: Corner | None = None,
    size: float | None = None,
    margin: float | None = None,
) -> LibrarySettings:
    """Keep an uploaded logo (checked and cleaned like any image; PNG transparency kept; scaled down to
    LOGO_MAX_SIDE) under a fresh key, record it and its placement, and drop the logo it replaces."""
    placement = {
        name: value
        for name, value in (
            ("brand_logo_corner", corner),
            ("brand_logo_size", size),
            ("brand_logo_margin", margin),
        )
        if value is not None
    }
    try:  # bounds checked before the upload is read
        msgspec.convert(msgspec.to_builtins(placement), LibrarySettings)
    except msgspec.ValidationError as exc:
        raise Invalid(f"Invalid logo placement: {exc}.") from None
    _, key = await receive_image(
        storage, chunks, max_bytes=max_bytes, max_pixels=max_pixels, prefix="brand", max_side=LOGO_MAX_SIDE
    )
    try:
        async with db.transaction() as conn:
            previous = await queries.library_settings(conn, for_update=True)
            await queries.merge_organisation_settings(
                conn, msgspec.to_builtins({**placement, "brand_logo_key": key})
            )
            settings = await queries.library_settings(conn)
    except BaseException:
        await storage.delete(key)
        raise
    if previous.brand_logo_key and previous.brand_logo_key != key:
        await storage.delete(previous.brand_logo_key)
    return settings


async def remove_brand_logo(db: Transactional, storage: Storage) -> None:
    """Forget the logo (the frame, if set, applies again to new renditions) and delete its file."""
    async with db.transaction() as conn:
        previous = await queries.library_settings(conn, for_update=True)
        if previous.brand_logo_key is None:
            return
        await queries.merge_organisation_settings(conn, {"brand_logo_key": None})
    await storage.delete(previous.brand_logo_key)


# --- campaigns ---------------------------------------------------------------------------------------


async def create_campaign(db: Transactional, body: CampaignCreate, *, actor_id: int | None) -> CampaignRead:
    if body.starts_at and body.ends_at and body.ends_at <= body.starts_at:
        raise Invalid("A campaign must end after it starts.")
    async with db.transaction() as conn:
        campaign = await queries.insert_campaign(conn, msgspec.structs.asdict(body), actor_id)
    if campaign is None:
        raise Conflict(f"A campaign with the slug {body.slug} already exists.")
    return campaign


async def campaigns(db: Transactional, *, limit: int) -> list[CampaignRead]:
    """The newest campaigns (for choosing one, such as the feed's filter)."""
    async with db.connection() as conn:
        rows = await queries.campaigns_page(conn, after_id=None, limit=limit)
    return [campaign for _, campaign in rows]


async def update_campaign(db: Transactional, public_id: UUID, body: CampaignUpdate) -> CampaignRead:
    changes = {k: v for k, v in msgspec.structs.asdict(body).items() if v is not UNSET}
    async with db.transaction() as conn:
        current = await queries.campaign_by_public_id(conn, public_id)
        if current is None:
            raise NotFound("No such campaign.")
        starts = changes.get("starts_at", current.starts_at)
        ends = changes.get("ends_at", current.ends_at)
        if starts and ends and ends <= starts:
            raise Invalid("A campaign must end after it starts.")
        updated = await queries.update_campaign(conn, public_id, changes)
    assert updated is not None
    return updated


# --- items -------------------------------------------------------------------------------------------


async def _campaign_id(conn: asyncpg.Connection, public_id: UUID | None) -> int | None:
    if public_id is None:
        return None
    campaign_id = await queries.campaign_id_by_public_id(conn, public_id)
    if campaign_id is None:
        raise Invalid("No such campaign.", extra={"field": "campaign"})
    return campaign_id


async def _audience_values(conn: asyncpg.Connection, audience: Any) -> dict[str, Any]:
    teams = list(dict.fromkeys(audience.teams))
    found = await queries.team_ids(conn, teams)
    missing = [str(t) for t in teams if t not in found]
    if missing:
        raise Invalid(
            "Unknown team(s) in the audience: " + ", ".join(missing), extra={"field": "audience.teams"}
        )
    return {
        "audience_team_ids": [found[t] for t in teams],
        "audience_locations": sorted({loc.strip().lower() for loc in audience.locations if loc.strip()}),
        "audience_languages": sorted(set(audience.languages)),
    }


def _tags(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v.strip().lower() for v in values if v.strip()))


def _hashtags(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys("#" + v.lstrip("#") for v in values))


async def _item(conn: asyncpg.Connection, item_id: int, storage: Storage | None) -> ItemRead:
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
    item = await _item(conn, item_id, storage)
    await queries.insert_version(conn, item_id, item.version, snapshot_of(item), actor_id)
    return item


async def create_item(
    db: Transactional,
    body: ItemCreate,
    *,
    actor_id: int | None,
    storage: Storage | None = None,
    source_id: int | None = None,
) -> ItemRead:
    _check_window(body.starts_at, body.expires_at)
    captions = _check_captions(body.captions)
    async with db.transaction() as conn:
        return await _create_item(
            conn, body, captions, actor_id=actor_id, storage=storage, source_id=source_id
        )


async def _create_item(
    conn: asyncpg.Connection,
    body: ItemCreate,
    captions: list[Caption],
    *,
    actor_id: int | None,
    storage: Storage | None,
    source_id: int | None = None,
    campaign_id: int | None = None,
) -> ItemRead:
    values: dict[str, Any] = {
        "title": body.title,
        "summary": body.summary,
        "link": normalise_link(body.link) if body.link else None,
        "campaign_id": campaign_id if campaign_id is not None else await _campaign_id(conn, body.campaign),
        "caption_policy": body.caption_policy,
        "allow_reshare": body.allow_reshare,
        "starts_at": body.starts_at,
        "expires_at": body.expires_at,
        "pinned": body.pinned,
        "priority": body.priority,
        "tags": _tags(body.tags),
        "hashtags": _hashtags(body.hashtags),
        "networks": list(dict.fromkeys(body.networks)),
        "source_id": source_id,
        "created_by": actor_id,
        "updated_by": actor_id,
        **await _audience_values(conn, body.audience),
    }
    item_id, _ = await queries.insert_item(conn, values)
    await queries.replace_captions(conn, item_id, captions)
    await queries.insert_transition(
        conn, item_id, from_status=None, to_status="draft", version=1, actor_id=actor_id, comment=None
    )
    return await _record_version(conn, item_id, actor_id, storage)


async def _editable_row(conn: asyncpg.Connection, public_id: UUID) -> ItemRow:
    row = await queries.item_row(conn, public_id, for_update=True)
    if row is None:
        raise NotFound("No such content item.")
    return row


async def update_item(
    db: Transactional,
    public_id: UUID,
    body: ItemUpdate,
    *,
    actor_id: int,
    roles: Iterable[str],
    storage: Storage | None = None,
) -> ItemRead:
    """Change an item: a new version; an approved item goes back to review unless a reviewer keeps it."""
    if not can_edit(roles):
        raise Forbidden("Only curators edit content items.")
    async with db.transaction() as conn:
        row = await _editable_row(conn, public_id)
        if row.status == "archived":
            raise Conflict(
                "This item is archived: restore it to draft before editing.", extra={"reason": "archived"}
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
            changes["campaign_id"] = await _campaign_id(
                conn, body.campaign if body.campaign is not UNSET else None
            )
        if "tags" in fields:
            changes["tags"] = _tags(fields["tags"])
        if "hashtags" in fields:
            changes["hashtags"] = _hashtags(fields["hashtags"])
        if "networks" in fields:
            changes["networks"] = list(dict.fromkeys(fields["networks"]))
        if body.audience is not UNSET:
            changes.update(await _audience_values(conn, body.audience))
        _check_window(changes.get("starts_at", row.starts_at), changes.get("expires_at", row.expires_at))
        if not changes and body.captions is UNSET:
            raise Invalid("Nothing to change.")
        changes["version"] = row.version + 1
        changes["updated_by"] = actor_id
        status = row.status
        if row.status == "approved":
            if body.send_back_to_review:
                status = "in_review"
            else:
                settings = await queries.library_settings(conn)
                if "reviewer" not in effective_roles(roles) or not settings.allow_self_approval:
                    raise Forbidden(
                        "Only a reviewer may keep an edited item approved, and only where the organisation "
                        "allows self-approval.",
                        extra={"reason": "self-approval"},
                    )
        if status != row.status:
            changes["status"] = status
            changes["approved_at"] = None
            changes["approved_by"] = None
        await queries.update_item(conn, row.id, changes)
        if body.captions is not UNSET:
            await queries.replace_captions(conn, row.id, _check_captions(body.captions))
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
        row = await _editable_row(conn, public_id)
        settings = await queries.library_settings(conn)
        missing = await queries.languages_missing_alt_text(conn, row.id) if body.to == "approved" else []
        own = actor_id in (row.created_by, await _last_editor(conn, row.id))
        check_transition(
            row.status,
            body.to,
            roles,
            is_own=own,
            allow_self_approval=settings.allow_self_approval,
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
        return await _item(conn, row.id, storage)


async def _last_editor(conn: asyncpg.Connection, item_id: int) -> int | None:
    return await queries.last_editor(conn, item_id)


async def get_item(db: Transactional, public_id: UUID, *, storage: Storage | None = None) -> ItemRead:
    async with db.connection() as conn:
        row = await queries.item_row(conn, public_id)
        if row is None:
            raise NotFound("No such content item.")
        return await _item(conn, row.id, storage)


async def search_items(
    db: Transactional, flt: LibraryFilter, *, after_id: int | None, limit: int, storage: Storage | None = None
) -> list[tuple[int, ItemRead]]:
    async with db.connection() as conn:
        ids = await queries.library_page(conn, flt, after_id=after_id, limit=limit)
        items = await queries.items_read(conn, ids, at=now(), media=media_prefix(storage))
    return list(zip(ids, items, strict=True))


async def versions(db: Transactional, public_id: UUID) -> list[VersionRead]:
    async with db.connection() as conn:
        row = await queries.item_row(conn, public_id)
        if row is None:
            raise NotFound("No such content item.")
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
        row = await queries.item_row(conn, public_id)
        if row is None:
            raise NotFound("No such content item.")
        first = await queries.version_of_item(conn, row.id, a)
        second = await queries.version_of_item(conn, row.id, b)
    if first is None or second is None:
        raise NotFound(f"Version {a if first is None else b} of this item does not exist.")
    return VersionDiff(from_version=a, to_version=b, changes=diff_snapshots(first.snapshot, second.snapshot))


async def transitions(db: Transactional, public_id: UUID) -> list[TransitionRead]:
    async with db.connection() as conn:
        row = await queries.item_row(conn, public_id)
        if row is None:
            raise NotFound("No such content item.")
        return await queries.transitions_of_item(conn, row.id)


# --- images ------------------------------------------------------------------------------------------


async def _peek(chunks: AsyncIterator[bytes], want: int) -> tuple[bytes, AsyncIterator[bytes]]:
    """The first `want` bytes (fewer if the stream ends), and an iterator over the whole stream."""
    head = b""
    parts: list[bytes] = []
    async for chunk in chunks:
        if chunk:
            parts.append(chunk)
            head += chunk
        if len(head) >= want:
            break

    async def whole() -> AsyncIterator[bytes]:
        for part in parts:
            yield part
        async for chunk in chunks:
            yield chunk

    return head[:want], whole()


async def receive_image(
    storage: Storage,
    chunks: AsyncIterator[bytes],
    *,
    max_bytes: int,
    max_pixels: int,
    prefix: str = "images",
    max_side: int | None = None,
) -> tuple[IngestedImage, str]:
    """Stream an upload to storage within max_bytes, decide its type from its bytes, ingest it, and keep
    the cleaned master; returns it with the master's storage key. Refusals are 4xx domain errors."""
    head, stream = await _peek(chunks, SNIFF_BYTES)
    if not head:
        raise Invalid("The file is empty.", extra={"reason": "empty"})
    if sniff(head) is None:
        raise UnsupportedMediaType(
            "This file is not an image we accept (JPEG, PNG, WebP, GIF or HEIC), whatever its name says.",
            extra={"reason": "type"},
        )
    raw_key = new_key("uploads", "bin")
    try:
        await storage.put_stream(raw_key, stream, "application/octet-stream", max_bytes)
    except Invalid as exc:
        if "max_bytes" in exc.extra:
            raise PayloadTooLarge(exc.detail, extra={"reason": "too-large", "max_bytes": max_bytes}) from None
        raise
    try:
        data = await storage.get(raw_key)
        image = await asyncio.to_thread(ingest, data, max_pixels=max_pixels, max_side=max_side)
    finally:
        await storage.delete(raw_key)
    master_key = new_key(prefix, image.image_type.extension)
    await storage.put(master_key, image.data, image.mime)
    return image, master_key


async def _near_duplicate(conn: asyncpg.Connection, phash: str) -> int | None:
    for asset_id, other in await queries.recent_phashes(conn, NEAR_DUPLICATE_WINDOW):
        try:
            if phash_distance(phash, other) <= NEAR_DUPLICATE_DISTANCE:
                return asset_id
        except ValueError:
            continue
    return None


async def _insert_asset(
    conn: asyncpg.Connection,
    storage: Storage,
    image: IngestedImage,
    key: str,
    *,
    item_id: int | None,
    suggestion_id: int | None,
    actor_id: int | None,
    enqueue: Enqueue,
) -> UUID:
    asset = await queries.insert_asset(
        conn,
        {
            "item_id": item_id,
            "suggestion_id": suggestion_id,
            "storage_key": key,
            "content_type": image.mime,
            "size_bytes": len(image.data),
            "etag": etag_for(image.data),
            "width": image.width,
            "height": image.height,
            "source_type": image.source_type.value,
            "phash": image.phash,
            "placeholder": msgspec.to_builtins(image.placeholder),
            "near_duplicate_of": await _near_duplicate(conn, image.phash),
            "uploaded_by": actor_id,
        },
    )
    await enqueue(conn, RENDITIONS_JOB, {"asset_id": asset.id}, dedupe_key=f"{RENDITIONS_JOB}:{asset.id}:0")
    return asset.public_id


async def add_image(
    db: Transactional,
    storage: Storage,
    public_id: UUID,
    chunks: AsyncIterator[bytes],
    *,
    actor_id: int,
    roles: Iterable[str],
    max_bytes: int,
    max_pixels: int,
    enqueue: Enqueue,
) -> AssetRead:
    """Upload an image to an item (at most 10); renditions follow from a worker job."""
    if not can_edit(roles):
        raise Forbidden("Only curators add images.")
    async with db.connection() as conn:
        row = await queries.item_row(conn, public_id)
        if row is None:
            raise NotFound("No such content item.")
        if await queries.count_item_assets(conn, row.id) >= 10:
            raise Conflict("An item has at most 10 images.", extra={"reason": "too-many-images"})
    image, key = await receive_image(storage, chunks, max_bytes=max_bytes, max_pixels=max_pixels)
    try:
        async with db.transaction() as conn:
            row = await _editable_row(conn, public_id)
            if await queries.count_item_assets(conn, row.id) >= 10:
                raise Conflict("An item has at most 10 images.", extra={"reason": "too-many-images"})
            asset_public_id = await _insert_asset(
                conn,
                storage,
                image,
                key,
                item_id=row.id,
                suggestion_id=None,
                actor_id=actor_id,
                enqueue=enqueue,
            )
            if row.status == "approved":
                await _back_to_review(conn, row, actor_id, "image added")
            item = await _item(conn, row.id, storage)
    except BaseException:
        await storage.delete(key)
        raise
    return next(image for image in item.images if image.id == asset_public_id)


async def _back_to_review(conn: asyncpg.Connection, row: ItemRow, actor_id: int | None, comment: str) -> None:
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


async def _image_of_item(
    conn: asyncpg.Connection, item_public_id: UUID, image_public_id: UUID
) -> tuple[ItemRow, Any]:
    row = await _editable_row(conn, item_public_id)
    asset = await queries.asset_row(conn, image_public_id, for_update=True)
    if asset is None or asset.item_id != row.id:
        raise NotFound("No such image on this item.")
    return row, asset


async def update_image(
    db: Transactional,
    storage: Storage,
    item_public_id: UUID,
    image_public_id: UUID,
    body: ImageUpdate,
    *,
    roles: Iterable[str],
    enqueue: Enqueue,
) -> AssetRead:
    """Alt text, focal point (renditions are made again) or position of one image."""
    if not can_edit(roles):
        raise Forbidden("Only curators change images.")
    async with db.transaction() as conn:
        row, asset = await _image_of_item(conn, item_public_id, image_public_id)
        changes: dict[str, Any] = {}
        if body.alt_text is not UNSET:
            changes["alt_text"] = {**asset.alt_text, **{k: v.strip() for k, v in body.alt_text.items()}}
        if body.position is not UNSET:
            changes["position"] = body.position
        focal_moved = False
        for name in ("focal_x", "focal_y"):
            value = getattr(body, name)
            if value is not UNSET and value != getattr(asset, name):
                changes[name] = value
                focal_moved = True
        await queries.update_asset(conn, asset.id, changes)
        if focal_moved:
            await _request_renditions(conn, asset.id, asset.renditions_attempts, enqueue)
        item = await _item(conn, row.id, storage)
    return next(image for image in item.images if image.id == image_public_id)


async def _request_renditions(
    conn: asyncpg.Connection, asset_id: int, attempts: int, enqueue: Enqueue
) -> None:
    run = attempts + 1
    await queries.update_asset(
        conn, asset_id, {"renditions_state": "pending", "renditions_reason": None, "renditions_attempts": run}
    )
    await enqueue(
        conn, RENDITIONS_JOB, {"asset_id": asset_id}, dedupe_key=f"{RENDITIONS_JOB}:{asset_id}:{run}"
    )


async def rerun_renditions(
    db: Transactional,
    storage: Storage,
    item_public_id: UUID,
    image_public_id: UUID,
    *,
    roles: Iterable[str],
    enqueue: Enqueue,
) -> AssetRead:
    if not can_edit(roles):
        raise Forbidden("Only curators re-run renditions.")
    async with db.transaction() as conn:
        row, asset = await _image_of_item(conn, item_public_id, image_public_id)
        await _request_renditions(conn, asset.id, asset.renditions_attempts, enqueue)
        item = await _item(conn, row.id, storage)
    return next(image for image in item.images if image.id == image_public_id)


async def delete_image(
    db: Transactional, storage: Storage, item_public_id: UUID, image_public_id: UUID, *, roles: Iterable[str]
) -> None:
    if not can_edit(roles):
        raise Forbidden("Only curators remove images.")
    async with db.transaction() as conn:
        _, asset = await _image_of_item(conn, item_public_id, image_public_id)
        keys = [asset.storage_key, *await queries.rendition_keys(conn, asset.id)]
        await queries.delete_asset(conn, asset.id)
    for key in keys:
        await storage.delete(key)


async def make_asset_renditions(
    conn: asyncpg.Connection, storage: Storage, asset_id: int, *, max_pixels: int
) -> str:
    """Make every rendition of an asset (the worker job); returns the state reached.

    A master Pillow refuses is a permanent failure (state `failed` with the reason, no retry); anything
    else propagates so the job retries.
    """
    asset = await queries.asset_row_by_id(conn, asset_id, for_update=True)
    if asset is None:
        return "gone"
    settings = await queries.library_settings(conn)
    # a logo replaced meanwhile is gone from storage: NotFound propagates and the retry reads the new one
    logo = await storage.get(settings.brand_logo_key) if settings.brand_logo_key else None
    master = await storage.get(asset.storage_key)
    try:
        renditions = await asyncio.to_thread(
            make_renditions,
            master,
            focal_x=asset.focal_x,
            focal_y=asset.focal_y,
            overlay=brand_overlay(settings, logo),
            max_pixels=max_pixels,
        )
    except Invalid as exc:
        await queries.set_renditions_state(conn, asset_id, "failed", exc.detail)
        return "failed"
    old_keys = await queries.rendition_keys(conn, asset_id)
    stored: list[dict[str, Any]] = []
    for rendition in renditions:
        key = new_key("renditions", "jpg" if rendition.format == "jpeg" else "webp")
        obj = await storage.put(key, rendition.data, rendition.mime)
        stored.append(
            {
                "name": rendition.name,
                "format": rendition.format,
                "width": rendition.width,
                "height": rendition.height,
                "key": key,
                "content_type": rendition.mime,
                "size": obj.size,
                "etag": obj.etag,
            }
        )
    await queries.replace_renditions(conn, asset_id, stored)
    await queries.set_renditions_state(conn, asset_id, "ready", None)
    for key in old_keys:
        await storage.delete(key)
    return "ready"


async def record_renditions_failure(db: Transactional, asset_id: int, reason: str) -> None:
    async with db.transaction() as conn:
        await queries.set_renditions_state(conn, asset_id, "failed", reason)


# --- suggestions -------------------------------------------------------------------------------------


async def suggest(
    db: Transactional,
    person_id: int,
    link: str,
    note: str | None,
    *,
    image: tuple[IngestedImage, str] | None = None,
    storage: Storage | None = None,
    enqueue: Enqueue | None = None,
) -> SuggestionRead:
    """An ambassador's suggestion (the caller checked they opted in); lands in the curators' queue."""
    link = normalise_link(link)
    async with db.transaction() as conn:
        suggestion_id, public_id = await queries.insert_suggestion(conn, person_id, link, note)
        if image is not None and storage is not None and enqueue is not None:
            await _insert_asset(
                conn,
                storage,
                image[0],
                image[1],
                item_id=None,
                suggestion_id=suggestion_id,
                actor_id=person_id,
                enqueue=enqueue,
            )
        found = await queries.suggestion(conn, public_id)
    assert found is not None
    return found


async def accept_suggestion(
    db: Transactional,
    public_id: UUID,
    body: ItemCreate | None,
    *,
    actor_id: int,
    storage: Storage | None = None,
) -> ItemRead:
    """Turn a pending suggestion into a draft (the body, or a draft titled from the link and note)."""
    async with db.transaction() as conn:
        found = await queries.suggestion_for_update(conn, public_id)
        if found is None:
            raise NotFound("No such suggestion.")
        if found["status"] != "pending":
            raise Conflict(f"This suggestion was already {found['status']}.")
        draft = body or ItemCreate(
            title=(found["note"] or found["link"])[:200],
            link=found["link"],
            summary=found["note"],
        )
        if draft.link is None:
            draft = msgspec.structs.replace(draft, link=found["link"])
        item = await _create_item(
            conn, draft, _check_captions(draft.captions), actor_id=actor_id, storage=storage
        )
        row = await queries.item_row(conn, item.id)
        assert row is not None
        await queries.attach_suggestion_assets(conn, found["id"], row.id)
        await queries.decide_suggestion(
            conn, found["id"], status="accepted", reason=None, item_id=row.id, by=actor_id
        )
        return await _item(conn, row.id, storage)


async def decline_suggestion(
    db: Transactional, public_id: UUID, reason: str, *, actor_id: int
) -> SuggestionRead:
    async with db.transaction() as conn:
        found = await queries.suggestion_for_update(conn, public_id)
        if found is None:
            raise NotFound("No such suggestion.")
        if found["status"] != "pending":
            raise Conflict(f"This suggestion was already {found['status']}.")
        await queries.decide_suggestion(
            conn, found["id"], status="declined", reason=reason, item_id=None, by=actor_id
        )
        result = await queries.suggestion(conn, public_id)
    assert result is not None
    return result
