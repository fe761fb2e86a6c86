"""The small HTML pages of tracked links: the Open Graph card /l/{code} shows link-preview crawlers, the
plain 404 for a code that is not ours, and a badge card's public page /cards/{code}."""

from __future__ import annotations

from html import escape

from advocacy.links.schemas import LinkPreview

NOT_FOUND_PAGE = (
    b'<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="robots" content="noindex">'
    b"<title>Lien introuvable / Link not found</title></head><body>"
    b"<h1>Lien introuvable</h1><p>Ce lien n'existe pas ou a \xc3\xa9t\xc3\xa9 mal copi\xc3\xa9.</p>"
    b'<h1 lang="en">Link not found</h1><p lang="en">This link does not exist or was copied wrongly.</p>'
    b"</body></html>"
)


# A tracked link while PostgreSQL is down and the link is not known to this process (or the click could be
# kept nowhere): the visitor may try again in a moment.
UNAVAILABLE_PAGE = (
    b'<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="robots" content="noindex">'
    b"<title>Lien momentan\xc3\xa9ment indisponible / Link briefly unavailable</title></head><body>"
    b"<h1>Lien momentan\xc3\xa9ment indisponible</h1><p>R\xc3\xa9essayez dans quelques secondes.</p>"
    b'<h1 lang="en">Link briefly unavailable</h1><p lang="en">Please try again in a few seconds.</p>'
    b"</body></html>"
)


CARD_GONE_PAGE = (
    b'<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="robots" content="noindex">'
    b"<title>Carte indisponible / Card not available</title></head><body>"
    b"<h1>Carte indisponible</h1><p>Cette carte n'existe pas ou n'est plus partag\xc3\xa9e.</p>"
    b'<h1 lang="en">Card not available</h1><p lang="en">This card does not exist or is no longer shared.</p>'
    b"</body></html>"
)


def _head(preview: LinkPreview, url: str) -> str:
    """Open Graph and Twitter Card tags: what LinkedIn, X, Mastodon, Bluesky and the like show."""
    title = escape(preview.title)
    description = escape(preview.description or "")
    tags = [
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{title}">',
        f'<meta property="og:url" content="{escape(url)}">',
        f'<meta name="twitter:title" content="{title}">',
    ]
    if description:
        tags += [
            f'<meta property="og:description" content="{description}">',
            f'<meta name="description" content="{description}">',
            f'<meta name="twitter:description" content="{description}">',
        ]
    if preview.image_url:
        image = escape(preview.image_url)
        tags += [
            f'<meta property="og:image" content="{image}">',
            '<meta property="og:image:width" content="1200">',
            '<meta property="og:image:height" content="627">',
            f'<meta name="twitter:image" content="{image}">',
            '<meta name="twitter:card" content="summary_large_image">',
        ]
    else:
        tags.append('<meta name="twitter:card" content="summary">')
    return "".join(tags)


def preview_page(preview: LinkPreview, *, url: str) -> bytes:
    title = escape(preview.title)
    description = escape(preview.description or "")
    target = escape(preview.target)
    head = _head(preview, url)
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>{head}'
        f'<meta name="robots" content="noindex"></head>'
        f'<body><h1>{title}</h1><p>{description}</p><p><a href="{target}">{target}</a></p></body></html>'
    ).encode()


def card_page(card: LinkPreview, *, url: str) -> bytes:
    """A badge card's public page: the card itself, with the tags that make link previews show it."""
    title = escape(card.title)
    description = escape(card.description or "")
    image = escape(card.image_url or "")
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>{_head(card, url)}'
        f'<meta name="robots" content="noindex"><meta name="viewport" content="width=device-width">'
        f"</head><body><h1>{title}</h1>"
        f'<p><img src="{image}" width="1200" height="627" alt="{title}" style="max-width:100%;height:auto"></p>'
        f"<p>{description}</p></body></html>"
    ).encode()
