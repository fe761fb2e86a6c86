"""The data of sources: an RSS/Atom feed to poll and how its last poll went, and the Open Graph facts a
page gives about itself (to prefill a draft from a link)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from content_library.schemas import CampaignKey, Language, Tag, Title, Url


class SourceCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: Title
    url: Url
    language: Language = "fr"
    campaign: CampaignKey | None = None
    tags: Annotated[list[Tag], Meta(max_length=30)] = msgspec.field(default_factory=list)


class SourceUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A source's changes; a new `url` is checked as on creation and forgets the old feed's ETag/Last-Modified."""

    name: Title | UnsetType = UNSET
    url: Url | UnsetType = UNSET
    language: Language | UnsetType = UNSET
    campaign: CampaignKey | UnsetType | None = UNSET
    tags: Annotated[list[Tag], Meta(max_length=30)] | UnsetType = UNSET
    active: bool | UnsetType = UNSET


class SourceRead(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    name: str
    url: str
    language: Language
    campaign: UUID | None
    tags: list[str]
    active: bool
    last_polled_at: datetime | None
    last_status: str | None
    last_error: str | None
    items_created: int
    created_at: datetime


class SourceRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    public_id: UUID
    url: str
    language: Language
    campaign_id: int | None
    tags: list[str]
    etag: str | None
    last_modified: str | None
    created_by: int | None


class PollResult(msgspec.Struct, frozen=True, kw_only=True):
    source: UUID
    status: str  # "not-modified", "ok", "failed"
    created: int
    error: str | None = None


class OpenGraphRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    url: Url


class OpenGraph(msgspec.Struct, frozen=True, kw_only=True):
    """What a page says about itself, offered to prefill a draft."""

    url: str
    title: str | None
    description: str | None
    image: str | None
    site_name: str | None
