"""Decisions about images: receiving an upload (type from its bytes, size bounded while streaming), adding
it to an item or a suggestion, changing or removing it, making its renditions (the worker job), and the
organisation's brand overlay on them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from msgspec import UNSET

from advocacy.core.errors import Conflict, Forbidden, Invalid, NotFound, PayloadTooLarge, UnsupportedMediaType
from advocacy.core.i18n import lazy_gettext
from content_library.images import queries
from content_library.images.ingest import (
    NEAR_DUPLICATE_DISTANCE,
    SNIFF_BYTES,
    IngestedImage,
    ingest,
    phash_distance,
    sniff,
)
from content_library.images.renditions import (
    LOGO_MAX_SIDE,
    Corner,
    FrameOverlay,
    LogoOverlay,
    Overlay,
    make_renditions,
)
from content_library.images.schemas import MAX_IMAGES_PER_ITEM, AssetRead, AssetRow, ImageUpdate, StoredFile
from content_library.images.storage import Storage, etag_for, new_key, validate_key
from content_library.items.service import back_to_review, editable_row, existing_row, read_item
from content_library.items.workflow import can_edit
from content_library.ports import Enqueue, Transactional
from content_library.settings import service as library_settings
from content_library.settings.schemas import LibrarySettings

RENDITIONS_JOB = "content.renditions"
NEAR_DUPLICATE_WINDOW = 2000  # how many recent uploads a new one is compared with


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
        raise Invalid(lazy_gettext("The file is empty."), extra={"reason": "empty"})
    if sniff(head) is None:
        raise UnsupportedMediaType(
            lazy_gettext(
                "This file is not an image we accept (JPEG, PNG, WebP, GIF or HEIC), whatever its name says."
            ),
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


async def insert_asset(
    conn: asyncpg.Connection,
    storage: Storage,
    image: IngestedImage,
    key: str,
    *,
    item_id: int | None,
    suggestion_id: int | None,
    actor_id: int | None,
    enqueue: Enqueue,
) -> AssetRow:
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
    return asset


async def stored_file(db: Transactional, key: str) -> StoredFile:
    """A stored image or rendition by its key (keys are random; names never come from users)."""
    try:
        validate_key(key)
    except Exception:
        raise NotFound(lazy_gettext("No such file.")) from None
    async with db.connection() as conn:
        found = await queries.stored_file(conn, key)
    if found is None:
        raise NotFound(lazy_gettext("No such file."))
    return found


async def move_suggestion_images(conn: asyncpg.Connection, suggestion_id: int, item_id: int) -> None:
    """A suggestion's images become the images of the draft it turned into."""
    await queries.move_suggestion_assets(conn, suggestion_id, item_id)


async def _check_room(conn: asyncpg.Connection, item_id: int) -> None:
    if await queries.count_item_assets(conn, item_id) >= MAX_IMAGES_PER_ITEM:
        raise Conflict(lazy_gettext("An item has at most 10 images."), extra={"reason": "too-many-images"})


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
        raise Forbidden(lazy_gettext("Only curators add images."))
    async with db.connection() as conn:
        row = await existing_row(conn, public_id)
        await _check_room(conn, row.id)
    image, key = await receive_image(storage, chunks, max_bytes=max_bytes, max_pixels=max_pixels)
    try:
        async with db.transaction() as conn:
            row = await editable_row(conn, public_id)
            await _check_room(conn, row.id)
            asset = await insert_asset(
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
                await back_to_review(conn, row, actor_id, "image added")
            item = await read_item(conn, row.id, storage)
    except BaseException:
        await storage.delete(key)
        raise
    return next(image for image in item.images if image.id == asset.public_id)


ImageChange = Callable[[asyncpg.Connection, AssetRow], Awaitable[list[str] | None]]
"""One change to an image, inside the item's lock: None when the image stays (it is read back), else the
storage keys to delete once the change is committed (the image is gone)."""


async def _change_image(
    db: Transactional,
    storage: Storage,
    item_public_id: UUID,
    image_public_id: UUID,
    *,
    roles: Iterable[str],
    refusal: str,
    change: ImageChange,
) -> AssetRead | None:
    """The one path of every change to an item's image: a curator's, with the item and the image locked."""
    if not can_edit(roles):
        raise Forbidden(refusal)
    async with db.transaction() as conn:
        row = await editable_row(conn, item_public_id)
        asset = await queries.asset_row(conn, image_public_id, for_update=True)
        if asset is None or asset.item_id != row.id:
            raise NotFound(lazy_gettext("No such image on this item."))
        removed = await change(conn, asset)
        item = await read_item(conn, row.id, storage) if removed is None else None
    for key in removed or ():
        await storage.delete(key)
    return None if item is None else next(image for image in item.images if image.id == image_public_id)


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

    async def change(conn: asyncpg.Connection, asset: AssetRow) -> None:
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

    image = await _change_image(
        db,
        storage,
        item_public_id,
        image_public_id,
        roles=roles,
        refusal="Only curators change images.",
        change=change,
    )
    assert image is not None
    return image


async def rerun_renditions(
    db: Transactional,
    storage: Storage,
    item_public_id: UUID,
    image_public_id: UUID,
    *,
    roles: Iterable[str],
    enqueue: Enqueue,
) -> AssetRead:
    """Make an image's renditions again (after a failure, or to pick up a new brand overlay)."""

    async def change(conn: asyncpg.Connection, asset: AssetRow) -> None:
        await _request_renditions(conn, asset.id, asset.renditions_attempts, enqueue)

    image = await _change_image(
        db,
        storage,
        item_public_id,
        image_public_id,
        roles=roles,
        refusal="Only curators re-run renditions.",
        change=change,
    )
    assert image is not None
    return image


async def delete_image(
    db: Transactional, storage: Storage, item_public_id: UUID, image_public_id: UUID, *, roles: Iterable[str]
) -> None:
    """Remove an image, its renditions and their files."""

    async def change(conn: asyncpg.Connection, asset: AssetRow) -> list[str]:
        keys = [asset.storage_key, *await queries.rendition_keys(conn, asset.id)]
        await queries.delete_asset(conn, asset.id)
        return keys

    await _change_image(
        db,
        storage,
        item_public_id,
        image_public_id,
        roles=roles,
        refusal="Only curators remove images.",
        change=change,
    )


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
    settings = await library_settings.current(conn)
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


# --- the brand overlay ---------------------------------------------------------------------------


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
        raise Invalid(lazy_gettext("Invalid logo placement: %(exc)s.", exc=exc)) from None
    _, key = await receive_image(
        storage, chunks, max_bytes=max_bytes, max_pixels=max_pixels, prefix="brand", max_side=LOGO_MAX_SIDE
    )
    try:
        async with db.transaction() as conn:
            previous = await library_settings.current(conn, for_update=True)
            await library_settings.merge(conn, msgspec.to_builtins({**placement, "brand_logo_key": key}))
            settings = await library_settings.current(conn)
    except BaseException:
        await storage.delete(key)
        raise
    if previous.brand_logo_key and previous.brand_logo_key != key:
        await storage.delete(previous.brand_logo_key)
    return settings


async def remove_brand_logo(db: Transactional, storage: Storage) -> None:
    """Forget the logo (the frame, if set, applies again to new renditions) and delete its file."""
    async with db.transaction() as conn:
        previous = await library_settings.current(conn, for_update=True)
        if previous.brand_logo_key is None:
            return
        await library_settings.merge(conn, {"brand_logo_key": None})
    await storage.delete(previous.brand_logo_key)
