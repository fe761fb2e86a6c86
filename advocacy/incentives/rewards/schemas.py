"""Rewards: the catalogue's bodies, redemptions and their decisions, and the rows the redemption path locks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from advocacy.incentives.schemas import Name, Reason

RedemptionStatus = Literal["requested", "approved", "fulfilled", "rejected"]


class RewardCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: Name
    description: Annotated[str, Meta(max_length=2000)] = ""
    image_url: Annotated[str, Meta(max_length=2000, pattern=r"^https?://")] | None = None
    cost: Annotated[int, Meta(ge=1, le=10_000_000)]
    stock: Annotated[int, Meta(ge=0)] | None = None
    per_person_limit: Annotated[int, Meta(ge=1)] | None = None
    active_from: datetime | None = None
    active_until: datetime | None = None
    eligible_teams: Annotated[list[UUID], Meta(max_length=200)] = []


class RewardUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: Name | UnsetType = UNSET
    description: Annotated[str, Meta(max_length=2000)] | UnsetType = UNSET
    image_url: Annotated[str, Meta(max_length=2000, pattern=r"^https?://")] | UnsetType | None = UNSET
    cost: Annotated[int, Meta(ge=1, le=10_000_000)] | UnsetType = UNSET
    stock: Annotated[int, Meta(ge=0)] | UnsetType | None = UNSET
    per_person_limit: Annotated[int, Meta(ge=1)] | UnsetType | None = UNSET
    active_from: datetime | UnsetType | None = UNSET
    active_until: datetime | UnsetType | None = UNSET
    eligible_teams: Annotated[list[UUID], Meta(max_length=200)] | UnsetType = UNSET
    archived: bool | UnsetType = UNSET


class RedeemBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A redemption asks nothing beyond the reward in the path: the body may be absent or `{}`, and any
    field in it is refused (so a client that thinks it sets a quantity or a price learns it does not)."""


class FulfilBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    note: Annotated[str, Meta(max_length=1000)] | None = None


class RejectBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: Reason


class LockedReward(msgspec.Struct, frozen=True, kw_only=True):
    """A reward row as a redemption checks it, locked until the transaction ends."""

    id: int
    name: str
    cost: int
    stock: int | None
    per_person_limit: int | None
    active_from: datetime | None
    active_until: datetime | None
    eligible_team_ids: list[int]
    archived: bool


class LockedRedemption(msgspec.Struct, frozen=True, kw_only=True):
    """A redemption row as a decision on it reads it, locked until the transaction ends."""

    id: int
    person_id: int
    reward_id: int
    cost: int
    status: RedemptionStatus
    reward: str


class Fulfilment(msgspec.Struct, frozen=True, kw_only=True):
    """A fulfilled redemption as the CSV export lists it."""

    public_id: UUID
    email: str
    display_name: str
    team: str | None
    reward: str
    cost: int
    note: str | None
    requested_at: datetime
    approved_at: datetime | None
    fulfilled_at: datetime | None


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
