"""The feed's data: its entries and filters, who reads it, and the share flow's view of an item."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

import msgspec

from content_library.images.schemas import PlaceholderRead
from content_library.schemas import CampaignRef, CaptionPolicy, Language, Network


class FeedRendition(msgspec.Struct, frozen=True, kw_only=True):
    width: int
    height: int
    jpeg: str | None
    webp: str | None


class FeedImage(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    alt: str | None
    placeholder: PlaceholderRead
    ready: bool
    renditions: dict[str, FeedRendition]


class FeedEntry(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    title: str
    summary: str | None
    link: str | None
    language: Language
    captions: dict[str, str]  # network -> caption, after fallbacks ("default" too)
    caption_policy: CaptionPolicy
    allow_reshare: bool
    hashtags: list[str]
    tags: list[str]
    networks: list[Network]
    campaign: CampaignRef | None
    images: list[FeedImage]
    pinned: bool
    starts_at: datetime | None
    expires_at: datetime | None
    already_shared: bool


class FeedFilter(msgspec.Struct, frozen=True, kw_only=True):
    q: str | None = None
    tag: str | None = None
    campaign: str | None = None
    network: Network | None = None
    language: Language | None = None  # posts available in this language, shown in it
    item: UUID | None = None  # this one item only (the composer reads its post as the feed shows it)


class Reader(msgspec.Struct, frozen=True, kw_only=True):
    """Who reads the feed: what audience rules match against."""

    person_id: int
    team_id: int | None
    location: str | None
    language: Language


class FeedRow(msgspec.Struct, frozen=True, kw_only=True):
    """One live item as the feed query returns it (captions in the reader's two languages only)."""

    id: int
    public_id: UUID
    title: str
    summary: str | None
    link: str | None
    caption_policy: str
    allow_reshare: bool
    hashtags: list[str]
    tags: list[str]
    networks: list[str]
    pinned: bool
    priority: int
    feed_at: datetime
    starts_at: datetime | None
    expires_at: datetime | None
    languages: list[str]
    campaign: dict[str, Any] | None
    captions: list[dict[str, Any]]
    images: list[dict[str, Any]]


class ShareableRow(msgspec.Struct, frozen=True, kw_only=True):
    """One item as the share flow's query returns it, with whether it is live and meant for the person."""

    id: int
    public_id: UUID
    title: str
    summary: str | None
    link: str | None
    caption_policy: str
    allow_reshare: bool
    campaign_id: int | None
    campaign_slug: str | None
    tags: list[str]
    hashtags: list[str]
    networks: list[str]
    languages: list[str]
    live: bool | None
    in_audience: bool | None
    captions: list[dict[str, Any]]
    link_key: str | None


class ShareableItem(msgspec.Struct, frozen=True, kw_only=True):
    """What the share flow needs of one item for one person, network and language."""

    item_id: int
    public_id: UUID
    title: str
    summary: str | None
    link: str | None
    caption: str | None
    caption_language: Language | None
    caption_policy: CaptionPolicy
    allow_reshare: bool
    campaign_id: int | None
    campaign_slug: str | None
    tags: list[str]
    hashtags: list[str]
    networks: list[Network]  # the networks the item is offered for; empty: every network
    link_image_path: str | None  # the 1200×627 JPEG rendition, or None
    live: bool
    in_audience: bool


FeedKey = tuple[bool, int, datetime, int]
"""A feed line's position, which its cursor carries: (pinned, priority, feed_at, id)."""


class FeedLine(NamedTuple):
    """One feed entry as the library sees it, the same for every reader of one audience."""

    key: FeedKey  # the cursor position
    item_id: int
    entry: FeedEntry  # already_shared False: that part is the reader's own (mark_already_shared)
