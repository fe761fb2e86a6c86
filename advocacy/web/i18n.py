"""The reader's language (preference, then the switch's cookie, then Accept-Language), the page's
translations, and dates and numbers written the reader's way (Babel) in the reader's time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

from advocacy.web.messages import FRENCH

Language = Literal["fr", "en"]
LANGUAGES: tuple[Language, ...] = ("fr", "en")
LANGUAGE_NAMES: dict[Language, str] = {"fr": "Français", "en": "English"}
LANGUAGE_COOKIE = "advocacy_language"

Translate = Callable[..., str]


def as_language(value: str | None) -> Language | None:
    code = (value or "").strip().lower()[:2]
    return "fr" if code == "fr" else "en" if code == "en" else None


def from_accept_language(header: str | None) -> Language | None:
    """The first of our languages in an Accept-Language header, by its q-values (RFC 9110 12.5.4)."""
    ranked: list[tuple[float, int, Language]] = []
    for position, part in enumerate((header or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        language = as_language(tag)
        if language is None:
            continue
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else None


def negotiate(
    *, preference: str | None, cookie: str | None, accept_language: str | None, default: str
) -> Language:
    """A signed-in person's stored language first (the switch changes it), else the switch's cookie, else
    what the browser asks for, else the organisation's default."""
    return (
        as_language(preference)
        or as_language(cookie)
        or from_accept_language(accept_language)
        or as_language(default)
        or "fr"
    )


def translator(language: Language) -> Translate:
    """`_("English text", name=...)`: the text in `language`, with %(name)s placeholders filled."""
    table = FRENCH if language == "fr" else None

    def translate(message: str, /, **values: Any) -> str:
        text = table.get(message, message) if table is not None else message
        return text % values if values else text

    return translate


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


class Formats:
    """Dates and numbers for one reader: their language's conventions, their time zone."""

    def __init__(self, language: Language, timezone: str | None) -> None:
        self.language = language
        self.zone = zone(timezone)

    def _local(self, value: datetime) -> datetime:
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(self.zone)

    def date(self, value: date | datetime | None, style: str = "long") -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = self._local(value).date()
        return format_date(value, format=style, locale=self.language)

    def datetime(self, value: datetime | None, style: str = "medium") -> str:
        if value is None:
            return ""
        return format_datetime(self._local(value), format=style, tzinfo=self.zone, locale=self.language)

    def number(self, value: float | int | None) -> str:
        return "" if value is None else format_decimal(value, locale=self.language)

    def percent(self, value: float | None) -> str:
        return "" if value is None else format_percent(value, locale=self.language)


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined; `_()` translates it where it is shown."""
    return message
