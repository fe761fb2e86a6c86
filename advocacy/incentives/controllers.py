"""Incentives API: my points, history, badges and cards; boards; HR rules, kudos, flags, recognition;
challenges; the rewards catalogue and redemptions."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody, QueryParameter
from redis.asyncio import Redis

from advocacy.core.roles import Role
from advocacy.http.deps import DbDep, PrincipalDep, SettingsDep
from advocacy.http.guards import ANY_PERSON, Allow
from advocacy.http.pagination import Cursor, Limit, Page, decode_cursor, page_of
from advocacy.incentives import service
from advocacy.incentives.boards.controllers import BoardController
from advocacy.incentives.challenges.controllers import ChallengeController
from advocacy.incentives.recognition.controllers import RecognitionController
from advocacy.incentives.rewards.controllers import (
    MyRedemptionsController,
    RedemptionController,
    RewardController,
)
from advocacy.incentives.rules import AntiGaming
from advocacy.incentives.schemas import (
    BadgeRead,
    FlagDecision,
    FlagRead,
    HistoryEntry,
    KudosCreate,
    NotificationRead,
    PointsSummary,
    RulesUpdate,
    RulesVersion,
)


def _redis(state: State) -> Redis:
    redis: Redis = state.redis
    return redis


class MyPointsController(Controller):
    path = "/api/v1/me"
    tags = ["incentives"]
    guards = [ANY_PERSON]

    @get("/points", operation_id="getMyPoints")
    async def points(self, db: DbDep, principal: PrincipalDep) -> PointsSummary:
        """My balance and how points are earned (and why some networks earn none)."""
        return await service.summary(db, principal.person_id, principal.language)

    @get("/points/history", operation_id="getMyPointsHistory")
    async def history(
        self, db: DbDep, principal: PrincipalDep, limit: Limit = 50, cursor: Cursor = None
    ) -> Page[HistoryEntry]:
        """My points, newest first, each with its reason."""
        before = decode_cursor(cursor, tuple[int])
        rows = await service.history(
            db,
            principal.person_id,
            principal.language,
            before_id=before[0] if before else None,
            limit=limit + 1,
        )
        page = page_of(rows, limit, key=lambda row: (row[0],))
        return Page(items=[entry for _, entry in page.items], next_cursor=page.next_cursor)

    @get("/badges", operation_id="getMyBadges")
    async def badges(self, db: DbDep, principal: PrincipalDep) -> list[BadgeRead]:
        """My badges, each with the date it was awarded."""
        return await service.my_badges(db, principal.person_id, principal.language)

    @get("/badges/{award_id:uuid}/card.png", operation_id="getMyBadgeCard", media_type="image/png")
    async def card(self, award_id: FromPath[UUID], db: DbDep, principal: PrincipalDep) -> Response[bytes]:
        """A shareable 1200×627 PNG card of one of my badges."""
        png = await service.badge_card(db, principal.person_id, award_id, principal.language)
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})

    @get("/notifications", operation_id="getMyRecognitionNotifications")
    async def notifications(
        self, db: DbDep, principal: PrincipalDep, limit: Limit = 50
    ) -> list[NotificationRead]:
        """Badges and recognitions I received, newest first."""
        items: list[NotificationRead] = await service.notifications(
            db, principal.person_id, principal.language, limit
        )
        return items


class PointsAdminController(Controller):
    path = "/api/v1/points"
    tags = ["incentives"]
    guards = [Allow(Role.HR)]

    @get("/rules", operation_id="getPointsRules", guards=[ANY_PERSON])
    async def get_rules(self, db: DbDep) -> RulesVersion:
        """The points rules in force."""
        return await service.rules(db)

    @get("/rules/versions", operation_id="listPointsRulesVersions")
    async def rules_versions(self, db: DbDep) -> list[RulesVersion]:
        """Every version of the points rules, newest first."""
        return await service.rules_history(db)

    @put("/rules", operation_id="setPointsRules")
    async def set_rules(
        self, data: JSONBody[RulesUpdate], db: DbDep, principal: PrincipalDep
    ) -> RulesVersion:
        """Put new points rules in force (a new version; earlier rows keep theirs)."""
        return await service.set_rules(db, data, principal.person_id)

    @post("/kudos", operation_id="giveKudos")
    async def kudos(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[KudosCreate],
        db: DbDep,
        settings: SettingsDep,
        principal: PrincipalDep,
    ) -> HistoryEntry:
        """Give an ambassador points with a reason."""
        entry = await service.kudos(
            db, _redis(request.app.state), settings.redis_namespace, data, principal.person_id
        )
        return service.history_entry(entry, principal.language)

    @get("/flags", operation_id="listShareFlags")
    async def flags(
        self,
        db: DbDep,
        status: Annotated[Literal["open", "cleared", "confirmed"] | None, QueryParameter()] = "open",
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[FlagRead]:
        """Shares whose clicks look gamed, with their held click points."""
        after = decode_cursor(cursor, tuple[int])
        rows = await service.flags(db, status=status, after_id=after[0] if after else None, limit=limit + 1)
        page = page_of(rows, limit, key=lambda row: (row[0],))
        return Page(items=[f for _, f in page.items], next_cursor=page.next_cursor)

    @post("/flags/{flag_id:uuid}/clear", operation_id="clearShareFlag", status_code=200)
    async def clear(
        self, flag_id: FromPath[UUID], data: JSONBody[FlagDecision], db: DbDep, principal: PrincipalDep
    ) -> FlagRead:
        """The clicks were genuine: release the held points."""
        return await service.decide_flag(
            db, flag_id, clear=True, actor_id=principal.person_id, note=data.note
        )

    @post("/flags/{flag_id:uuid}/confirm", operation_id="confirmShareFlag", status_code=200)
    async def confirm(
        self, flag_id: FromPath[UUID], data: JSONBody[FlagDecision], db: DbDep, principal: PrincipalDep
    ) -> FlagRead:
        """The clicks were gamed: the held points are never paid."""
        return await service.decide_flag(
            db, flag_id, clear=False, actor_id=principal.person_id, note=data.note
        )


class AntiGamingSettingsController(Controller):
    path = "/api/v1/organisation/anti-gaming"
    tags = ["incentives"]
    guards = [Allow(Role.HR)]

    @get("/", operation_id="getAntiGamingSettings")
    async def read(self, db: DbDep) -> AntiGaming:
        """The thresholds over which a share's clicks are flagged and their points held."""
        return await service.anti_gaming(db)

    @put("/", operation_id="setAntiGamingSettings")
    async def write(self, data: JSONBody[AntiGaming], db: DbDep, principal: PrincipalDep) -> AntiGaming:
        """Set the anti-gaming thresholds (they apply from the next clicks settled)."""
        return await service.set_anti_gaming(db, data, principal.person_id)


INCENTIVES_HANDLERS = [
    MyPointsController,
    MyRedemptionsController,
    BoardController,
    PointsAdminController,
    AntiGamingSettingsController,
    RecognitionController,
    ChallengeController,
    RewardController,
    RedemptionController,
]
