"""Tracked links: making one for a share, following one (the hot path), and settling clicks (the 24 h
window, self clicks, points) in a set-based job off the hot path."""

from __future__ import annotations

import asyncio
import gc
import hashlib
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
from cachetools import LRUCache
from litestar import Litestar

from advocacy.db.pool import Database
from advocacy.incentives.anti_gaming.schemas import ShareClicks
from advocacy.incentives.anti_gaming.service import flag_gamed_shares, shares_to_check
from advocacy.incentives.badges import service as badges
from advocacy.incentives.ledger.service import AWARD_JOB, events_to_args
from advocacy.incentives.schemas import PointEvent
from advocacy.links import queries
from advocacy.links.bots import BotFilter, Visitor
from advocacy.links.cache import LinkCache
from advocacy.links.recorder import ClickRecorder
from advocacy.links.schemas import Click, LinkEntry, LinkPreview, SettleReport, UnsettledClick
from advocacy.links.spool import ClickSpool
from advocacy.links.targets import is_code, new_code, tracked_target
from advocacy.links.visitors import VisitorHasher
from advocacy.outbox.service import enqueue
from advocacy.people import service as people
from content_library.feed.service import shareable_item
from content_library.images.storage import Storage

DEDUPE_WINDOW = timedelta(hours=24)
# a code not cached here is looked up in PostgreSQL; a PostgreSQL that does not answer within this is down
LOOKUP_TIMEOUT = 2.0
# Unique clicks one address may count on one link in a UTC day, whatever browsers it claims to be: a few
# people behind one office or home address still count, twelve User-Agent strings from one script do not.
ADDRESS_CLICKS_PER_DAY = 3
SETTLE_BATCH = 5000
# the anti-gaming check reads each clicked share's latest clicks, no more (bursts and few visitors show there)
GAMING_SAMPLE_CLICKS = 2000


class LinkRuntime:
    """What the redirect needs in process: the code cache, the click recorder, the visitor hasher and the
    bot filter. Lives on app.state.links for the app's lifetime."""

    def __init__(self, db: Database, secret_key: str, spool_folder: Path) -> None:
        self.db = db
        self.cache = LinkCache()
        self.recorder = ClickRecorder(db, ClickSpool(spool_folder))
        self.visitors = VisitorHasher(secret_key)
        self.bots = BotFilter()
        # The last card PNGs drawn, by everything they are drawn from: a card is drawn once (about 0.1 s of
        # Pillow) however many crawlers and visitors ask, and again when the name, badge or colours change.
        self.cards: LRUCache[str, bytes] = LRUCache(maxsize=128)


@asynccontextmanager
async def links_lifespan(app: Litestar) -> AsyncIterator[None]:
    """Starts the click recorder after the pools exist (the app's first lifespan) and drains it at the end."""
    settings = app.state.settings
    runtime = LinkRuntime(app.state.db, settings.secret_key, settings.data_path / "click-spool")
    runtime.recorder.start()
    app.state.links = runtime
    # Everything built at start-up (routes, compiled patterns, the charter) lives as long as the process:
    # moved out of the collector's sight, a full collection scans only what requests leave behind, instead
    # of pausing every request for tens of milliseconds (it showed as the redirect's p99).
    gc.freeze()
    try:
        yield
    finally:
        await runtime.recorder.stop()


# A committed batch's id is kept this long: a spooled copy of it drained later still writes nothing (a spool
# is drained within seconds of PostgreSQL answering again).
CLICK_BATCH_KEEP_DAYS = 30


async def purge_click_batches(db: Database) -> int:
    async with db.transaction() as conn:
        return await queries.purge_click_batches(conn, CLICK_BATCH_KEEP_DAYS)


# --- following a link (the hot path) ------------------------------------------------------------------


class Outcome(Enum):
    REDIRECT = "redirect"
    PREVIEW = "preview"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"


class LinkUnavailable(Exception):
    """The code is not in this process's cache and PostgreSQL cannot be asked."""


class Followed(msgspec.Struct, frozen=True, kw_only=True):
    outcome: Outcome
    target: str | None = None
    recorded: bool = False


async def entry_for(runtime: LinkRuntime, code: str) -> LinkEntry | None:
    if not is_code(code):
        return None
    found, entry = runtime.cache.get(code)
    if not found:
        try:
            async with asyncio.timeout(LOOKUP_TIMEOUT), runtime.db.connection() as conn:
                entry = await queries.link_entry(conn, code)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            raise LinkUnavailable(code) from exc
        runtime.cache.put(code, entry)
    return entry


async def follow(
    runtime: LinkRuntime, code: str, *, address: str, user_agent: str, signed_in_person_id: int | None
) -> Followed:
    """Record the click (durably, before answering) and say where to send the visitor."""
    entry = await entry_for(runtime, code)
    if entry is None:
        return Followed(outcome=Outcome.NOT_FOUND)
    kind = runtime.bots.classify(user_agent)
    now = datetime.now(UTC)
    today, yesterday = runtime.visitors.today_and_yesterday(now.date(), address, user_agent)
    own = signed_in_person_id is not None and signed_in_person_id == entry.person_id
    bot = kind is not Visitor.PERSON
    decided = bot or own
    click = Click(
        share_id=entry.share_id,
        at=now,
        visitor_hash=today,
        # only the settle job reads yesterday's hash, and it never sees a click decided here
        visitor_hash_prev=None if decided else yesterday,
        counted=False if decided else None,
        self=own,
        bot=bot,
        preview=kind is Visitor.PREVIEW,
        address_hash=runtime.visitors.address_hash(now.date(), address),
    )
    recorded = await runtime.recorder.record(click)
    outcome = Outcome.PREVIEW if kind is Visitor.PREVIEW else Outcome.REDIRECT
    return Followed(outcome=outcome, target=entry.target, recorded=recorded)


async def preview(
    db: Database, code: str, *, public_base_url: str, storage: Storage | None
) -> LinkPreview | None:
    """What a link-preview crawler is shown (title, summary, the 1200×627 rendition), even after expiry."""
    async with db.connection() as conn:
        source = await queries.preview_source(conn, code)
        if source is None:
            return None
        if source.item_public_id is None:
            card = await queries.card_source(conn, code)
            if card is None or not shown(card):
                return None  # the crawler follows the redirect to the card page, which says it is gone
            return card_preview(card, code, target=source.target, public_base_url=public_base_url)
        item = await shareable_item(
            conn,
            source.item_public_id,
            network=source.network,
            language=source.language,
            person=await people.audience_of(conn, source.person_id),
            at=datetime.now(UTC),
            storage=storage,
        )
        approved = await queries.approved_content(conn, source.item_public_id)
    if item is None or approved is None:
        return LinkPreview(target=source.target, title=source.target, description=None, image_url=None)
    title, summary, image = item.title, item.summary, item.link_image_path
    if approved.status != "approved":
        # an edit sent back to review (or a withdrawn item): the networks get what a reviewer approved
        if approved.approved is None:
            return LinkPreview(target=source.target, title=source.target, description=None, image_url=None)
        title = str(approved.approved.get("title") or source.target)
        summary = approved.approved.get("summary")
        if approved.approved.get("images") != approved.latest_images:
            image = None  # the image changed since: the approved one is not the one rendered now
    if image is not None and not image.startswith(("http://", "https://")):
        image = public_base_url.rstrip("/") + image
    return LinkPreview(target=source.target, title=title, description=summary, image_url=image)


# --- badge cards ------------------------------------------------------------------------------------------


def shown(card: queries.CardSource) -> bool:
    """A card names a person publicly: only while its share is out and its sharer still takes part (a
    withdrawn or rejected share, an opt-out or an erasure takes the card down)."""
    return card.share_status in ("ready", "published") and card.sharer_opted_in


def card_page_base(public_base_url: str) -> str:
    return f"{public_base_url.rstrip('/')}/cards/"


def card_page_url(public_base_url: str, code: str) -> str:
    return f"{card_page_base(public_base_url)}{code}"


def card_image_url(public_base_url: str, code: str) -> str:
    return f"{card_page_url(public_base_url, code)}/card.png"


def _card_texts(card: queries.CardSource) -> tuple[str, str]:
    """(badge name, period) in the share's language."""
    return badges.badge_name(card.badge, card.language), badges.card_period(card.period, card.awarded_at)


def card_preview(card: queries.CardSource, code: str, *, target: str, public_base_url: str) -> LinkPreview:
    badge, period = _card_texts(card)
    by = f" · {card.organisation}" if card.organisation else ""
    return LinkPreview(
        target=target,
        title=f"{card.display_name} — {badge}",
        description=f"{period}{by}",
        image_url=card_image_url(public_base_url, code),
    )


async def card(db: Database, code: str, *, public_base_url: str) -> LinkPreview | None:
    """The public card page's content; None for a code that is not a card's, or a card taken down."""
    if not is_code(code):
        return None
    async with db.connection() as conn:
        source = await queries.card_source(conn, code)
    if source is None or not shown(source):
        return None
    return card_preview(
        source, code, target=card_page_url(public_base_url, code), public_base_url=public_base_url
    )


async def card_image(runtime: LinkRuntime, code: str) -> tuple[bytes, str] | None:
    """The card's 1200×627 PNG and its ETag; None for a code that is not a card's, or a card taken down."""
    if not is_code(code):
        return None
    async with runtime.db.connection() as conn:
        source = await queries.card_source(conn, code)
    if source is None or not shown(source):
        return None
    badge, period = _card_texts(source)
    colours = badges.colours_from_settings(source.settings)
    drawn_from = [source.display_name, badge, period, source.organisation, *colours, source.language]
    etag = hashlib.sha256(msgspec.json.encode(drawn_from)).hexdigest()[:32]
    image = runtime.cards.get(etag)
    if image is None:
        image = await asyncio.to_thread(
            badges.render_card, display_name=source.display_name, badge=badge, period=period,
            organisation=source.organisation, colours=colours, language=source.language,
        )  # fmt: skip
        runtime.cards[etag] = image
    return image, f'"{etag}"'


# --- making a link --------------------------------------------------------------------------------------


async def create_link(
    conn: asyncpg.Connection,
    *,
    share_id: int,
    share_public_id: str,
    network: str,
    link: str,
    campaign_slug: str | None,
) -> str:
    """The share's tracked link (made once; a second call returns the same code)."""
    existing = await queries.code_of_share(conn, share_id)
    if existing is not None:
        return existing
    target = tracked_target(
        link, network=network, campaign_slug=campaign_slug, share_public_id=share_public_id
    )
    for _ in range(5):
        code = new_code()
        if await queries.insert_link(conn, code=code, share_id=share_id, target=target):
            return code
    raise RuntimeError("could not draw a free link code five times in a row")  # 72 random bits: never


async def create_card_link(conn: asyncpg.Connection, *, share_id: int) -> str:
    """A card share's tracked link: it leads to the card's public page here (relative, see 0060)."""
    existing = await queries.code_of_share(conn, share_id)
    if existing is not None:
        return existing
    for _ in range(5):
        code = new_code()
        if await queries.insert_link(conn, code=code, share_id=share_id, target=f"/cards/{code}"):
            return code
    raise RuntimeError("could not draw a free link code five times in a row")  # 72 random bits: never


def link_url(public_base_url: str, code: str) -> str:
    return f"{public_base_url.rstrip('/')}/l/{code}"


async def remember_sharer(
    conn: asyncpg.Connection, runtime_hasher: VisitorHasher, share_id: int, *, address: str, user_agent: str
) -> None:
    """The sharer's own browser today: its clicks on this share are marked self."""
    visitor = runtime_hasher.hash(datetime.now(UTC).date(), address, user_agent)
    await queries.add_sharer_visitor(conn, share_id, visitor)


# --- settling clicks ------------------------------------------------------------------------------------

SETTLE_JOB_KEY = "clicks-settled"


async def settle_clicks(db: Database, *, batch: int = SETTLE_BATCH) -> SettleReport:
    """Decide `counted` for clicks not yet settled, in click order: a person's click counts unless the
    same visitor had a counted click on the same share within the previous 24 h, it is the sharer's own,
    or the sharer no longer takes part (opted out). Counted clicks become point events (outbox), in the
    same transaction, after the anti-gaming check has flagged the shares whose clicks look gamed (their
    click points are then held). Safe to run concurrently (serialised by an advisory lock) and to repeat."""
    settled = counted_total = 0
    while True:
        async with db.transaction() as conn:
            await queries.lock_settling(conn)
            rows = await queries.unsettled_clicks(conn, batch)
            if not rows:
                break
            earliest = min(r.at for r in rows)
            keys = {(r.share_id, r.visitor_hash) for r in rows}
            keys |= {(r.share_id, r.visitor_hash_prev) for r in rows if r.visitor_hash_prev is not None}
            pairs = sorted(keys)
            last = await queries.last_counted_clicks(
                conn, [p[0] for p in pairs], [p[1] for p in pairs], earliest - DEDUPE_WINDOW
            )
            addresses = sorted({(r.share_id, r.address_hash) for r in rows if r.address_hash is not None})
            per_address = await queries.counted_clicks_per_address(
                conn, [a[0] for a in addresses], [a[1] for a in addresses]
            )
            ids: list[int] = []
            counted: list[bool] = []
            self_flags: list[bool] = []
            per_share: dict[int, list[Any]] = defaultdict(list)
            for row in sorted(rows, key=lambda r: (r.at, r.id)):
                seen = [last.get((row.share_id, row.visitor_hash))]
                if row.visitor_hash_prev is not None:
                    seen.append(last.get((row.share_id, row.visitor_hash_prev)))
                latest = max((t for t in seen if t is not None), default=None)
                fresh = latest is None or row.at - latest >= DEDUPE_WINDOW
                counts = fresh and not row.self and row.sharer_tracked
                address = (row.share_id, row.address_hash) if row.address_hash is not None else None
                if counts and address is not None:
                    counts = per_address.get(address, 0) < ADDRESS_CLICKS_PER_DAY
                if counts:
                    last[(row.share_id, row.visitor_hash)] = row.at
                    if address is not None:
                        per_address[address] = per_address.get(address, 0) + 1
                    if not row.card:  # a card share's clicks earn no points
                        per_share[row.share_id].append(row)
                ids.append(row.id)
                counted.append(counts)
                self_flags.append(row.self)
            await queries.mark_settled(conn, ids, counted, self_flags)
            # flagged before the points are enqueued, so the award holds the flagged shares' click points
            events = await _check_for_gaming(conn, rows)
            events += [
                PointEvent(
                    kind="click",
                    person_id=clicks[0].person_id,
                    network=clicks[0].network,
                    campaign_id=clicks[0].campaign_id,
                    source_type="share",
                    source_id=share_id,
                    quantity=len(clicks),
                    occurred_at=max(c.at for c in clicks),
                    idempotency_key=f"clicks:share:{share_id}:{max(c.id for c in clicks)}",
                )
                for share_id, clicks in per_share.items()
            ]
            if events:
                await enqueue(
                    conn, AWARD_JOB, events_to_args(events), dedupe_key=f"{SETTLE_JOB_KEY}:{max(ids)}"
                )
            settled += len(rows)
            counted_total += sum(counted)
        if len(rows) < batch:
            break
    return SettleReport(settled=settled, counted=counted_total)


async def _check_for_gaming(conn: asyncpg.Connection, rows: list[UnsettledClick]) -> list[PointEvent]:
    """Run the anti-gaming check on the shares these clicks went to (those whose sharer takes part);
    returns the hold events of the shares flagged now."""
    # a card share's clicks earn nothing, so there is nothing to hold: it is not checked
    clicked = {r.share_id: r for r in rows if not r.self and r.sharer_tracked and not r.card}
    share_ids = await shares_to_check(conn, list(clicked))
    if not share_ids:
        return []
    samples = await queries.recent_person_clicks(conn, share_ids, GAMING_SAMPLE_CLICKS)
    return await flag_gamed_shares(
        conn,
        [
            ShareClicks(
                share_id=share_id,
                person_id=clicked[share_id].person_id,
                network=clicked[share_id].network,
                campaign_id=clicked[share_id].campaign_id,
                samples=samples.get(share_id, []),
            )
            for share_id in share_ids
        ],
    )
