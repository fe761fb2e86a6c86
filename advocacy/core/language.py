"""The two languages people read, and the bilingual text an organisation writes in both (charter messages,
points rules). Texts the code itself says go through the catalogues instead (advocacy/core/i18n.py)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

import msgspec
from msgspec import Meta


class Language(StrEnum):
    FR = "fr"
    EN = "en"


# The same two codes as a Literal: API bodies that always declared the language inline (not as the
# `Language` schema component) keep doing so; a unit test checks both spellings hold the same codes.
LanguageCode = Literal["fr", "en"]
LANGUAGES: tuple[LanguageCode, ...] = ("fr", "en")
DEFAULT_LANGUAGE: LanguageCode = "fr"


class BilingualText(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A text written by people in both languages."""

    fr: Annotated[str, Meta(min_length=1, max_length=500)]
    en: Annotated[str, Meta(min_length=1, max_length=500)]

    def in_language(self, language: str) -> str:
        """The text in `language` ('fr' or 'en'; anything else reads English)."""
        return self.fr if language == Language.FR else self.en
