"""The web layer's pure parts: mapping a problem's field errors to form fields, the reader's language,
and dates and numbers in the reader's language and time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from advocacy.ambassadors.schemas import OptIn
from advocacy.core.errors import Conflict, Invalid
from advocacy.web.forms import FormData, form_problem, parse_form
from advocacy.web.i18n import Formats, negotiate, translator

FORM = FormData(values={"charter_version": "x", "visibility": "public"}, lists={})


def test_a_body_that_does_not_validate_puts_the_message_on_its_field_and_keeps_what_was_typed() -> None:
    with pytest.raises(msgspec.ValidationError) as caught:
        parse_form(FORM.values, OptIn)
    state = form_problem(caught.value, FORM)
    assert state.errors == {"charter_version": "Expected `int`, got `str`"}
    assert state.values == FORM.values and state.status == 422


def test_a_missing_field_is_named_and_a_page_s_message_replaces_the_service_s() -> None:
    with pytest.raises(msgspec.ValidationError) as caught:
        parse_form({"visibility": "public"}, OptIn)
    state = form_problem(caught.value, FORM, messages={"charter_version": "Choose a version"})
    assert state.errors == {"charter_version": "Choose a version"}


def test_a_service_s_field_errors_are_mapped_to_form_fields_in_order() -> None:
    problem = Invalid(
        "bad",
        extra={
            "errors": [
                {"field": "$.body.caption", "message": "too long"},
                {"field": "network", "message": "no"},
            ]
        },
    )
    state = form_problem(problem, FORM, fields={"body": "caption"})
    assert list(state.errors.items()) == [("caption", "too long"), ("network", "no")]


def test_a_problem_without_fields_goes_where_the_page_says_or_above_the_form() -> None:
    conflict = Conflict("version 3 is in force")
    assert form_problem(conflict, FORM, otherwise="accept").errors == {"accept": "version 3 is in force"}
    above = form_problem(conflict, FORM)
    assert above.errors == {} and above.detail == "version 3 is in force" and above.status == 409


def test_a_person_s_preference_comes_before_the_switch_and_the_browser() -> None:
    assert negotiate(preference="en", cookie="fr", accept_language="fr", default="fr") == "en"
    assert negotiate(preference=None, cookie="en", accept_language="fr", default="fr") == "en"
    assert (
        negotiate(preference=None, cookie=None, accept_language="de, en;q=0.5, fr;q=0.9", default="en")
        == "fr"
    )
    assert negotiate(preference=None, cookie=None, accept_language="de", default="en") == "en"


def test_dates_and_numbers_are_written_the_reader_s_way_in_their_time_zone() -> None:
    late = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert Formats("fr", "Europe/Paris").date(late) == "1 janvier 2027"
    assert Formats("en", "America/New_York").date(late) == "31 December 2026"
    assert Formats("fr", None).number(12345.5) == "12\u202f345,5"
    assert Formats("en", None).number(12345.5) == "12,345.5"
    assert (
        Formats("fr", "Nowhere/Atlantis").date(late) == "31 décembre 2026"
    )  # an unknown zone falls back to UTC


def test_translations_fill_placeholders_and_fall_back_to_english() -> None:
    assert translator("fr")("Signed in as %(name)s", name="Inès") == "Connecté en tant que Inès"
    assert translator("en")("Signed in as %(name)s", name="Inès") == "Signed in as Inès"
    assert translator("fr")("A message nobody translated") == "A message nobody translated"
    assert translator("fr")("Sign in") == "Se connecter"
