"""Points rules: what HR sets (per network, caps, diminishing returns, streaks), and its versions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

from advocacy.core.language import BilingualText
from advocacy.incentives.schemas import Points


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
