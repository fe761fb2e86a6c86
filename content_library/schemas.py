"""The content library's data: items, captions, versions, campaigns, assets, the feed, suggestions, sources."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from advocacy.core.language import LANGUAGES as LANGUAGES
from advocacy.core.language import LanguageCode
from advocacy.core.networks import NETWORKS as NETWORKS
from advocacy.core.networks import NetworkCode
from content_library.images.renditions import LOGO_MAX_MARGIN, LOGO_MAX_SIZE, Corner
from content_library.images.schemas import AssetRead

# The content modules' names for advocacy.core's language and network codes.
Language = LanguageCode
Network = NetworkCode
Status = Literal["draft", "in_review", "approved", "archived"]
CaptionPolicy = Literal["locked", "editable", "free"]

Title = Annotated[str, Meta(min_length=1, max_length=200)]
Summary = Annotated[str, Meta(max_length=2000)]
CaptionBody = Annotated[str, Meta(min_length=1, max_length=5000)]
Url = Annotated[str, Meta(min_length=8, max_length=2000, pattern=r"^[hH][tT][tT][pP][sS]?://\S+$")]
Tag = Annotated[str, Meta(min_length=1, max_length=50, pattern=r"^[^\s,#][^,]*$")]
Hashtag = Annotated[str, Meta(min_length=1, max_length=100, pattern=r"^#?[\w]+$")]
Location = Annotated[str, Meta(min_length=1, max_length=120)]
Comment = Annotated[str, Meta(max_length=2000)]
Slug = Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")]
Multiplier = Annotated[float, Meta(gt=0, le=100)]
Priority = Annotated[int, Meta(ge=-100, le=100)]
LogoSize = Annotated[float, Meta(gt=0, le=LOGO_MAX_SIZE)]
LogoMargin = Annotated[float, Meta(ge=0, le=LOGO_MAX_MARGIN)]


# --- organisation settings the library reads ------------------------------------------------------


class LibrarySettings(msgspec.Struct, frozen=True, kw_only=True):
    """The content library's part of `organisation.settings` (unknown keys belong to other areas)."""

    allow_self_approval: bool = False
    default_language: Language | None = None
    # brand overlay on renditions: a logo in a corner when one is stored (it wins), else a frame when a
    # colour is set; the logo's storage key is set only by uploading it (never from a request body)
    brand_frame_color: str | None = None
    brand_frame_width: Annotated[float, Meta(gt=0, le=0.2)] = 0.02
    brand_logo_key: str | None = None
    brand_logo_corner: Corner = Corner.BOTTOM_RIGHT
    brand_logo_size: LogoSize = 0.18
    brand_logo_margin: LogoMargin = 0.03


# --- campaigns ------------------------------------------------------------------------------------


class CampaignCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    slug: Slug
    name: Title
    description: Summary | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    goal: Summary | None = None
    points_multiplier: Multiplier = 1.0


class CampaignUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: Title | UnsetType = UNSET
    description: Summary | UnsetType | None = UNSET
    starts_at: datetime | UnsetType | None = UNSET
    ends_at: datetime | UnsetType | None = UNSET
    goal: Summary | UnsetType | None = UNSET
    points_multiplier: Multiplier | UnsetType = UNSET


class CampaignRead(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    slug: str
    name: str
    description: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    goal: str | None
    points_multiplier: float
    created_at: datetime


class CampaignRef(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    slug: str
    name: str


# --- items ----------------------------------------------------------------------------------------


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
    campaign: UUID | None = None
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
    unless a reviewer says `send_back_to_review: false`."""

    title: Title | UnsetType = UNSET
    summary: Summary | UnsetType | None = UNSET
    link: Url | UnsetType | None = UNSET
    campaign: UUID | UnsetType | None = UNSET
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


# --- search ---------------------------------------------------------------------------------------


class LibraryFilter(msgspec.Struct, frozen=True, kw_only=True):
    q: str | None = None
    status: Status | None = None
    tag: str | None = None
    campaign: str | None = None  # slug
    network: Network | None = None
    language: Language | None = None
    author: UUID | None = None


# --- sources ----------------------------------------------------------------------
