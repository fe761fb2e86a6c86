"""Bad input is refused with `Invalid` and a clear message, before any rule runs."""

from __future__ import annotations

from datetime import datetime

import pytest

from advocacy.charter.engine import MAX_TEXT_LENGTH, CompiledCharter
from advocacy.core.errors import Invalid
from advocacy.core.language import Language
from advocacy.core.networks import Network


def _check(charter: CompiledCharter, text: object, network: object = "x", language: object = "fr") -> None:
    charter.check(text, network=network, language=language)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text", ["", "   ", "\n\t ", "\u200b\u200d\ufeff"], ids=["empty", "spaces", "blank", "invisible"]
)
def test_empty_or_blank_text_is_refused(charter: CompiledCharter, text: str) -> None:
    with pytest.raises(Invalid, match="empty"):
        _check(charter, text)


def test_a_hundred_thousand_characters_are_refused_before_any_work(charter: CompiledCharter) -> None:
    with pytest.raises(Invalid, match=f"limit is {MAX_TEXT_LENGTH}"):
        _check(charter, "a" * 100_000)


def test_text_at_the_limit_is_accepted_and_one_more_character_is_not(charter: CompiledCharter) -> None:
    _check(charter, "a " * (MAX_TEXT_LENGTH // 2), network="facebook")
    with pytest.raises(Invalid):
        _check(charter, "a" * (MAX_TEXT_LENGTH + 1), network="facebook")


def test_lone_surrogate_is_refused(charter: CompiledCharter) -> None:
    with pytest.raises(Invalid, match="not valid Unicode"):
        _check(charter, "bonjour \ud800 à tous")


def test_invalid_utf8_decoded_with_surrogateescape_is_refused(charter: CompiledCharter) -> None:
    with pytest.raises(Invalid, match="not valid Unicode"):
        _check(charter, b"caf\xe9 \xff".decode("utf-8", "surrogateescape"))


def test_bytes_instead_of_text_are_refused(charter: CompiledCharter) -> None:
    with pytest.raises(Invalid, match="string"):
        _check(charter, b"bonjour")


def test_unknown_network_is_refused(charter: CompiledCharter) -> None:
    with pytest.raises(Invalid, match="unknown network 'myspace'"):
        _check(charter, "bonjour", network="myspace")


def test_unknown_language_is_refused(charter: CompiledCharter) -> None:
    with pytest.raises(Invalid, match="unknown language 'de'"):
        _check(charter, "bonjour", language="de")


def test_network_and_language_may_be_given_by_value(charter: CompiledCharter) -> None:
    verdict = charter.check("bonjour", network="bluesky", language="en")  # type: ignore[arg-type]
    assert verdict.charter_version == 7


def test_naive_time_is_refused(charter: CompiledCharter) -> None:
    with pytest.raises(Invalid, match="timezone-aware"):
        charter.check("bonjour", network=Network.X, language=Language.FR, at=datetime(2026, 1, 1))
