"""Fatigue limits and sharing hours: the organisation's typed `sharing` settings, and the pure arithmetic
of "may this person share now, else from when" in their own time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
from msgspec import Meta

from advocacy.core.errors import Invalid
from advocacy.core.i18n import lazy_gettext

_HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class SharingHours(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Shares go out between `start` and `end` (local "HH:MM", start < end) on these ISO weekdays (1 = Monday)."""

    start: Annotated[str, Meta(pattern=_HHMM)] = "08:00"
    end: Annotated[str, Meta(pattern=_HHMM)] = "20:00"
    weekdays: Annotated[list[Annotated[int, Meta(ge=1, le=7)]], Meta(min_length=1, max_length=7)] = (
        msgspec.field(default_factory=lambda: [1, 2, 3, 4, 5, 6, 7])
    )

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise ValueError("sharing hours must end after they start, within one day")


class SharingSettings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """organisation.settings["sharing"]; None everywhere means no limit."""

    max_shares_per_day: Annotated[int, Meta(ge=1, le=1000)] | None = None
    max_shares_per_network_per_day: Annotated[int, Meta(ge=1, le=1000)] | None = None
    sharing_hours: SharingHours | None = None


def sharing_settings_from(settings: dict[str, Any] | None) -> SharingSettings:
    """The typed accessor over organisation.settings (jsonb): bad stored values are refused loudly."""
    raw = (settings or {}).get("sharing") or {}
    try:
        return msgspec.convert(raw, SharingSettings)
    except msgspec.ValidationError as exc:
        raise Invalid(lazy_gettext("organisation sharing settings: %(exc)s", exc=exc)) from None


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def next_opening(at: datetime, tz: ZoneInfo, hours: SharingHours | None) -> datetime:
    """`at` itself when it falls within the sharing hours, else the next time they open (UTC)."""
    if hours is None:
        return at
    local = at.astimezone(tz)
    start, end = _clock(hours.start), _clock(hours.end)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        if day.isoweekday() not in hours.weekdays:
            continue
        opens = datetime.combine(day, start, tz)
        closes = datetime.combine(day, end, tz)
        if opens <= local < closes:
            return at
        if local < opens:
            return opens.astimezone(UTC)
    return at  # unreachable with at least one weekday


def local_day(at: datetime, tz: ZoneInfo) -> tuple[date, datetime, datetime]:
    """The person's calendar day containing `at`, with its bounds in UTC."""
    day = at.astimezone(tz).date()
    begins = datetime.combine(day, time(0), tz)
    ends = datetime.combine(day + timedelta(days=1), time(0), tz)
    return day, begins.astimezone(UTC), ends.astimezone(UTC)
