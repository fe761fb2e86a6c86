"""Analytics (mine, per share, per content item / campaign / team / person, reports and CSV) and the
organisation's reach and EMV settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, put
from litestar.params import FromPath, JSONBody, QueryParameter

from advocacy.core.roles import Role
from advocacy.http.deps import DbDep, PrincipalDep
from advocacy.http.guards import ANY_PERSON, Allow
from advocacy.http.untrusted import zoned
from advocacy.reach import service
from advocacy.reach.schemas import Analytics, Group, GroupBy, ReachSettings

Since = Annotated[datetime | None, QueryParameter(description="start of the range (default: 30 days ago)")]
Until = Annotated[datetime | None, QueryParameter(description="end of the range, excluded (default: now)")]
GroupByParam = Annotated[GroupBy, QueryParameter(name="group_by", description="how rows are grouped")]
AGGREGATE_READERS = Allow(Role.CURATOR, Role.HR, Role.COMPLIANCE)


def window(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    zoned(since=since, until=until)
    end = until or datetime.now(UTC)
    return since or end - timedelta(days=30), end


def csv_response(body: str, name: str) -> Response[str]:
    return Response(
        content=body,
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


class AnalyticsController(Controller):
    path = "/api/v1/analytics"
    tags = ["analytics"]
    guards = [AGGREGATE_READERS]

    @get("/me", operation_id="getMyAnalytics", guards=[ANY_PERSON])
    async def mine(
        self, db: DbDep, principal: PrincipalDep, since: Since = None, until: Until = None
    ) -> Analytics:
        """My shares, unique clicks, engagements, measured reach, estimated reach and EMV over a range."""
        return await service.my_analytics(db, principal, *window(since, until))

    @get("/me/shares", operation_id="listMyShareAnalytics", guards=[ANY_PERSON])
    async def my_shares(
        self, db: DbDep, principal: PrincipalDep, since: Since = None, until: Until = None
    ) -> list[Group]:
        """Figures of each of my shares."""
        return await service.grouped(
            db, principal, "share", *window(since, until), only_person=principal.person_id
        )

    @get("/me/export.csv", operation_id="exportMyAnalytics", guards=[ANY_PERSON], media_type="text/csv")
    async def my_csv(
        self, db: DbDep, principal: PrincipalDep, since: Since = None, until: Until = None
    ) -> Response[str]:
        """My shares' figures as CSV."""
        groups = await service.grouped(
            db, principal, "share", *window(since, until), only_person=principal.person_id
        )
        return csv_response(service.to_csv("share", groups), "my-analytics.csv")

    @get("/shares/{share_id:uuid}", operation_id="getShareAnalytics", guards=[ANY_PERSON])
    async def share(
        self,
        share_id: FromPath[UUID],
        db: DbDep,
        principal: PrincipalDep,
        since: Since = None,
        until: Until = None,
    ) -> Analytics:
        """One share's figures (its sharer, compliance and admins only)."""
        return await service.share_analytics(db, principal, share_id, *window(since, until))

    @get("/organisation", operation_id="getOrganisationAnalytics")
    async def organisation(self, db: DbDep, since: Since = None, until: Until = None) -> Analytics:
        """The whole organisation's figures (aggregates)."""
        return await service.analytics(db, "all", None, *window(since, until))

    @get("/content-items/{item_id:uuid}", operation_id="getContentItemAnalytics")
    async def content_item(
        self, item_id: FromPath[UUID], db: DbDep, since: Since = None, until: Until = None
    ) -> Analytics:
        """Figures of every share of one content item (aggregates)."""
        return await service.analytics(db, "content_item", item_id, *window(since, until))

    @get("/campaigns/{campaign_id:uuid}", operation_id="getCampaignAnalytics")
    async def campaign(
        self, campaign_id: FromPath[UUID], db: DbDep, since: Since = None, until: Until = None
    ) -> Analytics:
        """Figures of every share of a campaign's content (aggregates)."""
        return await service.analytics(db, "campaign", campaign_id, *window(since, until))

    @get("/teams/{team_id:uuid}", operation_id="getTeamAnalytics")
    async def team(
        self, team_id: FromPath[UUID], db: DbDep, since: Since = None, until: Until = None
    ) -> Analytics:
        """Figures of a team's shares (aggregates)."""
        return await service.analytics(db, "team", team_id, *window(since, until))

    @get("/people/{person_id:uuid}", operation_id="getPersonAnalytics")
    async def person(
        self, person_id: FromPath[UUID], db: DbDep, since: Since = None, until: Until = None
    ) -> Analytics:
        """A person's totals (aggregates; their individual shares are for compliance and admins)."""
        return await service.analytics(db, "person", person_id, *window(since, until))

    @get("/report", operation_id="getAnalyticsReport")
    async def report(
        self,
        db: DbDep,
        principal: PrincipalDep,
        group_by: GroupByParam = "network",
        since: Since = None,
        until: Until = None,
    ) -> list[Group]:
        """Figures grouped by network, content item, campaign, team, person, or share (compliance/admin)."""
        return await service.grouped(db, principal, group_by, *window(since, until))

    @get("/report.csv", operation_id="exportAnalyticsReport", media_type="text/csv")
    async def report_csv(
        self,
        db: DbDep,
        principal: PrincipalDep,
        group_by: GroupByParam = "network",
        since: Since = None,
        until: Until = None,
    ) -> Response[str]:
        """The same report as CSV, with the EMV values next to every amount and estimates labelled."""
        groups = await service.grouped(db, principal, group_by, *window(since, until))
        return csv_response(service.to_csv(group_by, groups), f"analytics-{group_by}.csv")


class ReachSettingsController(Controller):
    path = "/api/v1/organisation/reach"
    tags = ["analytics"]
    guards = [AGGREGATE_READERS]

    @get("/", operation_id="getReachSettings")
    async def read(self, db: DbDep) -> ReachSettings:
        """Organic reach rates and EMV values (CPM, CPC, reaction multiplier, currency) per network."""
        return await service.reach_settings(db)

    @put("/", operation_id="updateReachSettings", guards=[Allow(Role.ADMIN)])
    async def update(
        self, data: JSONBody[ReachSettings], db: DbDep, principal: PrincipalDep
    ) -> ReachSettings:
        """Replace the organic reach rates and EMV values."""
        return await service.update_reach_settings(db, data, actor_id=principal.person_id)


REACH_HANDLERS = [AnalyticsController, ReachSettingsController]
