"""The employee feed's route: an opted-in reader's page (Page[FeedEntry]) assembled from the feed cache's
bytes, and the hook that lets this process's next feed see the library and share changes it just made."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, MediaType, Request, Response, get
from litestar.params import QueryParameter
from litestar.types import Message, Scope

from advocacy.content.feed.reader import feed_reader
from advocacy.content.wiring import CampaignSlug, Text
from advocacy.http.deps import signed_in
from advocacy.http.guards import ANY_PERSON
from advocacy.http.pagination import Cursor, Limit, Page, decode_cursor, page_of, published_page
from advocacy.shares.service import shared_item_ids
from content_library.feed.cache import EncodedLine, FeedCache
from content_library.feed.schemas import FeedEntry, FeedFilter
from content_library.feed.service import cached_feed
from content_library.schemas import Language, Network

FEED_DEFAULT_LIMIT = 20
LIBRARY_PATHS = "/api/v1/content/"
MY_SHARES_PATHS = "/api/v1/shares"
DECIDED_SHARES_PATHS = "/api/v1/compliance/"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

FeedPage = Annotated[Page[FeedEntry], published_page("content_library.schemas.FeedEntry")]


def page_json(lines: list[EncodedLine], shared: frozenset[int], limit: int) -> bytes:
    """The JSON of Page[FeedEntry] for up to limit+1 lines (the extra one only says a next page exists)."""
    page = page_of(lines, limit, key=lambda line: line.key)
    items = b",".join(line.shared if line.item_id in shared else line.not_shared for line in page.items)
    cursor = msgspec.json.encode(page.next_cursor)
    return b'{"items":[' + items + b'],"next_cursor":' + cursor + b"}"


async def forget_after_writes(message: Message, scope: Scope) -> None:
    """Read-your-writes in this process: a library change or a share made or decided here is in this
    process's next feed, without waiting for PostgreSQL's notification to come back."""
    if message["type"] != "http.response.start" or scope.get("method", "GET") in _SAFE_METHODS:
        return
    cache: FeedCache | None = getattr(scope["app"].state, "feed_cache", None)
    if cache is None:
        return
    path = scope["path"]
    if path.startswith(LIBRARY_PATHS):
        cache.clear_pages()
    elif path.startswith(MY_SHARES_PATHS):
        user = scope.get("user")
        cache.forget_shared(getattr(user, "person_id", None))
    elif path.startswith(DECIDED_SHARES_PATHS):
        cache.forget_shared(None)


class FeedController(Controller):
    path = "/api/v1/feed"
    tags = ["feed"]
    guards = [ANY_PERSON]

    @get("/", operation_id="getFeed")
    async def feed(
        self,
        request: Request[Any, Any, Any],
        limit: Limit = FEED_DEFAULT_LIMIT,
        cursor: Cursor = None,
        q: Annotated[str | None, QueryParameter(max_length=300)] = None,
        tag: Text = None,
        campaign: CampaignSlug = None,
        network: Annotated[Network | None, QueryParameter()] = None,
        language: Annotated[
            Language | None, QueryParameter(description="only posts available in this language, shown in it")
        ] = None,
    ) -> Response[FeedPage]:
        """My feed (opted-in employees): live approved posts for me, pinned first then newest."""
        # Like /me, a hot route reads its collaborators from the app state rather than through the
        # dependency chain (five providers resolved per request).
        state = request.app.state
        principal = signed_in(request)
        after = decode_cursor(cursor, tuple[bool, int, datetime, int])
        flt = FeedFilter(
            q=q.strip() or None if q else None,
            tag=tag.strip().lower() if tag else None,
            campaign=campaign,
            network=network,
            language=language,
        )
        who = await feed_reader(state.db, state.principal_cache, principal.person_id)
        lines, shared = await cached_feed(
            state.db,
            state.feed_cache,
            who,
            flt=flt,
            after=after,
            limit=limit,
            fallback_language=state.settings.default_language,
            storage=state.storage,
            shared_items=shared_item_ids,
        )
        # the page arrives already encoded (page_json); the annotation documents its shape
        return Response(content=page_json(lines, shared, limit), media_type=MediaType.JSON)  # type: ignore[arg-type]
