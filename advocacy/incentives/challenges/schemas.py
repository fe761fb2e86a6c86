"""Challenges: the body that defines one, what a reader sees of it, and the rows its standings come from."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from advocacy.incentives.schemas import CampaignRef, Name

# a campaign named by its public id (UUID) or its slug
CampaignParamValue = Annotated[str, Meta(min_length=1, max_length=80)]
Goal = Literal["threshold", "top_n"]


class ChallengeCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name_fr: Name
    name_en: Name
    description: Annotated[str, Meta(max_length=2000)] = ""
    starts_at: datetime
    ends_at: datetime
    teams: Annotated[list[UUID], Meta(max_length=100)] = []
    # the campaign's public id (UUID) or its slug
    campaign: CampaignParamValue | None = None
    goal: Literal["threshold", "top_n"]
    threshold: Annotated[int, Meta(ge=1)] | None = None
    top_n: Annotated[int, Meta(ge=1, le=1000)] | None = None


class ChallengeStanding(msgspec.Struct, frozen=True, kw_only=True):
    rank: int
    name: str
    points: int
    won: bool | None = None
    is_me: bool = False


class ChallengeRead(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    name: str
    description: str
    starts_at: datetime
    ends_at: datetime
    goal: Literal["threshold", "top_n"]
    threshold: int | None
    top_n: int | None
    campaign: CampaignRef | None = None
    closed: bool
    my_points: int | None = None
    standings: list[ChallengeStanding] = []


class ChallengeRow(msgspec.Struct, frozen=True, kw_only=True):
    """A challenge as stored, with its campaign's public names."""

    pk: int
    id: UUID
    name_fr: str
    name_en: str
    description: str
    starts_at: datetime
    ends_at: datetime
    team_ids: list[int]
    campaign_id: int | None
    campaign_public_id: UUID | None
    campaign_slug: str | None
    goal: Goal
    threshold: int | None
    top_n: int | None
    closed_at: datetime | None


class Standing(msgspec.Struct, frozen=True, kw_only=True):
    """A participant's board points in a challenge's window, and when they reached them."""

    person_id: int
    display_name: str
    points: int
    reached_at: datetime | None


class ChallengeResult(msgspec.Struct, frozen=True, kw_only=True):
    """A participant's recorded result once the challenge closed."""

    person_id: int
    display_name: str
    points: int
    rank: int
    won: bool
