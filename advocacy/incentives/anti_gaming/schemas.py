"""Anti-gaming: the thresholds HR sets, a share's clicks as the detector reads them, and flag decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

FlagStatus = Literal["open", "cleared", "confirmed"]


class AntiGaming(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Thresholds (organisation settings, key `incentives.anti_gaming`): a share with at least `min_clicks`
    person clicks is flagged when its `few_visitors` busiest visitors made `few_visitors_share` of them, or
    when `burst_clicks` of them fall within `burst_window_seconds`."""

    enabled: bool = True
    min_clicks: Annotated[int, Meta(ge=2, le=1_000_000)] = 10
    few_visitors: Annotated[int, Meta(ge=1, le=1000)] = 3
    few_visitors_share: Annotated[float, Meta(gt=0, le=1)] = 0.6
    burst_window_seconds: Annotated[int, Meta(ge=1, le=86_400)] = 10
    burst_clicks: Annotated[int, Meta(ge=2, le=1_000_000)] = 15


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


class DecidedFlag(msgspec.Struct, frozen=True, kw_only=True):
    """The share and person of a flag HR just decided."""

    share_id: int
    person_id: int


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
