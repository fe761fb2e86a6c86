"""The share decisions: check a share against the charter in force and store it with its verdict; hold it
for compliance, refuse it, or make it ready with its tracked link; fatigue limits and sharing hours;
withdrawal; confirmation that it went out. Reading a share: reading.py; compliance review: review.py;
preferences and the organisation's sharing settings: preferences.py."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import msgspec

from advocacy.ambassadors.service import require_ambassador
from advocacy.audit.service import write_audit
from advocacy.auth.schemas import Principal
from advocacy.charter.cache import CharterCache
from advocacy.charter.engine import CheckContent
from advocacy.charter.rules import Severity
from advocacy.charter.service import check_share_text
from advocacy.connectors.service import account_for
from advocacy.core.errors import Conflict, DomainError, Invalid, NotFound
from advocacy.core.i18n import lazy_gettext
from advocacy.core.networks import CONNECTED_NETWORKS as DIRECT_NETWORKS
from advocacy.core.organisation import organisation
from advocacy.db.pool import Database
from advocacy.incentives.badges.service import own_badge_award
from advocacy.incentives.ledger.service import AWARD_JOB, REVERSE_SHARE_JOB, events_to_args
from advocacy.incentives.schemas import PointEvent
from advocacy.links import service as links
from advocacy.links.visitors import VisitorHasher
from advocacy.outbox.service import enqueue
from advocacy.people import service as people
from advocacy.shares import queries
from advocacy.shares.limits import SharingSettings, local_day, next_opening, sharing_settings_from, zone
from advocacy.shares.reading import read_share
from advocacy.shares.schemas import (
    ShareConfirm,
    ShareCreate,
    ShareRead,
    ShareRow,
    Withdrawal,
)
from advocacy.shares.sharepage import check_post_url, text_as_posted
from content_library.campaigns import service as campaigns
from content_library.feed.service import shareable_item
from content_library.images.storage import Storage

# Direct publishing (advocacy/connectors) picks a ready direct share up from the outbox: {"share_id": int}.
PUBLISH_JOB = "shares.publish"
# How far ahead a share may be scheduled when the limits push it back.
_SCHEDULE_HORIZON_DAYS = 14


async def _require_direct_publishing(conn: asyncpg.Connection, person_id: int, network: str) -> None:
    """Direct publishing needs a connector for the network and the person's own connected account."""
    if network not in DIRECT_NETWORKS:
        raise Invalid(
            lazy_gettext(
                "Direct publishing is not available for %(network)s: use the share page", network=network
            ),
            extra={"reason": "direct-publishing-unavailable"},
        )
    account = await account_for(conn, person_id, network)
    if account is None or account.status != "active":
        connect = "/api/v1/me/connections/" + ("bluesky" if network == "bluesky" else f"{network}/start")
        raise Invalid(
            lazy_gettext(
                "Connect your %(network)s account first (POST %(connect)s)", network=network, connect=connect
            )
            if account is None
            else lazy_gettext(
                "Your %(network)s account must be reconnected before publishing directly", network=network
            ),
            extra={"reason": "account-not-connected" if account is None else "account-needs-reconnect"},
        )


class ShareRefused(DomainError):
    """The charter blocks this text: only a refusal record is kept, with the findings."""

    kind = "share-refused"
    title = lazy_gettext("The charter refuses this share")
    status = 422


class NotNow(DomainError):
    """A fatigue limit or the sharing hours: the share may go at `may_go_at` (or be scheduled for then)."""

    kind = "share-not-now"
    title = lazy_gettext("Not now")
    status = 409


class Context(msgspec.Struct, frozen=True, kw_only=True):
    """What a request tells the share flow besides its body."""

    public_base_url: str
    address: str
    user_agent: str
    storage: Storage | None = None


# --- when a share may go ---------------------------------------------------------------------------------


async def _may_go_at(
    conn: asyncpg.Connection, person_id: int, network: str, sharing: SharingSettings, now: datetime
) -> tuple[datetime, str | None]:
    """The first moment from `now` that the sharing hours and daily limits allow, and what held it back."""
    tz = zone(await queries.person_timezone(conn, person_id))
    candidate, reason = now, None
    for _ in range(_SCHEDULE_HORIZON_DAYS * 2):
        opening = next_opening(candidate, tz, sharing.sharing_hours)
        if opening != candidate:
            candidate, reason = opening, reason or "outside-sharing-hours"
        _, begins, ends = local_day(candidate, tz)
        total, on_network = await queries.shares_on_day(conn, person_id, begins, ends, network)
        if sharing.max_shares_per_day is not None and total >= sharing.max_shares_per_day:
            candidate, reason = ends, reason or "daily-limit"
            continue
        if (
            sharing.max_shares_per_network_per_day is not None
            and on_network >= sharing.max_shares_per_network_per_day
        ):
            candidate, reason = ends, reason or "network-daily-limit"
            continue
        return candidate, reason
    raise Conflict(lazy_gettext("No free sharing slot in the next two weeks"))


_NOT_NOW = {
    "outside-sharing-hours": lazy_gettext("Outside your organisation's sharing hours"),
    "daily-limit": lazy_gettext("You reached today's share limit"),
    "network-daily-limit": lazy_gettext("You reached today's share limit for this network"),
}


# --- sharing -----------------------------------------------------------------------------------------------


class _Subject(msgspec.Struct, frozen=True, kw_only=True):
    """What a share is of, as the common flow needs it: a content item, or one of the sharer's badge awards."""

    item_id: int | None = None
    badge_award_id: int | None = None
    # the link the posted text carries, as the charter checks it (the item's own, or our card page)
    link: str | None
    content: CheckContent
    allow_reshare: bool


async def _item_subject(
    conn: asyncpg.Connection,
    principal: Principal,
    body: ShareCreate,
    language: str,
    now: datetime,
    ctx: Context,
) -> _Subject:
    assert body.item is not None
    item = await shareable_item(
        conn, body.item, network=body.network, language=language,
        person=await people.audience_of(conn, principal.person_id), at=now, storage=ctx.storage,
    )  # fmt: skip
    if item is None or not item.in_audience:
        raise NotFound(lazy_gettext("This item is not in your feed"))
    if not item.live:
        raise Conflict(lazy_gettext("This item cannot be shared now"))
    if body.images and await queries.images_of_item(conn, item.item_id, list(body.images)) != len(
        set(body.images)
    ):
        raise Invalid(lazy_gettext("These images are not this item's"))
    if item.networks and body.network not in item.networks:
        raise Invalid(
            lazy_gettext(
                "This item is not offered for %(network)s (networks: %(networks)s)",
                network=body.network,
                networks=", ".join(item.networks),
            ),
            extra={"reason": "network-not-offered", "networks": item.networks},
        )
    content = CheckContent(
        link=item.link,
        caption_policy=item.caption_policy,
        approved_caption=item.caption if item.caption_policy == "locked" else None,
        tags=item.tags,
    )
    return _Subject(item_id=item.item_id, link=item.link, content=content, allow_reshare=item.allow_reshare)


async def _card_subject(
    conn: asyncpg.Connection, principal: Principal, body: ShareCreate, ctx: Context
) -> _Subject:
    """One of the sharer's own badge awards: its card goes out with a tracked link to its public page."""
    assert body.badge is not None
    award_id = await own_badge_award(conn, principal.person_id, body.badge)
    if award_id is None:
        raise NotFound(lazy_gettext("There is no such badge of yours"))
    if body.images:
        raise Invalid(lazy_gettext("A card share carries its card only, no other image"))
    link = links.card_page_base(ctx.public_base_url)
    return _Subject(badge_award_id=award_id, link=link, content=CheckContent(link=link), allow_reshare=False)


async def shared_item_ids(conn: asyncpg.Connection, person_id: int) -> frozenset[int]:
    """The items this person already shared (ready, scheduled or published; to any network)."""
    return await queries.shared_item_ids(conn, person_id)


async def create_share(
    db: Database,
    charters: CharterCache,
    hasher: VisitorHasher,
    principal: Principal,
    body: ShareCreate,
    ctx: Context,
) -> ShareRead:
    """Check and store a share of an item or of a badge card; raises ShareRefused (after committing the
    refusal record) on a block."""
    now = datetime.now(UTC)
    refused: ShareRefused | None = None
    async with db.transaction() as conn:
        await require_ambassador(conn, principal.person_id)
        await queries.lock_person_shares(conn, principal.person_id)
        language = body.language or principal.language
        if body.badge is not None:
            subject = await _card_subject(conn, principal, body, ctx)
        else:
            subject = await _item_subject(conn, principal, body, language, now, ctx)
        no_server = body.network == "mastodon" and body.mode == "share_page"
        if no_server and await queries.mastodon_instance(conn, principal.person_id) is None:
            raise Invalid(
                lazy_gettext("Tell us your Mastodon server first (PUT /api/v1/me/share-preferences)"),
                extra={"reason": "mastodon-instance-unknown"},
            )
        if body.mode == "direct":
            await _require_direct_publishing(conn, principal.person_id, body.network)
        if not subject.allow_reshare and (
            await queries.already_shared_card(conn, subject.badge_award_id, body.network)
            if subject.badge_award_id is not None
            else await queries.already_shared(conn, principal.person_id, subject.item_id or 0, body.network)
        ):
            raise Conflict(
                lazy_gettext("You already shared this card on this network")
                if subject.badge_award_id is not None
                else lazy_gettext("You already shared this item on this network"),
                extra={"reason": "already-shared"},
            )
        sharing = sharing_settings_from((await organisation(db, conn)).settings)
        may_go_at, held_back = await _may_go_at(conn, principal.person_id, body.network, sharing, now)
        if held_back is not None and not body.schedule_if_not_now:
            raise NotNow(
                lazy_gettext(
                    "%(reason)s: it may go from %(may_go_at)s UTC",
                    reason=_NOT_NOW[held_back],
                    may_go_at=format(may_go_at, "%Y-%m-%d %H:%M"),
                ),
                extra={"reason": held_back, "may_go_at": may_go_at.isoformat()},
            )
        text = text_as_posted(body.network, body.caption, subject.link)
        verdict, charter_id = await check_share_text(
            conn, charters, text=text, network=body.network, language=language, content=subject.content, at=now,
            reader_language=principal.language,
        )  # fmt: skip
        decision = verdict.decision
        if decision == Severity.WARN and not body.acknowledge_warnings:
            raise Invalid(
                lazy_gettext(
                    "The charter warns about this text: read the warnings and confirm (acknowledge_warnings)"
                ),
                extra={"verdict": msgspec.to_builtins(verdict), "reason": "warnings-not-acknowledged"},
            )
        if decision == Severity.BLOCK:
            status, scheduled_for = "refused", None
        elif decision == Severity.REVIEW:
            status, scheduled_for = "held", (may_go_at if held_back else None)
        elif held_back:
            status, scheduled_for = "scheduled", may_go_at
        else:
            status, scheduled_for = "ready", None
        verdict_json = msgspec.to_builtins(verdict)
        share_id, public_id = await queries.insert_share(
            conn, person_id=principal.person_id, item_id=subject.item_id, badge_award_id=subject.badge_award_id,
            network=body.network, mode=body.mode, status=status, language=language, caption=body.caption,
            images=list(body.images), charter_id=charter_id, verdict=verdict_json,
            warning_acknowledged=body.acknowledge_warnings and decision == Severity.WARN, scheduled_for=scheduled_for,
        )  # fmt: skip
        await queries.insert_verdict(
            conn, share_id=share_id, charter_id=charter_id, charter_version=verdict.charter_version,
            outcome=decision.value, verdict=verdict_json, checked_text=text,
        )  # fmt: skip
        if status == "refused":
            refused = ShareRefused(
                lazy_gettext("The charter refuses this text"),
                extra={"share": str(public_id), "verdict": verdict_json},
            )
        else:
            await links.remember_sharer(
                conn, hasher, share_id, address=ctx.address, user_agent=ctx.user_agent
            )
            if status == "ready":
                await make_ready(conn, share_id)
            result = await read_share(conn, share_id, ctx.public_base_url)
    if refused is not None:
        raise refused
    return result


async def make_ready(conn: asyncpg.Connection, share_id: int) -> None:
    """Ready: the tracked link exists (when the item has a link) and direct publishing is queued."""
    row = await queries.share_by_id(conn, share_id)
    assert row is not None
    await queries.set_status(conn, share_id, "ready")
    if row.badge_award_id is not None:
        await links.create_card_link(conn, share_id=share_id)
    elif row.item_link:
        slug = await campaigns.campaign_slug(conn, row.campaign_id) if row.campaign_id else None
        await links.create_link(
            conn, share_id=share_id, share_public_id=str(row.public_id), network=row.network, link=row.item_link,
            campaign_slug=slug,
        )  # fmt: skip
    if row.mode == "direct":
        await enqueue(conn, PUBLISH_JOB, {"share_id": share_id}, dedupe_key=f"{PUBLISH_JOB}:{share_id}")


async def withdraw(
    db: Database, principal: Principal, share: UUID, body: Withdrawal, *, public_base_url: str
) -> ShareRead:
    async with db.transaction() as conn:
        row = await queries.share_by_public_id(conn, share, for_update=True)
        if row is None or row.person_id != principal.person_id:
            raise NotFound(lazy_gettext("There is no such share of yours"))
        if row.status not in ("held", "ready", "scheduled", "published"):
            raise Conflict(lazy_gettext("This share is already %(status)s", status=row.status))
        await queries.set_status(conn, row.id, "withdrawn", reason=body.reason)
        if row.status == "published":
            await enqueue(
                conn,
                REVERSE_SHARE_JOB,
                {"share_id": row.id, "reason": "withdrawn"},
                dedupe_key=f"{REVERSE_SHARE_JOB}:{row.id}",
            )
        await write_audit(
            conn, actor_id=principal.person_id, action="share.withdrawn", subject_type="share", subject_id=str(row.public_id),
            detail={"from": row.status, "reason": body.reason},
        )  # fmt: skip
        return await read_share(conn, row.id, public_base_url)


def published_event(row: ShareRow, at: datetime) -> PointEvent:
    """Points for a share that went out: one per (person, item, network), whatever the way out."""
    return PointEvent(
        kind="share_published",
        person_id=row.person_id,
        network=row.network,
        campaign_id=row.campaign_id,
        source_type="share",
        source_id=row.id,
        occurred_at=at,
        idempotency_key=f"share_published:{row.person_id}:{row.content_item_id}:{row.network}",
    )


async def mark_published(
    conn: asyncpg.Connection, share_id: int, *, post_url: str | None, post_id: str | None
) -> None:
    """A ready share went out (confirmed by the employee, or published by a connector): status, points."""
    row = await queries.share_by_id(conn, share_id)
    assert row is not None
    await queries.set_published(conn, share_id, post_url=post_url, post_id=post_id)
    # A card share earns no points: points reward spreading the company's content, and a card is the
    # person's own recognition (rewarding its reach would pay people for advertising their points), so it
    # is neither a published share for the ledger nor a step towards the share-count badges.
    if row.status != "published" and row.badge_award_id is None:
        event = published_event(row, datetime.now(UTC))
        await enqueue(
            conn,
            AWARD_JOB,
            events_to_args([event]),
            dedupe_key=f"{AWARD_JOB}:{event.idempotency_key}:{share_id}",
        )


async def confirm(
    db: Database, hasher: VisitorHasher, principal: Principal, share: UUID, body: ShareConfirm, ctx: Context
) -> ShareRead:
    """The employee says the share went out through the share page, with the post's address as proof."""
    async with db.transaction() as conn:
        row = await queries.share_by_public_id(conn, share, for_update=True)
        if row is None or row.person_id != principal.person_id:
            raise NotFound(lazy_gettext("There is no such share of yours"))
        if row.status not in ("ready", "published"):
            raise Conflict(lazy_gettext("A %(status)s share cannot be confirmed", status=row.status))
        post_id = check_post_url(row.network, body.post_url)
        await mark_published(conn, row.id, post_url=body.post_url, post_id=post_id)
        await links.remember_sharer(conn, hasher, row.id, address=ctx.address, user_agent=ctx.user_agent)
        return await read_share(conn, row.id, ctx.public_base_url)


async def release_scheduled(db: Database, *, at: datetime | None = None, batch: int = 200) -> int:
    """Cron: scheduled shares whose time came become ready (tracked link, direct publishing queued)."""
    released = 0
    async with db.transaction() as conn:
        for share_id in await queries.due_scheduled_shares(conn, at or datetime.now(UTC), batch):
            await make_ready(conn, share_id)
            released += 1
    return released
