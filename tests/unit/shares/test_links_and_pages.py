"""Pure parts of sharing: link codes, UTM merging, share pages, post URL shapes, sharing hours, bot filtering."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest

from advocacy.core.errors import Invalid
from advocacy.links.bots import BotFilter, Visitor
from advocacy.links.targets import CODE_BYTES, is_code, new_code, tracked_target
from advocacy.links.visitors import VisitorHasher
from advocacy.shares.limits import SharingHours, next_opening
from advocacy.shares.sharepage import check_post_url, share_page


def test_link_codes_are_url_safe_random_and_carry_at_least_48_bits() -> None:
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert CODE_BYTES * 8 >= 48
    assert all(is_code(code) and len(code) == 12 for code in codes)


def test_utm_parameters_are_merged_into_the_links_own_query() -> None:
    target = tracked_target(
        "https://acme.example/p?id=7&utm_source=newsletter&lang=fr#top",
        network="linkedin",
        campaign_slug="spring",
        share_public_id="s-1",
    )
    parts = urlsplit(target)
    assert parts.fragment == "top"
    assert parse_qsl(parts.query) == [
        ("id", "7"),
        ("lang", "fr"),
        ("utm_source", "linkedin"),
        ("utm_medium", "employee_advocacy"),
        ("utm_content", "s-1"),
        ("utm_campaign", "spring"),
    ]


def test_a_campaign_less_item_keeps_the_links_own_utm_campaign() -> None:
    target = tracked_target(
        "https://a.example/?utm_campaign=own", network="x", campaign_slug=None, share_public_id="s"
    )
    assert dict(parse_qsl(urlsplit(target).query))["utm_campaign"] == "own"


def test_the_visitor_key_changes_every_day_and_never_holds_the_address() -> None:
    hasher = VisitorHasher("k" * 40)
    monday = hasher.hash(datetime(2026, 3, 2).date(), "198.51.100.4", "UA")
    tuesday = hasher.hash(datetime(2026, 3, 3).date(), "198.51.100.4", "UA")
    assert monday != tuesday and len(monday) == 16
    assert b"198.51" not in monday
    assert hasher.today_and_yesterday(datetime(2026, 3, 3).date(), "198.51.100.4", "UA") == (tuesday, monday)


@pytest.mark.parametrize(
    ("agent", "kind"),
    [
        (
            "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
            Visitor.PREVIEW,
        ),
        ("Twitterbot/1.0", Visitor.PREVIEW),
        ("facebookexternalhit/1.1", Visitor.PREVIEW),
        ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", Visitor.PREVIEW),
        ("Mastodon/4.3.0 (http.rb/5.2.0; +https://mastodon.social/) Bot", Visitor.PREVIEW),
        ("Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)", Visitor.PREVIEW),
        ("Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", Visitor.PREVIEW),
        ("WhatsApp/2.23.20.0", Visitor.PREVIEW),
        ("TelegramBot (like TwitterBot)", Visitor.PREVIEW),
        ("Googlebot/2.1 (+http://www.google.com/bot.html)", Visitor.BOT),
        ("curl/8.5.0", Visitor.BOT),
        ("", Visitor.BOT),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0",
            Visitor.BOT,
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
            Visitor.PERSON,
        ),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0", Visitor.PERSON),
    ],
)
def test_user_agents_are_told_apart(agent: str, kind: Visitor) -> None:
    assert BotFilter().classify(agent) is kind


def test_share_pages_follow_each_networks_rules() -> None:
    link = "https://adv.example/l/abcdefghijkl"
    linkedin = share_page("linkedin", caption="Texte", link=link, mastodon_instance=None)
    assert (
        linkedin.url
        == "https://www.linkedin.com/sharing/share-offsite/?url=https%3A%2F%2Fadv.example%2Fl%2Fabcdefghijkl"
    )
    assert linkedin.caption_for_copy == "Texte"
    facebook = share_page("facebook", caption="Texte", link=link, mastodon_instance=None)
    assert facebook.url is not None and "Texte" not in facebook.url and facebook.caption_for_copy == "Texte"
    x = share_page("x", caption="Texte #tag", link=link, mastodon_instance=None)
    assert x.url is not None and x.url.startswith("https://x.com/intent/tweet?text=Texte%20%23tag&url=")
    bluesky = share_page("bluesky", caption="Texte", link=link, mastodon_instance=None)
    assert bluesky.url is not None and bluesky.url.startswith("https://bsky.app/intent/compose?text=Texte")
    mastodon = share_page("mastodon", caption="Texte", link=link, mastodon_instance="piaille.fr")
    assert mastodon.url is not None and mastodon.url.startswith("https://piaille.fr/share?text=")


@pytest.mark.parametrize(
    ("network", "url", "post_id"),
    [
        ("x", "https://x.com/jane/status/1790000000000000000", "1790000000000000000"),
        ("x", "https://twitter.com/jane/status/17", "17"),
        (
            "linkedin",
            "https://www.linkedin.com/feed/update/urn:li:activity:7200000000000000000/",
            "urn:li:activity:7200000000000000000",
        ),
        ("mastodon", "https://piaille.fr/@jane/112233445566", "112233445566"),
        ("bluesky", "https://bsky.app/profile/jane.bsky.social/post/3kxyzabcdef2a", "3kxyzabcdef2a"),
        ("instagram", "https://www.instagram.com/p/C8abcdEFGhi/", "C8abcdEFGhi"),
    ],
)
def test_post_urls_of_each_network_are_recognised(network: str, url: str, post_id: str) -> None:
    assert check_post_url(network, url) == post_id


@pytest.mark.parametrize(
    ("network", "url"),
    [
        ("x", "https://x.com.evil.example/jane/status/1"),
        ("x", "http://x.com/jane/status/1"),
        ("linkedin", "https://www.linkedin.com/in/jane"),
        ("bluesky", "https://bsky.app/profile/jane"),
        ("facebook", "https://www.facebook.com/sharer/sharer.php?u=x"),
        ("mastodon", "https://piaille.fr/about"),
    ],
)
def test_urls_of_the_wrong_shape_are_refused(network: str, url: str) -> None:
    with pytest.raises(Invalid):
        check_post_url(network, url)


def test_sharing_hours_open_at_the_next_allowed_day_and_time_in_the_persons_zone() -> None:
    paris = ZoneInfo("Europe/Paris")
    hours = SharingHours(start="09:00", end="18:00", weekdays=[1, 2, 3, 4, 5])
    friday_evening = datetime(2026, 3, 6, 19, 0, tzinfo=paris).astimezone(UTC)
    assert next_opening(friday_evening, paris, hours) == datetime(2026, 3, 9, 9, 0, tzinfo=paris).astimezone(
        UTC
    )
    tuesday_noon = datetime(2026, 3, 3, 12, 0, tzinfo=paris).astimezone(UTC)
    assert next_opening(tuesday_noon, paris, hours) == tuesday_noon
    early = datetime(2026, 3, 3, 7, 0, tzinfo=paris).astimezone(UTC)
    assert next_opening(early, paris, hours) == datetime(2026, 3, 3, 9, 0, tzinfo=paris).astimezone(UTC)


def test_sharing_hours_must_end_after_they_start() -> None:
    with pytest.raises(ValueError, match="end after"):
        SharingHours(start="18:00", end="09:00")
