"""The incentives domain's shared vocabulary: point events and ledger entries (every subject reads them), the
constrained types the bodies share, and the Structs that must keep their module for the API document.

`Page[X]` components are named after X's module path (Page_advocacy.incentives.schemas.X_), so the paged
Structs (HistoryEntry, FlagRead, RewardRead, RedemptionRead) are defined here, not in their subject's
schemas, to keep the OpenAPI document unchanged."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from advocacy.core.language import BilingualText

EventKind = Literal[
    "share_published",
    "click",
    "engagement",
    "kudos",
    "streak_bonus",
    "reversal",
    "release",
    "challenge",
    "redemption",
    "refund",
]
FlagStatus = Literal["open", "cleared", "confirmed"]
RedemptionStatus = Literal["requested", "approved", "fulfilled", "rejected"]

Points = Annotated[int, Meta(ge=0, le=1_000_000)]
Name = Annotated[str, Meta(min_length=1, max_length=120)]
Reason = Annotated[str, Meta(min_length=3, max_length=500)]

# A points text in both languages is advocacy.core's BilingualText (one schema name in the API document).
Message = BilingualText


class PointEvent(msgspec.Struct, frozen=True, kw_only=True):
    """Something that may earn (or take back) points. For clicks and engagements the source is the share
    (source_type='share', source_id=share id) and `quantity` the number of unique clicks / engagements.
    A published share's key is per (person, content item, network): only the first share of an item to a
    network earns points."""

    kind: EventKind
    person_id: int
    network: str | None = None
    campaign_id: int | None = None
    source_type: str
    source_id: int | None = None
    quantity: int = 1
    occurred_at: datetime
    idempotency_key: str
    reason: str | None = None
    points: int | None = None  # kudos and challenge prizes name their points; rules decide the others


class LedgerEntry(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    person_id: int
    team_id: int | None
    kind: EventKind
    points: int
    held_points: int
    quantity: int
    network: str | None
    campaign_id: int | None
    source_type: str
    source_id: int | None
    rule_version: int | None
    reason_code: str
    note: str | None
    idempotency_key: str
    occurred_at: datetime


class CampaignKey(msgspec.Struct, frozen=True, kw_only=True):
    """A campaign as the API names it: its public id and its slug (never the internal id)."""

    id: UUID
    slug: str


# content_library has its own CampaignRef (with the name): under one name, the API document would name
# both schemas by their module paths.
CampaignRef = CampaignKey


# --- paged in the API (see the module docstring) -----------------------------------------------------


class HistoryEntry(msgspec.Struct, frozen=True, kw_only=True):
    kind: EventKind
    points: int
    held_points: int
    network: str | None
    reason_code: str
    reason: str
    note: str | None
    occurred_at: datetime


class FlagRead(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    share_id: UUID
    person: str
    reasons: list[str]
    stats: dict[str, float]
    status: FlagStatus
    held_points: int
    flagged_at: datetime
    decided_at: datetime | None
    note: str | None


class RewardRead(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    name: str
    description: str
    image_url: str | None
    cost: int
    stock: int | None
    per_person_limit: int | None
    active_from: datetime | None
    active_until: datetime | None
    eligible_teams: list[UUID]
    archived: bool


class RedemptionRead(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    reward_id: UUID
    reward: str
    person: str
    cost: int
    status: RedemptionStatus
    note: str | None
    requested_at: datetime
    approved_at: datetime | None
    fulfilled_at: datetime | None
    rejected_at: datetime | None
