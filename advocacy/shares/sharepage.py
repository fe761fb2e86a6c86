"""The networks' own share pages (the default way out) and the shapes of their post URLs. Pure."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import msgspec

from advocacy.core.errors import Invalid
from advocacy.core.i18n import lazy_gettext


class SharePage(msgspec.Struct, frozen=True, kw_only=True):
    """Where to send the employee: `url` is the network's share page (None where the network has none, or
    it needs a link the item lacks); `caption_for_copy` is set when that page cannot take the caption."""

    url: str | None
    caption_for_copy: str | None


def _text_with_link(caption: str, link: str | None) -> str:
    return f"{caption}\n\n{link}" if link else caption


def share_page(network: str, *, caption: str, link: str | None, mastodon_instance: str | None) -> SharePage:
    if network == "linkedin":
        # share-offsite takes only the URL: title and image come from our Open Graph page
        url = "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": link}) if link else None
        return SharePage(url=url, caption_for_copy=caption)
    if network == "x":
        params = {"text": caption, **({"url": link} if link else {})}
        return SharePage(
            url="https://x.com/intent/tweet?" + urlencode(params, quote_via=quote), caption_for_copy=None
        )
    if network == "facebook":
        # Facebook's platform policy forbids pre-filling the message: the link only
        url = "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": link}) if link else None
        return SharePage(url=url, caption_for_copy=caption)
    if network == "mastodon":
        if not mastodon_instance:
            return SharePage(url=None, caption_for_copy=_text_with_link(caption, link))
        text = _text_with_link(caption, link)
        return SharePage(
            url=f"https://{mastodon_instance}/share?" + urlencode({"text": text}, quote_via=quote),
            caption_for_copy=None,
        )
    if network == "bluesky":
        text = _text_with_link(caption, link)
        return SharePage(
            url="https://bsky.app/intent/compose?" + urlencode({"text": text}, quote_via=quote),
            caption_for_copy=None,
        )
    return SharePage(url=None, caption_for_copy=_text_with_link(caption, link))


def text_as_posted(network: str, caption: str, link: str | None) -> str:
    """The text the charter checks: the caption, plus the link where the network's page puts it in the text."""
    if network in ("mastodon", "bluesky"):
        return _text_with_link(caption, link)
    if network == "x" and link:
        return f"{caption} {link}"
    return caption


_HOST = r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+"
_POST_URLS: dict[str, re.Pattern[str]] = {
    "linkedin": re.compile(
        r"^https://(www\.)?linkedin\.com/(feed/update/(?P<id>urn:li:(activity|share|ugcPost):\d+)/?"
        r"|posts/[\w%.-]+-(?P<act>\d{10,25})-[\w-]+/?)(\?.*)?$",
        re.IGNORECASE,
    ),
    "x": re.compile(
        r"^https://(www\.|mobile\.)?(x|twitter)\.com/\w{1,15}/status/(?P<id>\d{1,25})/?(\?.*)?$",
        re.IGNORECASE,
    ),
    "facebook": re.compile(
        r"^https://(www\.|m\.|web\.)?facebook\.com/(?!sharer)[^\s?#]+(\?[^\s#]*)?$|^https://fb\.watch/\w+/?$",
        re.IGNORECASE,
    ),
    "instagram": re.compile(
        r"^https://(www\.)?instagram\.com/(p|reel)/(?P<id>[\w-]{5,40})/?(\?.*)?$", re.IGNORECASE
    ),
    "mastodon": re.compile(
        rf"^https://(?P<host>{_HOST})/(@\w+(@{_HOST})?|users/\w+/statuses)/(?P<id>\d{{1,25}})/?$",
        re.IGNORECASE,
    ),
    "bluesky": re.compile(
        r"^https://bsky\.app/profile/(?P<who>[\w.:-]{3,253})/post/(?P<id>[a-z0-9]{8,20})/?$", re.IGNORECASE
    ),
}


def check_post_url(network: str, url: str) -> str | None:
    """The post's id on the network when the URL has that network's post shape; raises Invalid otherwise."""
    pattern = _POST_URLS.get(network)
    match = pattern.match(url.strip()) if pattern else None
    if match is None:
        raise Invalid(
            lazy_gettext(
                "This does not look like a %(network)s post address",
                network=network,
            ),
            extra={"field": "post_url"},
        )
    groups = match.groupdict()
    if groups.get("act"):
        return f"urn:li:activity:{groups['act']}"
    return groups.get("id")
