"""The feed page: the library's live posts for me as image cards, with search, filters (campaign, network,
language) and paging, the posts I already shared marked. The same reader check, cache and query as
GET /api/v1/feed."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

import msgspec
from cachetools import LRUCache, TTLCache
from litestar import Request, get
from litestar.datastructures import State
from litestar.response import Redirect, Response
from markupsafe import Markup
from msgspec import Meta

from advocacy.ambassadors.service import NotAnAmbassador
from advocacy.content.feed.reader import feed_reader, page_entries
from advocacy.core.errors import DomainError
from advocacy.core.networks import NETWORKS
from advocacy.db.pool import Database
from advocacy.http.deps import signed_in
from advocacy.http.guards import ANY_PERSON
from advocacy.http.pagination import decode_cursor
from advocacy.shares.service import shared_item_ids
from advocacy.web.forms import FormData, FormState, form_problem, parse_form
from advocacy.web.i18n import LANGUAGE_NAMES, translator
from advocacy.web.render import page, shared_page, viewer_of
from content_library.campaigns import service as campaigns_service
from content_library.feed.cache import EncodedLine, FeedCache
from content_library.feed.schemas import FeedEntry, FeedFilter
from content_library.feed.service import cached_feed
from content_library.schemas import Language, Network

PAGE_SIZE = 12
CAMPAIGN_CHOICES = 100
NETWORK_NAMES: dict[str, str] = {
    "linkedin": "LinkedIn",
    "x": "X",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
}
# The card shows the link-sized rendition; the thumbnail serves narrow screens (srcset).
CARD_RENDITION, SMALL_RENDITION = "link", "thumbnail"


class FeedQuery(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The feed page's query string: the API's filters, with the API's bounds."""

    q: Annotated[str, Meta(max_length=300)] | None = None
    campaign: Annotated[str, Meta(max_length=80)] | None = None
    network: Network | None = None
    language: Language | None = None
    cursor: Annotated[str, Meta(max_length=512)] | None = None


class CardImage(msgspec.Struct, frozen=True, kw_only=True):
    src: str
    srcset: str
    width: int
    height: int
    alt: str


class Card(msgspec.Struct, frozen=True, kw_only=True):
    entry: FeedEntry
    image: CardImage | None
    caption: str
    networks: list[str]  # names to show; empty: every network


class FeedPage(msgspec.Struct, frozen=True, kw_only=True):
    cards: list[Card]
    filtered: bool
    next_href: str | None
    first_href: str | None
    campaigns: list[tuple[str, str]]
    networks: list[tuple[str, str]]
    languages: list[tuple[str, str]]


class CampaignChoices:
    """The campaigns the filter offers, kept as long as the feed cache keeps its pages: keyed by the cache's
    generation, which moves when the library changes (campaigns included: NOTIFY content_changed), and kept
    no longer than the same TTL."""

    def __init__(self) -> None:
        self.kept: TTLCache[int, list[tuple[str, str]]] | None = None

    async def get(self, db: Database, cache: FeedCache) -> list[tuple[str, str]]:
        if not cache.enabled:
            return await self.load(db)
        if self.kept is None:
            self.kept = TTLCache(maxsize=2, ttl=cache.ttl)
        generation = cache.generation
        choices = self.kept.get(generation)
        if choices is None:
            choices = self.kept[generation] = await self.load(db)
        return choices

    @staticmethod
    async def load(db: Database) -> list[tuple[str, str]]:
        rows = await campaigns_service.campaigns_page(db, after_id=None, limit=CAMPAIGN_CHOICES)
        return [(campaign.slug, campaign.name) for _, campaign in rows]


def campaign_choices(state: State) -> CampaignChoices:
    """This process's campaign choices (one per app, on its state)."""
    choices: CampaignChoices | None = getattr(state, "campaign_choices", None)
    if choices is None:
        choices = state.campaign_choices = CampaignChoices()
    return choices


def card_of(entry: FeedEntry) -> Card:
    image = None
    for candidate in entry.images:
        big = candidate.renditions.get(CARD_RENDITION)
        if not candidate.ready or big is None:
            continue
        src = big.webp or big.jpeg
        if src is None:
            continue
        small = candidate.renditions.get(SMALL_RENDITION)
        small_src = (small.webp or small.jpeg) if small else None
        srcset = f"{small_src} {small.width}w, {src} {big.width}w" if small and small_src else ""
        image = CardImage(src=src, srcset=srcset, width=big.width, height=big.height, alt=candidate.alt or "")
        break
    return Card(
        entry=entry,
        image=image,
        caption=entry.captions.get("default") or next(iter(entry.captions.values()), ""),
        networks=[NETWORK_NAMES.get(n, n) for n in entry.networks],
    )


def _href(query: FeedQuery, cursor: str | None) -> str:
    values = {k: v for k, v in msgspec.structs.asdict(query).items() if v and k != "cursor"}
    if cursor:
        values["cursor"] = cursor
    return "/feed" + (f"?{urlencode(values)}" if values else "")


class RenderedResults:
    """The feed page's results (filters, cards, paging) as HTML, per feed-cache generation, language, query
    and which of the page's posts the reader shared: readers of one audience share them, so most requests
    render only the layout around them. Dropped with the feed cache's pages (same generation)."""

    def __init__(self, size: int = 5_000) -> None:
        self.html: LRUCache[Hashable, Markup] = LRUCache(maxsize=size)

    def get(self, key: Hashable) -> Markup | None:
        return self.html.get(key)

    def put(self, key: Hashable, html: Markup) -> None:
        self.html[key] = html


def rendered_results(state: State) -> RenderedResults:
    """This process's rendered results (one per app, on its state)."""
    found: RenderedResults | None = getattr(state, "feed_results", None)
    if found is None:
        found = state.feed_results = RenderedResults()
    return found


@get("/feed", guards=[ANY_PERSON], include_in_schema=False)
async def feed_page(request: Request[Any, Any, Any]) -> Response[Any]:
    principal = signed_in(request)
    state = request.app.state
    cache: FeedCache = state.feed_cache
    viewer = await viewer_of(request)
    _ = translator(viewer.language)
    given = FormData(
        values={k: v.strip() for k, v in request.query_params.items()},
        lists={k: request.query_params.getall(k) for k in request.query_params},
    )
    form = FormState(values=given.values)
    query = FeedQuery()
    lines: list[EncodedLine] = []
    shared: frozenset[int] = frozenset()
    audience: tuple[Any, ...] = ()
    generation = cache.generation
    try:
        who = await feed_reader(state.db, state.principal_cache, principal.person_id)
        audience = (who.team_id, who.location, who.language)
        query = parse_form(given.values, FeedQuery)
        flt = FeedFilter(q=query.q, campaign=query.campaign, network=query.network, language=query.language)
        after = decode_cursor(query.cursor, tuple[bool, int, datetime, int])
        lines, shared = await cached_feed(
            state.db,
            cache,
            who,
            flt=flt,
            after=after,
            limit=PAGE_SIZE,
            fallback_language=state.settings.default_language,
            storage=state.storage,
            shared_items=shared_item_ids,
        )
    except NotAnAmbassador:
        return Redirect("/", status_code=303)
    except (DomainError, msgspec.ValidationError) as exc:
        form = form_problem(
            exc,
            given,
            messages={
                "q": _("Search for at most 300 characters"),
                "network": _("Choose a network from the list"),
                "language": _("Choose a language from the list"),
                "campaign": _("Choose a campaign from the list"),
            },
        )
    mine = frozenset(line.item_id for line in lines[:PAGE_SIZE] if line.item_id in shared)
    key = (generation, audience, viewer.language, tuple(sorted(given.values.items())), mine)
    renders = rendered_results(state)
    results = renders.get(key) if cache.enabled and not form.has_problem else None
    if results is None:
        found = page_entries(lines, shared, PAGE_SIZE)
        campaigns = await campaign_choices(state).get(state.db, cache)
        data = FeedPage(
            cards=[card_of(entry) for entry in found.items],
            filtered=any((query.q, query.campaign, query.network, query.language)),
            next_href=_href(query, found.next_cursor) if found.next_cursor else None,
            first_href=_href(query, None) if query.cursor else None,
            campaigns=[("", _("All campaigns")), *campaigns],
            networks=[("", _("All networks")), *((n, NETWORK_NAMES[n]) for n in NETWORKS)],
            languages=[("", _("All languages")), *LANGUAGE_NAMES.items()],
        )
        engine = request.app.template_engine
        assert engine is not None  # create_app configures the pages' Jinja engine
        template = engine.get_template("employee/feed_results.html")
        results = Markup(template.render(page=data, form=form, language=viewer.language))  # noqa: S704
        if cache.enabled and not form.has_problem and cache.generation == generation:
            renders.put(key, results)
    title = _("Posts to share")
    if cache.enabled and not form.has_problem:
        # the key names the results and the (blank) form: the page is the same for every reader of it
        return shared_page(
            request, viewer, "employee/feed.html", key=key, title=title, data=results, form=form
        )
    return page(
        request, viewer, "employee/feed.html", title=title, data=results, form=form, status_code=form.status
    )


FEED_PAGES = [feed_page]
