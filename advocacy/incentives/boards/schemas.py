"""Boards: which board a reader asks for, what they see of it, and the rows a rebuild reads."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

import msgspec

from advocacy.incentives.schemas import CampaignRef

Period = Literal["week", "month", "quarter", "all"]
Scope = Literal["org", "team", "campaign"]
Visibility = Literal["public", "team_only", "anonymous", "hidden"]


class BoardSelector(msgspec.Struct, frozen=True, kw_only=True):
    """Which board a request names (the query parameters every board route shares)."""

    period: Period = "month"
    scope: Scope = "org"
    # the period's key (2026-W47, 2026-11, 2026-Q4); None: the current one
    key: str | None = None
    # a team's public id; None: the reader's own team
    team: UUID | None = None
    # the campaign of a campaign board: its public id or its slug
    campaign: str | None = None


class BoardEntry(msgspec.Struct, frozen=True, kw_only=True):
    rank: int
    name: str
    points: int
    is_me: bool = False


class Board(msgspec.Struct, frozen=True, kw_only=True):
    period: Period
    key: str
    scope: Scope
    entries: list[BoardEntry]
    me: BoardEntry | None
    campaign: CampaignRef | None = None


class MyRank(msgspec.Struct, frozen=True, kw_only=True):
    period: Period
    key: str
    scope: Scope
    me: BoardEntry | None
    neighbours: list[BoardEntry]
    campaign: CampaignRef | None = None


class BoardProfile(msgspec.Struct, frozen=True, kw_only=True):
    person_id: int
    display_name: str
    team_id: int | None
    visibility: Visibility
    alias_number: int
    opted_in: bool


class DayTotal(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """One person's board points of one UTC day, per team and campaign, and when they last changed."""

    person_id: int
    team_id: int | None
    campaign_id: int | None
    day: date
    points: int
    reached_at: datetime | None
