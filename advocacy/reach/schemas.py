"""Reach: organisation reach/EMV settings, metric snapshots, and the analytics figures the API answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

Rate = Annotated[float, Meta(ge=0, le=1)]
Currency = Annotated[str, Meta(pattern=r"^[A-Z]{3}$")]
GroupBy = Literal["network", "share", "content_item", "campaign", "team", "person"]

ESTIMATE_BASIS = "estimate: followers × organic reach rate / estimation : abonnés × taux de portée organique"
EMV_FORMULA = "impressions × CPM / 1000 + CPC × (clicks + reaction multiplier × engagements)"


class NetworkValue(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What one impression / click / engagement is worth on a network, in minor units (cents) of `currency`."""

    cpm_minor: Annotated[int, Meta(ge=0, le=100_000_000)] = 1000
    cpc_minor: Annotated[int, Meta(ge=0, le=100_000_000)] = 100
    reaction_multiplier: Annotated[float, Meta(ge=0, le=1000)] = 0.5
    currency: Currency = "EUR"


class ReachSettings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Organisation settings key `reach`: per network (or `default`) organic reach rate and EMV values."""

    organic_reach_rate: dict[str, Rate] = msgspec.field(default_factory=lambda: {"default": 0.05})
    emv: dict[str, NetworkValue] = msgspec.field(default_factory=lambda: {"default": NetworkValue()})

    def rate(self, network: str) -> float:
        return self.organic_reach_rate.get(network, self.organic_reach_rate.get("default", 0.05))

    def value(self, network: str) -> NetworkValue:
        return self.emv.get(network) or self.emv.get("default") or NetworkValue()


class Estimate(msgspec.Struct, frozen=True, kw_only=True):
    """An estimated figure, never mixed with measured ones."""

    value: int
    estimate: bool = True
    basis: str = ESTIMATE_BASIS


class Emv(msgspec.Struct, frozen=True, kw_only=True):
    """Earned media value with the values it was computed from; `amount_minor` uses measured impressions
    only, `amount_with_estimates_minor` adds the estimated reach as impressions (an estimate)."""

    currency: str
    cpm_minor: int
    cpc_minor: int
    reaction_multiplier: float
    amount_minor: int
    amount_with_estimates_minor: Estimate
    formula: str = EMV_FORMULA


class Figures(msgspec.Struct, frozen=True, kw_only=True):
    network: str
    shares: int
    unique_clicks: int
    likes: int
    comments: int
    reposts: int
    engagements: int
    impressions_measured: int
    reach_estimated: Estimate
    emv: Emv


class Group(msgspec.Struct, frozen=True, kw_only=True):
    key: str | None
    label: str | None
    networks: list[Figures]


class EmvTotal(msgspec.Struct, frozen=True, kw_only=True):
    currency: str
    amount_minor: int
    amount_with_estimates_minor: Estimate


class Analytics(msgspec.Struct, frozen=True, kw_only=True):
    scope: str
    id: UUID | None
    since: datetime
    until: datetime
    shares: int
    unique_clicks: int
    engagements: int
    impressions_measured: int
    reach_estimated: Estimate
    emv: list[EmvTotal]
    networks: list[Figures]


class FigureRow(msgspec.Struct, frozen=True, kw_only=True):
    """One (group, network) row of the analytics query."""

    key: str | None
    label: str | None
    network: str
    shares: int
    unique_clicks: int
    likes: int
    comments: int
    reposts: int
    impressions: int
    estimate_followers: int


class MetricSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    at: datetime
    likes: int
    comments: int
    reposts: int
    impressions: int | None


class DueShare(msgspec.Struct, frozen=True, kw_only=True):
    share_id: int
    person_id: int
    network: str
    external_post_id: str
    account_id: int


class EngagementBefore(msgspec.Struct, frozen=True, kw_only=True):
    """What a share's engagement points are measured from when a new snapshot comes in: the highest
    likes + comments + reposts of its earlier snapshots (engagements already paid, or seen while nothing
    could be paid), whether its sharer opted out since the last snapshot, and its campaign."""

    high_water: int
    opted_out_since: bool
    campaign_id: int | None
