"""A corpus of ordinary FR/EN posts (clean_posts.txt): no block-severity finding may fire on any of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from advocacy.charter.engine import CompiledCharter
from advocacy.charter.rules import Severity
from advocacy.core.language import Language
from advocacy.core.networks import Network
from tests.unit.charter.conftest import ORDINARY_DAY

CORPUS = Path(__file__).with_name("clean_posts.txt")
DISCLOSURE = {Language.FR: "#collaborateur", Language.EN: "#employee"}


def _posts() -> list[tuple[Language, str]]:
    posts = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            language, text = line.split("\t", 1)
            posts.append((Language(language), text))
    return posts


POSTS = _posts()


def test_the_clean_corpus_holds_at_least_two_hundred_posts_in_both_languages() -> None:
    assert len(POSTS) >= 200
    assert {language for language, _ in POSTS} == {Language.FR, Language.EN}


@pytest.mark.parametrize("network", [Network.LINKEDIN, Network.X, Network.BLUESKY, Network.INSTAGRAM])
def test_no_clean_post_is_blocked_once_it_carries_its_disclosure(
    charter: CompiledCharter, network: Network
) -> None:
    blocked = []
    for language, text in POSTS:
        verdict = charter.check(
            f"{text} {DISCLOSURE[language]}", network=network, language=language, at=ORDINARY_DAY
        )
        blocked += [
            (text, f.rule_id, text[f.start : f.end]) for f in verdict.findings if f.severity is Severity.BLOCK
        ]
    assert blocked == []


def test_clean_posts_raise_no_term_finding_at_all(charter: CompiledCharter) -> None:
    hits = []
    for language, text in POSTS:
        verdict = charter.check(text, network=Network.LINKEDIN, language=language, at=ORDINARY_DAY)
        hits += [(text, f.rule_id) for f in verdict.findings if f.rule_id.startswith("terms.")]
    assert hits == []
