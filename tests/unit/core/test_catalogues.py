"""The catalogues: every message the code and templates say is in both, translated, with its placeholders."""

from __future__ import annotations

import re
from configparser import RawConfigParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from advocacy.core.i18n import DOMAIN, LOCALE_DIR

ROOT = Path(__file__).resolve().parents[3]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def catalogue(language: str) -> Catalog:
    with (LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        return read_po(po, locale=language)


def msgids(catalog: Catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def extracted() -> set[str]:
    """What `make i18n` extracts, by the same mapping (advocacy/core/locale/babel.cfg)."""
    config = RawConfigParser()
    config.read(LOCALE_DIR / "babel.cfg")
    method_map = [
        (section.split(":", 1)[1].strip(), section.split(":", 1)[0]) for section in config.sections()
    ]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "N_": None}
    found: set[str] = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, keywords=keywords):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_the_catalogues_hold_every_message_the_code_says() -> None:
    in_code = extracted()
    for language in ("fr", "en"):
        in_catalogue = msgids(catalogue(language))
        assert not in_code - in_catalogue, (
            f"run `make i18n`: missing from {language}: {in_code - in_catalogue}"
        )
        assert not in_catalogue - in_code, (
            f"run `make i18n`: no longer said, in {language}: {in_catalogue - in_code}"
        )


def test_every_message_has_its_french_translation() -> None:
    untranslated = [
        m.id
        for m in catalogue("fr")
        if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))
    ]
    assert not untranslated, f"no French (or marked fuzzy) in advocacy/core/locale/fr: {untranslated}"


def test_english_plurals_have_both_forms() -> None:
    # English msgids are the English text; a plural needs its forms written out in the English catalogue.
    missing = [m.id for m in catalogue("en") if m.pluralizable and not all(m.string)]
    assert not missing, f"English plural forms missing in advocacy/core/locale/en: {missing}"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_translations_keep_the_placeholders_of_their_message(language: str) -> None:
    for message in catalogue(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(" ".join(ids)))
        for string in strings:
            if not string:
                continue
            found = set(PLACEHOLDER.findall(string))
            if message.pluralizable:  # a singular may say "one" instead of %(num)d
                assert found <= expected | {"num"}, (message.id, string)
            else:
                assert found == expected, (message.id, string)
