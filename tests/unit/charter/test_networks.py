"""Length as each network counts it, and hashtag and mention caps."""

from __future__ import annotations

import pytest

from advocacy.charter import networks
from advocacy.charter.engine import CompiledCharter
from advocacy.core.language import Language
from advocacy.core.networks import Network
from tests.unit.charter.conftest import ORDINARY_DAY


def test_x_counts_latin_as_one_and_cjk_as_two() -> None:
    assert networks.length("a" * 280, Network.X) == 280
    assert networks.length("東" * 140, Network.X) == 280
    assert networks.length("é" * 10, Network.X) == 10


def test_x_counts_every_url_as_23() -> None:
    assert networks.length("voir https://nordlys.example/" + "x" * 200, Network.X) == 5 + 23
    assert networks.length("voir nordlys.com/a", Network.X) == 5 + 23


def test_x_counts_an_emoji_sequence_as_two() -> None:
    assert networks.length("👍", Network.X) == 2
    assert networks.length("👨\u200d👩\u200d👧", Network.X) == 2
    assert networks.length("🇫🇷", Network.X) == 2


def test_mastodon_counts_urls_as_23_and_remote_mentions_by_their_name() -> None:
    text = "hi @alice@social.example https://nordlys.example/" + "x" * 100
    assert networks.length(text, Network.MASTODON) == len("hi @alice ") + 23


def test_bluesky_counts_graphemes() -> None:
    assert networks.length("👍🏽" * 300, Network.BLUESKY) == 300
    assert networks.length("e\u0301" * 300, Network.BLUESKY) == 300
    assert networks.length("🇫🇷🇧🇪", Network.BLUESKY) == 2
    assert networks.length("a\r\nb", Network.BLUESKY) == 3


def test_other_networks_count_code_points() -> None:
    assert networks.length("👍🏽abc", Network.LINKEDIN) == 5


def test_hashtags_and_mentions_are_counted_but_not_anchors_or_emails() -> None:
    text = "#un #deux page#3 #42 @alice bob@mail.example @carol.bsky.social"
    assert [text[s:e] for s, e in networks.hashtags(text)] == ["#un", "#deux"]
    assert [text[s:e] for s, e in networks.mentions(text)] == ["@alice", "@carol.bsky.social"]


@pytest.mark.parametrize(
    ("network", "fits", "overflows"),
    [
        (Network.BLUESKY, "a" * 300, "a" * 301),
        (Network.MASTODON, "a" * 500, "a" * 501),
        (Network.LINKEDIN, "a" * 3000, "a" * 3001),
        (Network.INSTAGRAM, "a" * 2200, "a" * 2201),
    ],
)
def test_each_network_limit_is_enforced_from_the_first_character_beyond_it(
    charter_without_disclosure: CompiledCharter, network: Network, fits: str, overflows: str
) -> None:
    assert (
        charter_without_disclosure.check(
            fits, network=network, language=Language.EN, at=ORDINARY_DAY
        ).findings
        == []
    )
    verdict = charter_without_disclosure.check(
        overflows, network=network, language=Language.EN, at=ORDINARY_DAY
    )
    assert [(f.rule_id, f.start, f.end) for f in verdict.findings] == [
        ("network.length", len(fits), len(overflows))
    ]


def test_x_overflow_starts_where_the_weighted_count_passes_280(
    charter_without_disclosure: CompiledCharter,
) -> None:
    text = "東" * 141
    verdict = charter_without_disclosure.check(text, network=Network.X, language=Language.EN, at=ORDINARY_DAY)
    assert [(f.rule_id, f.start, f.end) for f in verdict.findings] == [("network.length", 140, 141)]
    assert "282" in verdict.findings[0].message


def test_thirty_hashtags_fit_on_instagram(charter_without_disclosure: CompiledCharter) -> None:
    text = " ".join(f"#tag{i}" for i in range(30))
    verdict = charter_without_disclosure.check(
        text, network=Network.INSTAGRAM, language=Language.EN, at=ORDINARY_DAY
    )
    assert verdict.findings == []


def test_too_many_mentions_on_instagram_spans_the_extra_ones(
    charter_without_disclosure: CompiledCharter,
) -> None:
    text = " ".join(f"@user{i}" for i in range(22))
    verdict = charter_without_disclosure.check(
        text, network=Network.INSTAGRAM, language=Language.EN, at=ORDINARY_DAY
    )
    assert [(f.rule_id, text[f.start : f.end]) for f in verdict.findings] == [
        ("network.mentions", "@user20 @user21")
    ]
