"""What the library does to the text curators type: links normalised, captions checked and picked (with
their fallbacks), publishing windows checked, tags and hashtags cleaned."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from advocacy.core.errors import Invalid
from advocacy.core.i18n import lazy_gettext
from content_library.items.schemas import Caption, CaptionIn


def normalise_link(url: str) -> str:
    """An http(s) URL with scheme and host lower-cased, default port and fragment dropped; Invalid otherwise."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise Invalid(lazy_gettext("The link must be an http or https address."), extra={"field": "link"})
    if parts.username or parts.password:
        raise Invalid(
            lazy_gettext("The link must not carry a user name or password."), extra={"field": "link"}
        )
    scheme = parts.scheme.lower()
    try:
        host = parts.hostname.encode("idna").decode("ascii").lower()
        port = parts.port
    except (UnicodeError, ValueError):
        raise Invalid(lazy_gettext("The link's host is not valid."), extra={"field": "link"}) from None
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def pick_caption(captions: Iterable[Caption], network: str | None, language: str) -> str | None:
    """The caption for network in language, else that language's default caption."""
    default = None
    for caption in captions:
        if caption.language != language:
            continue
        if caption.network == network and network is not None:
            return caption.body
        if caption.network is None:
            default = caption.body
    return default


def check_captions(captions: Sequence[CaptionIn]) -> list[Caption]:
    seen: set[tuple[str | None, str]] = set()
    for caption in captions:
        key = (caption.network, caption.language)
        if key in seen:
            raise Invalid(
                lazy_gettext(
                    "Two captions for %(value)s in %(language)s.",
                    value=caption.network or "default",
                    language=caption.language,
                ),
                extra={"field": "captions"},
            )
        seen.add(key)
    return [Caption(network=c.network, language=c.language, body=c.body) for c in captions]


def check_window(starts_at: datetime | None, expires_at: datetime | None) -> None:
    for value in (starts_at, expires_at):
        if value is not None and value.tzinfo is None:
            raise Invalid(lazy_gettext("Dates need a time zone (e.g. 2026-05-01T09:00:00Z)."))
    if starts_at and expires_at and expires_at <= starts_at:
        raise Invalid(lazy_gettext("The item must expire after it starts."), extra={"field": "expires_at"})


def clean_tags(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v.strip().lower() for v in values if v.strip()))


def clean_hashtags(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys("#" + v.lstrip("#") for v in values))
