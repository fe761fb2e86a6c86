"""Decisions about RSS/Atom sources (polled with conditional GET, parsed by feedparser, each new link
becomes one draft) and the Open Graph prefill of a draft from a link."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

import asyncpg
import feedparser
import msgspec

from advocacy.core.errors import Conflict, DomainError, Invalid, NotFound
from advocacy.core.i18n import lazy_gettext
from content_library.campaigns.service import campaign_id_of
from content_library.items.schemas import CaptionIn, ItemCreate
from content_library.items.service import create_draft, existing_row
from content_library.items.text import check_captions, normalise_link
from content_library.ports import Transactional
from content_library.sources import queries
from content_library.sources.opengraph import fetch_open_graph
from content_library.sources.safe_fetch import FetchPolicy, safe_get
from content_library.sources.schemas import (
    OpenGraph,
    PollResult,
    SourceCreate,
    SourceRead,
    SourceRow,
    SourceUpdate,
)

log = logging.getLogger("content_library.sources")

MAX_ENTRIES_PER_POLL = 50


async def add_source(db: Transactional, body: SourceCreate, *, actor_id: int) -> SourceRead:
    url = normalise_link(body.url)
    async with db.transaction() as conn:
        campaign_id = await campaign_id_of(conn, body.campaign)
        found = await queries.insert_source(
            conn,
            name=body.name,
            url=url,
            language=body.language,
            campaign_id=campaign_id,
            tags=[t.strip().lower() for t in body.tags],
            created_by=actor_id,
        )
    if found is None:
        raise Conflict(lazy_gettext("This feed is already a source."))
    return found


async def update_source(db: Transactional, public_id: UUID, body: SourceUpdate) -> SourceRead:
    """Rename, re-point, re-tag, (de)activate a source; a new URL starts without the old feed's validators."""
    changes: dict[str, Any] = {
        name: value
        for name in ("name", "language", "active")
        if (value := getattr(body, name)) is not msgspec.UNSET
    }
    if body.tags is not msgspec.UNSET:
        changes["tags"] = [t.strip().lower() for t in body.tags]
    url = normalise_link(body.url) if body.url is not msgspec.UNSET else None
    async with db.transaction() as conn:
        current = await queries.source_row_for_update(conn, public_id)
        if current is None:
            raise NotFound(lazy_gettext("No such source."))
        if body.campaign is not msgspec.UNSET:
            changes["campaign_id"] = await campaign_id_of(conn, body.campaign)
        if url is not None and url != current.url:
            # the ETag and Last-Modified belonged to the old feed; the old poll's outcome too
            changes |= {
                "url": url,
                "etag": None,
                "last_modified": None,
                "last_status": None,
                "last_error": None,
            }
        try:
            await queries.update_source(conn, current.id, changes)
        except asyncpg.UniqueViolationError:
            raise Conflict(lazy_gettext("This feed is already a source."), extra={"field": "url"}) from None
        found = await queries.source(conn, public_id)
    assert found is not None
    return found


async def remove_source(db: Transactional, public_id: UUID) -> None:
    """Remove a source for good. Drafts made from it stay (their source becomes unknown), and so do its
    entries, the links it already turned into drafts: the "never twice for the same link" rule holds
    across all sources past and present, so adding the feed again does not repeat its drafts."""
    async with db.transaction() as conn:
        if not await queries.delete_source(conn, public_id):
            raise NotFound(lazy_gettext("No such source."))


async def list_sources(db: Transactional) -> list[SourceRead]:
    async with db.connection() as conn:
        return await queries.sources(conn)


def _text(value: object, limit: int) -> str:
    return str(value or "").strip()[:limit]


async def poll_source(db: Transactional, source: SourceRow, *, policy: FetchPolicy) -> PollResult:
    """Fetch one source (If-None-Match / If-Modified-Since) and create a draft per link never seen."""
    headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"}
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    try:
        result = await safe_get(source.url, policy=policy, headers=headers)
        if result.status == 304:
            async with db.transaction() as conn:
                await queries.record_poll(
                    conn,
                    source.id,
                    status="not-modified",
                    error=None,
                    etag=None,
                    last_modified=None,
                    created=0,
                )
            return PollResult(source=source.public_id, status="not-modified", created=0)
        if result.status >= 400:
            raise Invalid(lazy_gettext("The feed answered %(status)s.", status=result.status))
        parsed = feedparser.parse(result.body)
        if parsed.bozo and not parsed.entries:
            raise Invalid(
                lazy_gettext(
                    "The feed could not be read: %(error)s.", error=type(parsed.bozo_exception).__name__
                )
            )
    except DomainError as exc:
        async with db.transaction() as conn:
            await queries.record_poll(
                conn, source.id, status="failed", error=exc.detail, etag=None, last_modified=None, created=0
            )
        return PollResult(source=source.public_id, status="failed", created=0, error=exc.detail)
    created = 0
    async with db.transaction() as conn:
        for entry in parsed.entries[:MAX_ENTRIES_PER_POLL]:
            try:
                link = normalise_link(_text(entry.get("link"), 2000))
            except Invalid:
                continue
            if not await queries.claim_source_link(conn, source.id, link):
                continue
            title = _text(entry.get("title"), 200) or link[:200]
            summary = _text(entry.get("summary"), 2000) or None
            body = ItemCreate(
                title=title,
                summary=summary,
                link=link,
                tags=source.tags,
                captions=[CaptionIn(language=source.language, body=title)],
            )
            item = await create_draft(
                conn,
                body,
                check_captions(body.captions),
                actor_id=source.created_by,
                teams=None,
                storage=None,
                source_id=source.id,
                campaign_id=source.campaign_id,
            )
            row = await existing_row(conn, item.id)
            await queries.set_source_entry_item(conn, link, row.id)
            created += 1
        await queries.record_poll(
            conn,
            source.id,
            status="ok",
            error=None,
            etag=result.headers.get("etag"),
            last_modified=result.headers.get("last-modified"),
            created=created,
        )
    return PollResult(source=source.public_id, status="ok", created=created)


async def poll_sources(
    db: Transactional, *, policy: FetchPolicy, only: UUID | None = None
) -> list[PollResult]:
    async with db.connection() as conn:
        rows = await queries.active_source_rows(conn, only)
    results = []
    for source in rows:
        try:
            results.append(await poll_source(db, source, policy=policy))
        except Exception:  # one broken source never stops the others
            log.exception("polling source %s failed", source.public_id)
            results.append(
                PollResult(source=source.public_id, status="failed", created=0, error="internal error")
            )
    return results


async def poll_one(db: Transactional, public_id: UUID, *, policy: FetchPolicy) -> PollResult:
    """Poll one active source now."""
    results = await poll_sources(db, policy=policy, only=public_id)
    if not results:
        raise NotFound(lazy_gettext("No such active source."))
    return results[0]


async def prefill(url: str, *, policy: FetchPolicy) -> OpenGraph:
    """What the page at `url` says about itself (Open Graph), to prefill a draft."""
    return await fetch_open_graph(normalise_link(url), policy=policy)
