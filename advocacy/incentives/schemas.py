"""Incentives: point events, ledger entries, rules, boards, badges, flags, challenges, rewards, redemptions."""

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


# --- rules -------------------------------------------------------------------------------------------


# A points text in both languages is advocacy.core's BilingualText (one schema name in the API document).
Message = BilingualText


class NetworkRule(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    share: Points = 10
    click: Points = 1
    engagement: Points = 2
    rewarded: bool = True
    why_not: BilingualText | None = None


class PointsRules(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What HR sets; every change is a new version. Networks not listed use `default`."""

    default: NetworkRule = msgspec.field(default_factory=NetworkRule)
    networks: dict[Annotated[str, Meta(max_length=40)], NetworkRule] = msgspec.field(default_factory=dict)
    daily_cap: Points = 200
    # multiplier of the n-th share of a day (the last one repeats): diminishing returns
    share_factors: Annotated[list[Annotated[float, Meta(ge=0, le=1)]], Meta(min_length=1, max_length=20)] = (
        msgspec.field(default_factory=lambda: [1.0, 1.0, 0.5, 0.25, 0.0])
    )
    click_cap_per_share: Points = 50
    click_cap_per_day: Points = 100
    streak_weeks: Annotated[int, Meta(ge=2, le=52)] = 4
    streak_bonus: Points = 50

    def for_network(self, network: str | None) -> NetworkRule:
        return self.networks.get(network or "", self.default)


class RulesVersion(msgspec.Struct, frozen=True, kw_only=True):
    version: int
    rules: PointsRules
    note: str | None
    created_at: datetime | None


class RulesUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    rules: PointsRules
    note: Annotated[str, Meta(max_length=500)] | None = None


class NetworkExplanation(msgspec.Struct, frozen=True, kw_only=True):
    network: str
    share: int
    click: int
    engagement: int
    rewarded: bool
    why_not: str | None


class PointsSummary(msgspec.Struct, frozen=True, kw_only=True):
    """The points page: my balance and how points are earned, including why some networks earn nothing."""

    balance: int
    earned: int
    shares: int
    unique_clicks: int
    rules_version: int
    daily_cap: int
    networks: list[NetworkExplanation]


class HistoryEntry(msgspec.Struct, frozen=True, kw_only=True):
    kind: EventKind
    points: int
    held_points: int
    network: str | None
    reason_code: str
    reason: str
    note: str | None
    occurred_at: datetime


class KudosCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    person_id: UUID
    points: Annotated[int, Meta(ge=1, le=10_000)]
    reason: Reason


# --- shared by boards and challenges -----------------------------------------------------------------


class CampaignKey(msgspec.Struct, frozen=True, kw_only=True):
    """A campaign as the API names it: its public id and its slug (never the internal id)."""

    id: UUID
    slug: str


# content_library has its own CampaignRef (with the name): under one name, the API document would name
# both schemas by their module paths.
CampaignRef = CampaignKey


# --- badges, recognition, flags ----------------------------------------------------------------------


class BadgeRead(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    badge: str
    name: str
    period: str
    awarded_at: datetime


class NotificationRead(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    kind: str
    subject: str
    created_at: datetime


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


class FlagDecision(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    note: Annotated[str, Meta(max_length=500)] | None = None


class ClickSample(msgspec.Struct, frozen=True, kw_only=True):
    visitor: str
    at: datetime


class ShareClicks(msgspec.Struct, frozen=True, kw_only=True):
    """A share's latest person clicks (bots and the sharer's own left out), for the anti-gaming check."""

    share_id: int
    person_id: int
    network: str
    campaign_id: int | None
    samples: list[ClickSample]


# --- rewards -----------------------------------------------------------------------------------------


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
