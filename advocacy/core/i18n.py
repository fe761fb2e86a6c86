"""French and English for everything a person reads: gettext catalogues read with Babel, the current
language of a request, lazy messages, the Jinja i18n install and locale-aware dates and numbers.

Writing a message (msgids are the English text; `%(name)s` placeholders, the same in Python and Jinja):

    from advocacy.core.i18n import _, ngettext, lazy_gettext, translate, use_language
    _("Share published")                                  # in the current language
    _("Hello %(name)s,", name=person.display_name)        # placeholders by name
    ngettext("%(num)d share", "%(num)d shares", count)    # `num` is the count unless given
    SAVED = lazy_gettext("Saved")   # module-level constant: translated when shown (str(), translate())
    translate(SAVED, "fr")          # in a language given explicitly (an e-mail to one reader)
    with use_language("fr"): ...    # what `_()` reads; the request middleware sets it per request

In templates (the app's Jinja engine has the i18n extension installed, see `install_jinja`):
`{{ _("Sign in") }}`, `{{ _("Hello %(name)s", name=user.name) }}`, `{{ ngettext(...) }}`; a template
rendered with a `language` in its context speaks that language, else the current one. Filters:
`{{ when | format_datetime }}`, `format_date`, `format_number`, `format_decimal`.

Catalogues: `advocacy/core/locale/{fr,en}/LC_MESSAGES/messages.po`, compiled in memory from the `.po` at
first use in each process (nothing compiled to keep in step, a fresh checkout works). `make i18n`
extracts every `_()` of the code and templates into `messages.pot` and updates both `.po` files; the
tests fail on a message missing from a catalogue or without its French (or English plural) text.
"""

from __future__ import annotations

import functools
import gettext as gettext_module
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any

import babel.dates
import babel.numbers
import jinja2
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from advocacy.core.language import LANGUAGES, LanguageCode

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
# What `_()` speaks when nothing chose a language: the API's problem details were always English.
FALLBACK_LANGUAGE: LanguageCode = "en"
# Babel locales for formatting: French of France, British English (day before month, 24-hour clock).
FORMAT_LOCALES: dict[str, str] = {"fr": "fr_FR", "en": "en_GB"}

_current: ContextVar[LanguageCode | None] = ContextVar("advocacy_language", default=None)


def supported(language: str | None) -> LanguageCode:
    """`language` when it is one we speak ('fr', 'en', or a regional form like 'fr-CA'), else the fallback."""
    if language:
        code = language[:2].lower()
        if code in LANGUAGES:
            return code
    return FALLBACK_LANGUAGE


@functools.cache
def translator(language: str) -> gettext_module.GNUTranslations | gettext_module.NullTranslations:
    """The compiled catalogue of `language` (one per process, built from the `.po` at first use)."""
    path = LOCALE_DIR / supported(language) / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return gettext_module.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=supported(language))
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext_module.GNUTranslations(compiled)


# --- the current language --------------------------------------------------------------------------------


def current_language() -> LanguageCode:
    """The language `_()` speaks now: the request's, or the one a `use_language` block set."""
    return _current.get() or FALLBACK_LANGUAGE


def set_language(language: str | None) -> None:
    """Speak `language` for the rest of this task (a request); None goes back to the fallback."""
    _current.set(supported(language) if language else None)


@contextmanager
def use_language(language: str) -> Iterator[LanguageCode]:
    """Speak `language` inside the block (a job writing to one person, a test)."""
    token = _current.set(supported(language))
    try:
        yield supported(language)
    finally:
        _current.reset(token)


def negotiate(accept_language: str | None) -> LanguageCode | None:
    """The language an Accept-Language header prefers among ours (highest q first), None if none matches."""
    if not accept_language:
        return None
    best: tuple[float, int, LanguageCode] | None = None
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        code = tag.strip()[:2].lower()
        if code not in LANGUAGES:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, position, code)
    return best[2] if best else None


# --- messages --------------------------------------------------------------------------------------------


def _format(text: str, params: dict[str, Any]) -> str:
    return text % params if params else text


def translate(message: str | LazyText, language: str | None = None) -> str:
    """`message` (a msgid or a lazy message) in `language`, or in the current language."""
    if isinstance(message, LazyText):
        return message.in_language(language)
    return translator(language or current_language()).gettext(message)


def gettext(message: str, /, **params: Any) -> str:
    """`message` in the current language, its `%(name)s` placeholders filled from `params`."""
    return _format(translator(current_language()).gettext(message), params)


_ = gettext


def ngettext(singular: str, plural: str, n: int, /, **params: Any) -> str:
    """The singular or plural form for `n` in the current language; `%(num)d` is `n` unless given."""
    params.setdefault("num", n)
    return _format(translator(current_language()).ngettext(singular, plural, n), params)


class LazyText:
    """A message translated when it is shown, not when it is written: module-level constants, error
    details raised before anyone knows the reader's language."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, params: dict[str, Any]) -> None:
        self.msgid = msgid
        self.params = params

    def in_language(self, language: str | None = None) -> str:
        params = {k: translate(v, language) if isinstance(v, LazyText) else v for k, v in self.params.items()}
        return _format(translator(language or current_language()).gettext(self.msgid), params)

    def __str__(self) -> str:
        return self.in_language()

    def __repr__(self) -> str:
        return f"LazyText({self.msgid!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LazyText) and (self.msgid, self.params) == (other.msgid, other.params)

    def __hash__(self) -> int:
        return hash(self.msgid)


def N_(message: str, /) -> str:
    """Marks a constant message for extraction and returns it untouched: whoever shows it translates it
    (`translate(text, language)`); for strings that must stay `str` (a Litestar exception's detail)."""
    return message


def lazy_gettext(message: str, /, **params: Any) -> LazyText:
    """`message` as a LazyText: translated in the language current when it is shown."""
    return LazyText(message, params)


# --- dates and numbers ----------------------------------------------------------------------------------


def _locale(language: str | None) -> str:
    return FORMAT_LOCALES[supported(language or current_language())]


def format_date(value: date, format: str = "medium", *, language: str | None = None) -> str:
    return babel.dates.format_date(value, format=format, locale=_locale(language))


def format_datetime(
    value: datetime,
    format: str = "medium",
    *,
    language: str | None = None,
    tz: tzinfo | str | None = None,
) -> str:
    """`value` in the reader's zone (`tz`, default UTC) and language."""
    zone = tz if isinstance(tz, tzinfo) else babel.dates.get_timezone(tz or "UTC")
    return babel.dates.format_datetime(value, format=format, tzinfo=zone, locale=_locale(language))


def format_number(value: int | float | Decimal, *, language: str | None = None) -> str:
    return babel.numbers.format_decimal(value, locale=_locale(language))


def format_decimal(value: float | Decimal, format: str = "#,##0.00", *, language: str | None = None) -> str:
    return babel.numbers.format_decimal(value, format=format, locale=_locale(language))


# --- Jinja ----------------------------------------------------------------------------------------------


def _template_language(context: jinja2.runtime.Context) -> str:
    language = context.get("language")
    return language if isinstance(language, str) else current_language()


@jinja2.pass_context
def _template_gettext(context: jinja2.runtime.Context, message: str) -> str:
    return translator(_template_language(context)).gettext(message)


@jinja2.pass_context
def _template_ngettext(context: jinja2.runtime.Context, singular: str, plural: str, n: int) -> str:
    return translator(_template_language(context)).ngettext(singular, plural, n)


@jinja2.pass_context
def _template_date(context: jinja2.runtime.Context, value: date, format: str = "medium") -> str:
    return format_date(value, format, language=_template_language(context))


@jinja2.pass_context
def _template_datetime(
    context: jinja2.runtime.Context, value: datetime, format: str = "medium", tz: str | None = None
) -> str:
    return format_datetime(value, format, language=_template_language(context), tz=tz)


@jinja2.pass_context
def _template_number(context: jinja2.runtime.Context, value: int | float | Decimal) -> str:
    return format_number(value, language=_template_language(context))


@jinja2.pass_context
def _template_decimal(
    context: jinja2.runtime.Context, value: float | Decimal, format: str = "#,##0.00"
) -> str:
    return format_decimal(value, format, language=_template_language(context))


def install_jinja(environment: jinja2.Environment) -> None:
    """Give templates `_()`, `gettext()`, `ngettext()` (newstyle: `%(name)s` filled and escaped) and the
    date and number filters, in the template's `language` or the current one."""
    environment.add_extension("jinja2.ext.i18n")
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        _template_gettext, _template_ngettext, newstyle=True
    )
    environment.filters.update(
        format_date=_template_date,
        format_datetime=_template_datetime,
        format_number=_template_number,
        format_decimal=_template_decimal,
    )


__all__ = [
    "DOMAIN",
    "FALLBACK_LANGUAGE",
    "LOCALE_DIR",
    "N_",
    "LazyText",
    "_",
    "current_language",
    "format_date",
    "format_datetime",
    "format_decimal",
    "format_number",
    "gettext",
    "install_jinja",
    "lazy_gettext",
    "negotiate",
    "ngettext",
    "set_language",
    "supported",
    "translate",
    "translator",
    "use_language",
]
