"""The data of campaigns: a new campaign, a change to one, and a campaign as read."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from content_library.schemas import Multiplier, Slug, Summary, Title


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
