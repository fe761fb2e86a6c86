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
<<<<<<< HEAD
    RecognitionRead,
    RedeemBody,
    RedemptionRead,
    RedemptionStatus,
    RejectBody,
    RewardCreate,
    RewardRead,
    RewardUpdate,
=======
>>>>>>> main
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


<<<<<<< HEAD
class RecognitionController(Controller):
    path = "/api/v1/recognition"
    tags = ["incentives"]
    guards = [Allow(Role.HR)]

    @get("/periods", operation_id="listRecognitionPeriods")
    async def periods(self, db: DbDep, principal: PrincipalDep) -> list[RecognitionRead]:
        """Closed recognition periods and their winners (as each winner's board visibility allows)."""
        return await service.recognition_periods(db, principal.person_id)

    @post("/periods/{period:str}/close", operation_id="closeRecognitionPeriod", status_code=200)
    async def close(self, period: FromPath[str], db: DbDep, principal: PrincipalDep) -> RecognitionRead:
        """Close a month: winners from its board get their badge and a notification (once)."""
        return await service.close_period(db, period, principal.person_id)


class ChallengeController(Controller):
    path = "/api/v1/challenges"
    tags = ["incentives"]
    guards = [ANY_PERSON]

    @get("/", operation_id="listChallenges")
    async def list_challenges(self, db: DbDep, principal: PrincipalDep) -> list[ChallengeRead]:
        """Challenges, latest first."""
        return await challenges.listing(db, principal.language)

    @post("/", operation_id="createChallenge", guards=[Allow(Role.HR, Role.CURATOR)])
    async def create(
        self, data: JSONBody[ChallengeCreate], db: DbDep, principal: PrincipalDep
    ) -> ChallengeRead:
        """Define a time-boxed challenge for some teams or a campaign."""
        public_id = await challenges.create(db, data, principal.person_id)
        return await challenges.progress(db, public_id, principal.person_id, principal.language)

    @get("/{challenge_id:uuid}", operation_id="getChallenge")
    async def progress(
        self, challenge_id: FromPath[UUID], db: DbDep, principal: PrincipalDep
    ) -> ChallengeRead:
        """A challenge's standings so far (or its results), with my points."""
        return await challenges.progress(db, challenge_id, principal.person_id, principal.language)


class RewardController(Controller):
    path = "/api/v1/rewards"
    tags = ["rewards"]
    guards = [ANY_PERSON]

    @get("/", operation_id="listRewards")
    async def list_rewards(
        self,
        db: DbDep,
        principal: PrincipalDep,
        everything: Annotated[bool, QueryParameter(description="HR: include inactive and archived")] = False,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[RewardRead]:
        """Rewards I can redeem now (HR: every reward with ?everything=true)."""
        after = decode_cursor(cursor, tuple[int])
        everything = everything and has_any_role(principal.roles, {Role.HR})
        rows = await rewards.catalogue(
            db,
            principal.person_id,
            everything=everything,
            after_id=after[0] if after else None,
            limit=limit + 1,
        )
        page = page_of(rows, limit, key=lambda row: (row[0],))
        return Page(items=[r for _, r in page.items], next_cursor=page.next_cursor)

    @post("/", operation_id="createReward", guards=[Allow(Role.HR)])
    async def create(self, data: JSONBody[RewardCreate], db: DbDep) -> RewardRead:
        """Add a reward to the catalogue."""
        return await rewards.create_reward(db, data)

    @patch("/{reward_id:uuid}", operation_id="updateReward", guards=[Allow(Role.HR)])
    async def update(self, reward_id: FromPath[UUID], data: JSONBody[RewardUpdate], db: DbDep) -> RewardRead:
        """Change a reward (archive it with archived=true)."""
        return await rewards.update_reward(db, reward_id, data)

    @post("/{reward_id:uuid}/redeem", operation_id="redeemReward")
    async def redeem(
        self,
        reward_id: FromPath[UUID],
        db: DbDep,
        principal: PrincipalDep,
        data: JSONBody[RedeemBody | None] = None,
    ) -> RedemptionRead:
        """Ask for a reward: its cost is reserved from my balance at once."""
        return await rewards.redeem(db, reward_id, principal.person_id)


class RedemptionController(Controller):
    path = "/api/v1/redemptions"
    tags = ["rewards"]
    guards = [Allow(Role.HR)]

    @get("/", operation_id="listRedemptions")
    async def list_redemptions(
        self,
        db: DbDep,
        status: Annotated[RedemptionStatus | None, QueryParameter()] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[RedemptionRead]:
        """Every redemption, oldest first, optionally by status."""
        after = decode_cursor(cursor, tuple[int])
        rows = await rewards.redemptions(
            db, person_id=None, status=status, after_id=after[0] if after else None, limit=limit + 1
        )
        page = page_of(rows, limit, key=lambda row: (row[0],))
        return Page(items=[r for _, r in page.items], next_cursor=page.next_cursor)

    @get("/fulfilments.csv", operation_id="exportFulfilments", media_type="text/csv")
    async def export(self, db: DbDep) -> Response[str]:
        """Fulfilled redemptions as CSV."""
        body = await rewards.fulfilments_csv(db)
        return Response(
            body,
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="fulfilments.csv"'},
        )

    @post("/{redemption_id:uuid}/approve", operation_id="approveRedemption", status_code=200)
    async def approve(
        self, redemption_id: FromPath[UUID], db: DbDep, principal: PrincipalDep
    ) -> RedemptionRead:
        """Approve a requested redemption."""
        return await rewards.decide(db, redemption_id, "approve", principal.person_id)

    @post("/{redemption_id:uuid}/fulfil", operation_id="fulfilRedemption", status_code=200)
    async def fulfil(
        self, redemption_id: FromPath[UUID], data: JSONBody[FulfilBody], db: DbDep, principal: PrincipalDep
    ) -> RedemptionRead:
        """Mark an approved redemption as handed over, with a note."""
        return await rewards.decide(db, redemption_id, "fulfil", principal.person_id, fulfil=data)

    @post("/{redemption_id:uuid}/reject", operation_id="rejectRedemption", status_code=200)
    async def reject(
        self, redemption_id: FromPath[UUID], data: JSONBody[RejectBody], db: DbDep, principal: PrincipalDep
    ) -> RedemptionRead:
        """Refuse a redemption: the points come back to the person."""
        return await rewards.decide(db, redemption_id, "reject", principal.person_id, reject=data)


=======
>>>>>>> main
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
