"""The i18n API: the current language, lazy messages, Accept-Language, Jinja and Babel formatting."""

from __future__ import annotations

from datetime import UTC, date, datetime

import jinja2
import pytest

from advocacy.core.i18n import (
    _,
    current_language,
    format_date,
    format_datetime,
    format_number,
    install_jinja,
    lazy_gettext,
    negotiate,
    ngettext,
    translate,
    use_language,
)

KNOWN = "Hello %(name)s,"  # a message of the catalogue (mail)


def test_messages_speak_the_current_language_and_fill_their_placeholders() -> None:
    assert current_language() == "en"
    assert _(KNOWN, name="Ada") == "Hello Ada,"
    with use_language("fr"):
        assert _(KNOWN, name="Ada") == "Bonjour Ada,"
    assert _(KNOWN, name="Ada") == "Hello Ada,"


def test_an_unknown_message_reads_as_written() -> None:
    with use_language("fr"):
        assert _("Not in any catalogue") == "Not in any catalogue"


def test_plurals_choose_their_form_and_count() -> None:
    assert ngettext("%(num)d share", "%(num)d shares", 1) == "1 share"
    assert ngettext("%(num)d share", "%(num)d shares", 3) == "3 shares"


def test_a_lazy_message_is_translated_when_shown() -> None:
    greeting = lazy_gettext(KNOWN, name="Ada")
    assert str(greeting) == "Hello Ada,"
    with use_language("fr"):
        assert str(greeting) == "Bonjour Ada,"
    assert translate(greeting, "fr") == "Bonjour Ada,"
    assert translate(KNOWN, "fr") == "Bonjour %(name)s,"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("de-DE, en;q=0.5, fr;q=0.7", "fr"),
        ("en-GB", "en"),
        ("de, it", None),
        ("fr;q=0, en", "en"),
        ("fr;q=oops, en;q=0.1", "en"),
    ],
)
def test_accept_language_picks_the_preferred_language_we_speak(
    header: str | None, expected: str | None
) -> None:
    assert negotiate(header) == expected


def test_templates_speak_the_language_of_their_context() -> None:
    env = jinja2.Environment(autoescape=True)
    install_jinja(env)
    template = env.from_string('{{ _("Hello %(name)s,", name=who) }} {{ when | format_date }}')
    day = date(2026, 12, 2)
    assert template.render(who="<Ada>", when=day, language="fr") == "Bonjour &lt;Ada&gt;, 2 déc. 2026"
    assert template.render(who="Ada", when=day, language="en") == "Hello Ada, 2 Dec 2026"
    with use_language("fr"):
        assert template.render(who="Ada", when=day).startswith("Bonjour Ada,")


def test_dates_and_numbers_follow_the_language() -> None:
    moment = datetime(2026, 12, 2, 14, 5, tzinfo=UTC)
    assert format_datetime(moment, "short", language="fr", tz="Europe/Paris") == "02/12/2026 15:05"
    assert format_datetime(moment, "short", language="en") == "02/12/2026, 14:05"
    assert format_number(1234567, language="fr") == "1\u202f234\u202f567"
    assert format_number(1234567, language="en") == "1,234,567"
    assert format_date(date(2026, 1, 5), "long", language="fr") == "5 janvier 2026"
