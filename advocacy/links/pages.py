"""The small HTML pages of tracked links: the Open Graph card /l/{code} shows link-preview crawlers, the
plain 404 for a code that is not ours, and a badge card's public page /cards/{code} (templates/ beside it)."""

from __future__ import annotations

import jinja2

from advocacy.links.schemas import LinkPreview

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("advocacy.links", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)
_PREVIEW = _ENV.get_template("preview.html")
_CARD = _ENV.get_template("card.html")


def _notice(fr_title: str, fr_text: str, en_title: str, en_text: str) -> bytes:
    page = _ENV.get_template("notice.html").render(
        fr_title=fr_title, fr_text=fr_text, en_title=en_title, en_text=en_text
    )
    return page.encode()


# Rendered once: these pages never change, and the tracked-link path serves them without a template call.
NOT_FOUND_PAGE = _notice(
    "Lien introuvable",
    "Ce lien n'existe pas ou a été mal copié.",
    "Link not found",
    "This link does not exist or was copied wrongly.",
)

# A tracked link while PostgreSQL is down and the link is not known to this process (or the click could be
# kept nowhere): the visitor may try again in a moment.
UNAVAILABLE_PAGE = _notice(
    "Lien momentanément indisponible",
    "Réessayez dans quelques secondes.",
    "Link briefly unavailable",
    "Please try again in a few seconds.",
)

CARD_GONE_PAGE = _notice(
    "Carte indisponible",
    "Cette carte n'existe pas ou n'est plus partagée.",
    "Card not available",
    "This card does not exist or is no longer shared.",
)


def preview_page(preview: LinkPreview, *, url: str) -> bytes:
    """What a link-preview crawler reads at /l/{code}: the item's title, summary and image, and the target."""
    return _PREVIEW.render(preview=preview, url=url).encode()


def card_page(card: LinkPreview, *, url: str) -> bytes:
    """A badge card's public page: the card itself, with the tags that make link previews show it."""
    return _CARD.render(preview=card, url=url).encode()
