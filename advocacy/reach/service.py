"""Reach: metric polling of direct shares (and the engagement point events of their growth), estimates for
share-page shares, analytics with EMV, CSV."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from uuid import UUID

import msgspec

from advocacy.audit.service import write_audit
from advocacy.auth.schemas import Principal
from advocacy.connectors import service as connectors
from advocacy.connectors.base import ConnectorError, RateLimited
from advocacy.connectors.crypto import TokenCipher
from advocacy.connectors.registry import Registry
from advocacy.connectors.service import NeedsReconnect, usable_auth
from advocacy.core.errors import Forbidden, Invalid, NotFound
from advocacy.core.i18n import lazy_gettext
from advocacy.core.organisation import organisation
from advocacy.core.roles import Role
from advocacy.db.pool import Database
from advocacy.http.csv_cells import csv_document
from advocacy.incentives.ledger.service import AWARD_JOB, events_to_args
from advocacy.incentives.schemas import PointEvent
from advocacy.outbox.service import enqueue
from advocacy.reach import queries
from advocacy.reach.schemas import (
    Analytics,
    DueShare,
    Emv,
    EmvTotal,
    EngagementBefore,
    Estimate,
    FigureRow,
    Figures,
    Group,
    GroupBy,
    ReachSettings,
)

log = logging.getLogger("advocacy.reach")

MAX_RANGE = timedelta(days=731)
INDIVIDUAL_READERS = {Role.COMPLIANCE.value, Role.ADMIN.value}


# --- settings ------------------------------------------------------------------------------------------------


async def reach_settings(db: Database) -> ReachSettings:
    raw = (await organisation(db)).section("reach")
    try:
        return msgspec.convert(raw, ReachSettings)
    except msgspec.ValidationError:
        return ReachSettings()


async def update_reach_settings(db: Database, body: ReachSettings, *, actor_id: int) -> ReachSettings:
    async with db.transaction() as conn:
        await queries.save_reach_settings(conn, msgspec.to_builtins(body))
        await write_audit(
            conn, actor_id=actor_id, action="organisation.reach_settings", subject_type="organisation",
            subject_id="1", detail=msgspec.to_builtins(body),
        )  # fmt: skip
    return body


# --- polling ---------------------------------------------------------------------------------------------------


async def poll_metrics(
    db: Database, registry: Registry, cipher: TokenCipher, *, limit: int = 200, now: datetime | None = None
) -> int:
    """One pass: a snapshot for every direct share that is due (append-only), follower counts once a day.
    A network that rate-limits us is left alone for the rest of the pass."""
    now = now or datetime.now(UTC)
    async with db.connection() as conn:
        due = await queries.shares_due_for_metrics(conn, now, limit)
        stale_accounts = await queries.accounts_needing_followers(conn, limit)
    limited: set[str] = set()
    taken = 0
    for share in due:
        if share.network in limited:
            continue
        try:
            account, auth = await usable_auth(db, registry, cipher, share.account_id)
            metrics = await registry.connector(account.network).metrics(auth, share.external_post_id)
        except RateLimited:
            limited.add(share.network)
            continue
        except (ConnectorError, NeedsReconnect) as exc:
            log.info("metrics not read", extra={"share": share.share_id, "error": str(exc)[:200]})
            continue
        async with db.transaction() as conn:
            await queries.lock_share_metrics(conn, share.share_id)
            before = await queries.engagement_before(conn, share.share_id, share.person_id)
            await queries.insert_snapshot(
                conn,
                share.share_id,
                share.network,
                likes=metrics.likes,
                comments=metrics.comments,
                reposts=metrics.reposts,
                impressions=metrics.impressions,
            )
            event = engagement_event(share, before, metrics.likes + metrics.comments + metrics.reposts, now)
            if event is not None:
                await enqueue(conn, AWARD_JOB, events_to_args([event]), dedupe_key=event.idempotency_key)
        taken += 1
    for account_id in stale_accounts:
        try:
            account, auth = await usable_auth(db, registry, cipher, account_id)
            if account.network in limited:
                continue
            profile = await registry.connector(account.network).profile(auth)
        except (ConnectorError, NeedsReconnect):
            continue
        if profile.followers is not None:
            async with db.transaction() as conn:
                await connectors.save_followers(conn, account_id, profile.followers)
    return taken


def engagement_event(
    share: DueShare, before: EngagementBefore, total: int, at: datetime
) -> PointEvent | None:
    """The point event of a share's new engagements (likes + comments + reposts over the highest count seen
    before), keyed by the cumulative count reached: a replayed snapshot, or a count that fell and came
    back, awards nothing twice. Growth over a time the sharer opted out in earns nothing (the rules, caps
    and multipliers are the award job's)."""
    if total <= before.high_water or before.opted_out_since:
        return None
    return PointEvent(
        kind="engagement",
        person_id=share.person_id,
        network=share.network,
        campaign_id=before.campaign_id,
        source_type="share",
        source_id=share.share_id,
        quantity=total - before.high_water,
        occurred_at=at,
        idempotency_key=f"engagement:share:{share.share_id}:{total}",
    )


# --- analytics -----------------------------------------------------------------------------------------------


def check_range(since: datetime, until: datetime) -> None:
    if until <= since:
        raise Invalid(lazy_gettext("`until` must come after `since`"))
    if until - since > MAX_RANGE:
        raise Invalid(lazy_gettext("A range covers at most two years"))


def figures_of(row: FigureRow, settings: ReachSettings) -> Figures:
    value = settings.value(row.network)
    engagements = row.likes + row.comments + row.reposts
    estimated_reach = round(row.estimate_followers * settings.rate(row.network))

    def emv(impressions: int) -> int:
        return round(
            impressions * value.cpm_minor / 1000
            + value.cpc_minor * (row.unique_clicks + value.reaction_multiplier * engagements)
        )

    return Figures(
        network=row.network,
        shares=row.shares,
        unique_clicks=row.unique_clicks,
        likes=row.likes,
        comments=row.comments,
        reposts=row.reposts,
        engagements=engagements,
        impressions_measured=row.impressions,
        reach_estimated=Estimate(value=estimated_reach),
        emv=Emv(
            currency=value.currency,
            cpm_minor=value.cpm_minor,
            cpc_minor=value.cpc_minor,
            reaction_multiplier=value.reaction_multiplier,
            amount_minor=emv(row.impressions),
            amount_with_estimates_minor=Estimate(value=emv(row.impressions + estimated_reach)),
        ),
    )


def summarise(
    scope: str, public_id: UUID | None, since: datetime, until: datetime, networks: list[Figures]
) -> Analytics:
    by_currency: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for figures in networks:
        by_currency[figures.emv.currency][0] += figures.emv.amount_minor
        by_currency[figures.emv.currency][1] += figures.emv.amount_with_estimates_minor.value
    return Analytics(
        scope=scope,
        id=public_id,
        since=since,
        until=until,
        shares=sum(f.shares for f in networks),
        unique_clicks=sum(f.unique_clicks for f in networks),
        engagements=sum(f.engagements for f in networks),
        impressions_measured=sum(f.impressions_measured for f in networks),
        reach_estimated=Estimate(value=sum(f.reach_estimated.value for f in networks)),
        # Amounts in different currencies are never added together.
        emv=[
            EmvTotal(currency=c, amount_minor=v[0], amount_with_estimates_minor=Estimate(value=v[1]))
            for c, v in sorted(by_currency.items())
        ],
        networks=networks,
    )


_SCOPE_TABLES = {
    "content_item": "content_items",
    "campaign": "campaigns",
    "team": "teams",
    "person": "people",
}


async def analytics(
    db: Database, scope: str, public_id: UUID | None, since: datetime, until: datetime
) -> Analytics:
    """Aggregates for one content item, campaign, team or person (or the whole organisation: scope 'all')."""
    check_range(since, until)
    settings = await reach_settings(db)
    filters: dict[str, int | None] = {}
    async with db.connection() as conn:
        if scope != "all":
            assert public_id is not None
            internal = await queries.internal_id(conn, _SCOPE_TABLES[scope], public_id)
            if internal is None:
                raise NotFound(lazy_gettext("No such %(value)s", value=scope.replace("_", " ")))
            filters = {
                {
                    "content_item": "item_id",
                    "campaign": "campaign_id",
                    "team": "team_id",
                    "person": "person_id",
                }[scope]: internal
            }
        rows = await queries.figures(conn, since=since, until=until, **filters)  # type: ignore[arg-type]
    return summarise(scope, public_id, since, until, [figures_of(r, settings) for r in rows])


async def my_analytics(db: Database, principal: Principal, since: datetime, until: datetime) -> Analytics:
    check_range(since, until)
    settings = await reach_settings(db)
    async with db.connection() as conn:
        rows = await queries.figures(conn, since=since, until=until, person_id=principal.person_id)
    return summarise("me", principal.public_id, since, until, [figures_of(r, settings) for r in rows])


def may_read_individual_shares(principal: Principal) -> bool:
    return bool(INDIVIDUAL_READERS & set(principal.roles))


async def share_analytics(
    db: Database, principal: Principal, share: UUID, since: datetime, until: datetime
) -> Analytics:
    """One share's figures: its owner, compliance and admin only."""
    check_range(since, until)
    async with db.connection() as conn:
        found = await queries.share_owner(conn, share)
    if found is None:
        raise NotFound(lazy_gettext("No such share"))
    share_id, owner = found
    if owner != principal.person_id and not may_read_individual_shares(principal):
        raise Forbidden(
            lazy_gettext("Only the sharer, compliance and admins see an individual share's figures")
        )
    settings = await reach_settings(db)
    async with db.connection() as conn:
        rows = await queries.figures(conn, since=since, until=until, share_id=share_id)
    return summarise("share", share, since, until, [figures_of(r, settings) for r in rows])


async def grouped(
    db: Database,
    principal: Principal,
    group_by: GroupBy,
    since: datetime,
    until: datetime,
    *,
    only_person: int | None = None,
) -> list[Group]:
    """Rows per group and network. Grouping by share lists individual shares: compliance/admin, or oneself."""
    check_range(since, until)
    if group_by == "share" and only_person is None and not may_read_individual_shares(principal):
        raise Forbidden(lazy_gettext("Only compliance and admins list other people's individual shares"))
    settings = await reach_settings(db)
    async with db.connection() as conn:
        rows = await queries.figures(conn, since=since, until=until, group_by=group_by, person_id=only_person)
    groups: dict[str | None, Group] = {}
    for row in rows:
        current = groups.get(row.key)
        figures = figures_of(row, settings)
        groups[row.key] = Group(
            key=row.key, label=row.label, networks=[*(current.networks if current else []), figures]
        )
    return list(groups.values())


CSV_COLUMNS = [
    "group",
    "label",
    "network",
    "shares",
    "unique_clicks",
    "likes",
    "comments",
    "reposts",
    "engagements",
    "impressions_measured",
    "reach_estimated (estimate)",
    "emv_currency",
    "emv_cpm_minor",
    "emv_cpc_minor",
    "emv_reaction_multiplier",
    "emv_minor",
    "emv_with_estimates_minor (estimate)",
]


def to_csv(group_by: str, groups: list[Group]) -> str:
    return csv_document(
        CSV_COLUMNS,
        (
            [
                group.key or group_by,
                group.label,
                f.network,
                f.shares,
                f.unique_clicks,
                f.likes,
                f.comments,
                f.reposts,
                f.engagements,
                f.impressions_measured,
                f.reach_estimated.value,
                f.emv.currency,
                f.emv.cpm_minor,
                f.emv.cpc_minor,
                f.emv.reaction_multiplier,
                f.emv.amount_minor,
                f.emv.amount_with_estimates_minor.value,
            ]
            for group in groups
            for f in group.networks
        ),
    )
