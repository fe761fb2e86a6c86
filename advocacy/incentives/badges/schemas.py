"""Badges: what a person holds, the notifications that announce them, and the rows behind the card."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


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


class NewBadge(msgspec.Struct, frozen=True, kw_only=True):
    """A badge award written just now."""

    id: int
    person_id: int
    badge: str
    period: str


class BadgeAward(msgspec.Struct, frozen=True, kw_only=True):
    """One of a person's badges as its card shows it."""

    badge: str
    period: str
    awarded_at: datetime
    display_name: str
    language: str


class StoredNotification(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    kind: str
    subject_fr: str
    subject_en: str
    created_at: datetime


class BadgeCounters(msgspec.Struct, frozen=True, kw_only=True):
    """A person's counters that badges are earned by."""

    person_id: int
    shares: int
    unique_clicks: int
