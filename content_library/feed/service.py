"""Decisions of the feed: which entries a reader sees and in which language, served from the cache when
it can be, and what the share flow needs of one item for one person."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from advocacy.core.networks import NETWORKS
from content_library.feed import queries
from content_library.feed.cache import EncodedLine, FeedCache, encode_lines, page_key
from content_library.feed.schemas import (
    FeedEntry,
    FeedFilter,
    FeedImage,
    FeedKey,
    FeedLine,
    FeedRendition,
    FeedRow,
    Reader,
    ShareableItem,
)
from content_library.images.schemas import PlaceholderRead
from content_library.images.storage import Storage, media_prefix
from content_library.items.schemas import Caption
from content_library.items.text import pick_caption
from content_library.ports import Member, Transactional, now
from content_library.schemas import CampaignRef, Language
from content_library.settings import service as library_settings

SharedItems = Callable[[asyncpg.Connection, int], Awaitable[frozenset[int]]]
"""The shares domain's answer to "which items did this person already share?", handed in by the caller."""


def feed_entry(row: FeedRow, language: Language, media: str) -> FeedEntry:
    captions = [msgspec.convert(c, Caption) for c in row.captions]
    networks = row.networks or list(NETWORKS)
    by_network: dict[str, str] = {}
    default = pick_caption(captions, None, language)
    if default is not None:
        by_network["default"] = default
    for network in networks:
        text = pick_caption(captions, network, language)
        if text is not None:
            by_network[network] = text
    images = []
    for raw in row.images:
        sizes: dict[str, dict[str, Any]] = {}
        for r in raw["renditions"]:
            entry = sizes.setdefault(
                r["name"], {"width": r["width"], "height": r["height"], "jpeg": None, "webp": None}
            )
            entry[r["format"]] = media + r["key"]
        alt = raw["alt_text"] or {}
        images.append(
            FeedImage(
                id=UUID(raw["id"]),
                alt=alt.get(language) or next(iter(alt.values()), None),
                placeholder=msgspec.convert(raw["placeholder"], PlaceholderRead),
                ready=raw["ready"],
                renditions={name: FeedRendition(**values) for name, values in sizes.items()},
            )
        )
    return FeedEntry(
        id=row.public_id,
        title=row.title,
        summary=row.summary,
        link=row.link,
        language=language,
        captions=by_network,
        caption_policy=row.caption_policy,  # type: ignore[arg-type]
        allow_reshare=row.allow_reshare,
        hashtags=row.hashtags,
        tags=row.tags,
        networks=row.networks,  # type: ignore[arg-type]
        campaign=msgspec.convert(row.campaign, CampaignRef) if row.campaign else None,
        images=images,
        pinned=row.pinned,
        starts_at=row.starts_at,
        expires_at=row.expires_at,
        already_shared=False,
    )


async def feed_lines(
    conn: asyncpg.Connection,
    who: Reader,
    *,
    flt: FeedFilter,
    after: FeedKey | None,
    limit: int,
    default_language: Language,
    storage: Storage | None,
    at: datetime,
) -> list[FeedLine]:
    """Up to `limit` live approved items for this reader's audience, pinned first then newest."""
    rows = await queries.feed_rows(
        conn, who, default_language=default_language, flt=flt, after=after, limit=limit, at=at
    )
    media = media_prefix(storage)
    lines = []
    for row in rows:
        language: Language = (
            flt.language
            if flt.language is not None and flt.language in row.languages
            else who.language
            if who.language in row.languages
            else default_language
        )
        key = (row.pinned, row.priority, row.feed_at, row.id)
        lines.append(FeedLine(key, row.id, feed_entry(row, language, media)))
    return lines


def mark_already_shared(lines: list[FeedLine], shared: frozenset[int]) -> list[tuple[FeedKey, FeedEntry]]:
    """The reader's feed entries: each line with whether its item is among those the reader shared."""
    return [
        (
            line.key,
            msgspec.structs.replace(line.entry, already_shared=True)
            if line.item_id in shared
            else line.entry,
        )
        for line in lines
    ]


async def cached_feed(
    db: Transactional,
    cache: FeedCache,
    who: Reader,
    *,
    flt: FeedFilter,
    after: FeedKey | None,
    limit: int,
    fallback_language: Language,
    storage: Storage,
    shared_items: SharedItems,
) -> tuple[list[EncodedLine], frozenset[int]]:
    """Up to limit+1 encoded lines of the reader's feed (the extra one only says a next page exists) and
    the items the reader already shared, from the cache when it holds both parts; a miss reads PostgreSQL
    and fills the cache."""
    at = now()
    cache.expire(at)
    default_language = cache.default_language
    lines = None
    if default_language is not None:
        lines = cache.get(page_key(who, default_language, flt, after, limit))
    shared = cache.shared(who.person_id)
    if lines is None or shared is None:
        async with db.connection() as conn:
            if lines is None:
                generation = cache.generation
                if default_language is None:
                    library = await library_settings.current(conn)
                    default_language = library.default_language or fallback_language
                    cache.set_default_language(default_language, generation)
                if cache.enabled and cache.needs_boundary():
                    cache.set_boundary(await queries.next_live_change(conn, at), generation)
                found = await feed_lines(
                    conn,
                    who,
                    flt=flt,
                    after=after,
                    limit=limit + 1,
                    default_language=default_language,
                    storage=storage,
                    at=at,
                )
                lines = encode_lines(found)
                cache.put(page_key(who, default_language, flt, after, limit), lines, generation)
            if shared is None:
                shared_generation = cache.shared_generation
                shared = await shared_items(conn, who.person_id)
                cache.put_shared(who.person_id, shared, shared_generation)
    return lines, shared


async def shareable_item(
    conn: asyncpg.Connection,
    item_public_id: UUID,
    *,
    network: str,
    language: str,
    person: Member | None,
    at: datetime,
    default_language: str | None = None,
    storage: Storage | None = None,
) -> ShareableItem | None:
    """What the share flow needs of an item for this person (None: the person no longer exists, and is in
    no audience); None if the item does not exist.

    The caption is the network's caption in `language`, else that language's default caption, else the
    same two in the organisation's default language. `live` and `in_audience` say whether the person
    may share it now.
    """
    row = await queries.shareable_row(
        conn,
        item_public_id,
        at=at,
        team_id=person.team_id if person else None,
        location=person.location if person else None,
        language=person.language if person else None,
    )
    if row is None:
        return None
    if default_language is None:
        default_language = (await library_settings.current(conn)).default_language or "fr"
    captions = [msgspec.convert(c, Caption) for c in row.captions]
    caption, caption_language = None, None
    for lang in dict.fromkeys((language, default_language)):
        caption = pick_caption(captions, network, lang)
        if caption is not None:
            caption_language = lang
            break
    in_audience = bool(row.in_audience) and bool(
        set(row.languages) & {(person.language if person else None) or language, default_language}
    )
    return ShareableItem(
        item_id=row.id,
        public_id=row.public_id,
        title=row.title,
        summary=row.summary,
        link=row.link,
        caption=caption,
        caption_language=caption_language,  # type: ignore[arg-type]
        caption_policy=row.caption_policy,  # type: ignore[arg-type]
        allow_reshare=row.allow_reshare,
        campaign_id=row.campaign_id,
        campaign_slug=row.campaign_slug,
        tags=list(row.tags),
        hashtags=list(row.hashtags),
        networks=list(row.networks),  # type: ignore[arg-type]
        link_image_path=(media_prefix(storage) + row.link_key) if row.link_key else None,
        live=bool(row.live),
        in_audience=in_audience,
    )
