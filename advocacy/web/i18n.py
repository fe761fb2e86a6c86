"""The reader's language on the web (their profile's, else the switch's cookie, else Accept-Language, else
the organisation's), the page's `_()` in that language (advocacy/core/i18n.py's catalogues), and dates and
numbers written the reader's way in the reader's time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

from advocacy.core import i18n
from advocacy.core.language import LanguageCode

Language = LanguageCode
LANGUAGES: tuple[Language, ...] = ("fr", "en")
LANGUAGE_NAMES: dict[Language, str] = {"fr": "Français", "en": "English"}
LANGUAGE_COOKIE = "advocacy_language"

Translate = Callable[..., str]


def as_language(value: str | None) -> Language | None:
    code = (value or "").strip().lower()[:2]
    return "fr" if code == "fr" else "en" if code == "en" else None


def negotiate(
    *, preference: str | None, cookie: str | None, accept_language: str | None, default: str
) -> Language:
    """A signed-in person's stored language first (the switch changes it), else the switch's cookie, else
    what the browser asks for, else the organisation's default."""
    return (
        as_language(preference)
        or as_language(cookie)
        or i18n.negotiate(accept_language)
        or as_language(default)
        or "fr"
    )


def translator(language: Language) -> Translate:
    """`_("English text", name=...)` for a page controller: the catalogue's text in `language`, with its
    %(name)s placeholders filled (templates get the same from the Jinja i18n extension)."""
    catalogue = i18n.translator(language)

    def translate(message: str, /, **values: Any) -> str:
        text = catalogue.gettext(message)
        return text % values if values else text

    return translate


def N_(message: str) -> str:  # gettext's name for "mark for translation, translate later"
    """Marks a message for extraction where it is defined; `_()` translates it where it is shown."""
    return message


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


class Formats:
    """Dates and numbers for one reader: their language's conventions (the locales of advocacy/core),
    their time zone."""

    def __init__(self, language: Language, timezone: str | None) -> None:
        self.locale = i18n.FORMAT_LOCALES[i18n.supported(language)]
        self.zone = zone(timezone)

    def _local(self, value: datetime) -> datetime:
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(self.zone)

    def date(self, value: date | datetime | None, style: str = "long") -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = self._local(value).date()
        return format_date(value, format=style, locale=self.locale)

    def datetime(self, value: datetime | None, style: str = "medium") -> str:
        if value is None:
            return ""
        return format_datetime(self._local(value), format=style, tzinfo=self.zone, locale=self.locale)

    def number(self, value: float | int | None) -> str:
        return "" if value is None else format_decimal(value, locale=self.locale)

    def percent(self, value: float | None) -> str:
        return "" if value is None else format_percent(value, locale=self.locale)
