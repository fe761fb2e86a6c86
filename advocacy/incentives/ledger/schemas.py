"""The ledger's reader-facing Structs (points page, kudos) and the rows an award reads and locks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import Meta

from advocacy.incentives.schemas import EventKind, LedgerEntry, Reason


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


class KudosCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    person_id: UUID
    points: Annotated[int, Meta(ge=1, le=10_000)]
    reason: Reason


class Account(msgspec.Struct, frozen=True, kw_only=True):
    """A person's running totals (points_accounts): kept in step with the ledger by every award."""

    person_id: int
    balance: int
    earned: int
    shares: int
    unique_clicks: int


class ShareTotals(msgspec.Struct, frozen=True, kw_only=True):
    """What a share's ledger rows add up to: points written (reversals aside), click points used (held
    included), held, released, and whether it was reversed."""

    source_id: int
    points: int
    click_points: int
    held: int
    released: int
    reversed: bool


class AwardResult(msgspec.Struct, frozen=True, kw_only=True):
    entries: list[LedgerEntry]
    # people whose entries may move boards (opted in now)
    ranked: frozenset[int]


class HistoryEntry(msgspec.Struct, frozen=True, kw_only=True):
    kind: EventKind
    points: int
    held_points: int
    network: str | None
    reason_code: str
    reason: str
    note: str | None
    occurred_at: datetime
    # the campaign multiplier these points were computed with (the reason says so too), when one applied
    campaign_multiplier: float | None = None
