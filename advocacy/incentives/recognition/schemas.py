"""Recognition periods: a closed month and its winners, and the totals the winners are chosen from."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec


class RecognitionWinner(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    display_name: str
    rank: int
    points: int


class RecognitionRead(msgspec.Struct, frozen=True, kw_only=True):
    period: str
    winners: list[RecognitionWinner]
    closed_at: datetime
    newly_closed: bool


class MonthTotal(msgspec.Struct, frozen=True, kw_only=True):
    """An opted-in person's organisation-board points in a month, and when they reached them."""

    person_id: int
    display_name: str
    points: int
    reached_at: datetime | None


class StoredPeriod(msgspec.Struct, frozen=True, kw_only=True):
    """A closed period as stored, its winners naming people by public id."""

    period: str
    winners: list[dict[str, Any]]
    closed_at: datetime
