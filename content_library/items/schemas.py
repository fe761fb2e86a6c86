"""The data of items: captions, audiences, an item as created, changed and read, its versions, its
workflow moves, and the library's search filter."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from content_library.images.schemas import AssetRead
from content_library.schemas import (
    CampaignKey,
    CampaignRef,
    CaptionBody,
    CaptionPolicy,
    Comment,
    Hashtag,
    Language,
    Location,
    Network,
    Priority,
    Status,
    Summary,
    Tag,
    Title,
    Url,
)


class CaptionIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    network: Network | None = None  # None: the default caption the networks fall back to
    language: Language
    body: CaptionBody


class Caption(msgspec.Struct, frozen=True, kw_only=True):
    network: Network | None
    language: Language
    body: str


class AudienceIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Who sees the item; every empty list means everyone."""

    teams: Annotated[list[UUID], Meta(max_length=500)] = msgspec.field(default_factory=list)
    locations: Annotated[list[Location], Meta(max_length=200)] = msgspec.field(default_factory=list)
    languages: Annotated[list[Language], Meta(max_length=2)] = msgspec.field(default_factory=list)


class Audience(msgspec.Struct, frozen=True, kw_only=True):
    teams: list[UUID]
    locations: list[str]
    languages: list[Language]


class ItemCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    title: Title
    summary: Summary | None = None
    link: Url | None = None
    campaign: CampaignKey | None = None
    captions: Annotated[list[CaptionIn], Meta(max_length=14)] = msgspec.field(default_factory=list)
    tags: Annotated[list[Tag], Meta(max_length=30)] = msgspec.field(default_factory=list)
    hashtags: Annotated[list[Hashtag], Meta(max_length=30)] = msgspec.field(default_factory=list)
    networks: Annotated[list[Network], Meta(max_length=6)] = msgspec.field(default_factory=list)
    audience: AudienceIn = msgspec.field(default_factory=AudienceIn)
    starts_at: datetime | None = None
    expires_at: datetime | None = None
    pinned: bool = False
    priority: Priority = 0
    caption_policy: CaptionPolicy = "editable"
    allow_reshare: bool = False


class ItemUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A change; `captions` replaces every caption. Editing an approved item sends it back to review
    (`send_back_to_review: false` is refused: keeping one's own edit approved would be self-approval)."""

    title: Title | UnsetType = UNSET
    summary: Summary | UnsetType | None = UNSET
    link: Url | UnsetType | None = UNSET
    campaign: CampaignKey | UnsetType | None = UNSET
    captions: Annotated[list[CaptionIn], Meta(max_length=14)] | UnsetType = UNSET
    tags: Annotated[list[Tag], Meta(max_length=30)] | UnsetType = UNSET
    hashtags: Annotated[list[Hashtag], Meta(max_length=30)] | UnsetType = UNSET
    networks: Annotated[list[Network], Meta(max_length=6)] | UnsetType = UNSET
    audience: AudienceIn | UnsetType = UNSET
    starts_at: datetime | UnsetType | None = UNSET
    expires_at: datetime | UnsetType | None = UNSET
    pinned: bool | UnsetType = UNSET
    priority: Priority | UnsetType = UNSET
    caption_policy: CaptionPolicy | UnsetType = UNSET
    allow_reshare: bool | UnsetType = UNSET
    send_back_to_review: bool = True
    comment: Comment | None = None


class ItemRead(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    title: str
    summary: str | None
    link: str | None
    campaign: CampaignRef | None
    caption_policy: CaptionPolicy
    allow_reshare: bool
    status: Status
    live: bool
    expired: bool
    starts_at: datetime | None
    expires_at: datetime | None
    pinned: bool
    priority: int
    tags: list[str]
    hashtags: list[str]
    networks: list[Network]
    audience: Audience
    captions: list[Caption]
    images: list[AssetRead]
    version: int
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime
    approved_at: datetime | None


class ItemRow(msgspec.Struct, frozen=True, kw_only=True):
    """An item as the service reasons about it (internal ids included)."""

    id: int
    public_id: UUID
    title: str
    summary: str | None
    link: str | None
    campaign_id: int | None
    caption_policy: CaptionPolicy
    allow_reshare: bool
    status: Status
    starts_at: datetime | None
    expires_at: datetime | None
    pinned: bool
    priority: int
    tags: list[str]
    hashtags: list[str]
    networks: list[Network]
    audience_team_ids: list[int]
    audience_locations: list[str]
    audience_languages: list[Language]
    version: int
    created_by: int | None
    approved_at: datetime | None


class Snapshot(msgspec.Struct, frozen=True, kw_only=True):
    """What a version records: every field a curator edits (team ids as public ids)."""

    title: str
    summary: str | None
    link: str | None
    campaign: str | None  # slug
    captions: list[Caption]
    tags: list[str]
    hashtags: list[str]
    networks: list[str]
    audience: Audience
    starts_at: datetime | None
    expires_at: datetime | None
    pinned: bool
    priority: int
    caption_policy: str
    allow_reshare: bool
    images: list[UUID] = msgspec.field(default_factory=list)


class VersionRead(msgspec.Struct, frozen=True, kw_only=True):
    version: int
    created_by: UUID | None
    created_at: datetime
    snapshot: Snapshot


class FieldChange(msgspec.Struct, frozen=True, kw_only=True):
    field: str
    before: Any
    after: Any


class VersionDiff(msgspec.Struct, frozen=True, kw_only=True):
    from_version: int
    to_version: int
    changes: list[FieldChange]


class TransitionIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    to: Status
    comment: Comment | None = None


class TransitionRead(msgspec.Struct, frozen=True, kw_only=True):
    from_status: Status | None
    to_status: Status
    version: int
    actor: UUID | None
    comment: str | None
    at: datetime


class LibraryFilter(msgspec.Struct, frozen=True, kw_only=True):
    q: str | None = None
    status: Status | None = None
    tag: str | None = None
    campaign: str | None = None  # slug or public id
    network: Network | None = None
    language: Language | None = None
    author: UUID | None = None


# --- sources ----------------------------------------------------------------------
