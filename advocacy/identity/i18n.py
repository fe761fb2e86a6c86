"""Gettext catalogues of the identity pages and of outgoing mail: English msgids, French in locale/fr.

The `.po` files are read with Babel at first use (no compiled `.mo` to keep in step); a language with no
catalogue (English) answers with the msgids themselves.
"""

from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def gettext_for(language: str) -> gettext.NullTranslations:
    """The translations of `language` (fr or en)."""
    return translations(language if language in ("fr", "en") else "en")
