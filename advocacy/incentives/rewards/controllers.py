"""Rewards API: the catalogue, redeeming, my redemptions, and HR's decisions and fulfilment export."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from advocacy.core.roles import Role, has_any_role
from advocacy.http.deps import DbDep, PrincipalDep
from advocacy.http.guards import ANY_PERSON, Allow
from advocacy.http.pagination import Cursor, Limit, Page, page_by_id, published_page
from advocacy.incentives.rewards import service
from advocacy.incentives.rewards.schemas import (
    FulfilBody,
    RedeemBody,
    RedemptionRead,
    RedemptionStatus,
    RejectBody,
    RewardCreate,
    RewardRead,
    RewardUpdate,
)

# the component names these pages were published under, before their Structs moved here
RedemptionPage = Annotated[Page[RedemptionRead], published_page("advocacy.incentives.schemas.RedemptionRead")]
RewardPage = Annotated[Page[RewardRead], published_page("advocacy.incentives.schemas.RewardRead")]


class MyRedemptionsController(Controller):
    path = "/api/v1/me"
    tags = ["incentives"]
    guards = [ANY_PERSON]

    @get("/redemptions", operation_id="getMyRedemptions")
    async def redemptions(
        self, db: DbDep, principal: PrincipalDep, limit: Limit = 50, cursor: Cursor = None
    ) -> RedemptionPage:
        """My reward requests and the state of each."""
        return await page_by_id(
            cursor,
            limit,
            lambda after_id, n: service.redemptions(
                db, person_id=principal.person_id, status=None, after_id=after_id, limit=n
            ),
        )


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
    ) -> RewardPage:
        """Rewards I can redeem now (HR: every reward with ?everything=true)."""
        everything = everything and has_any_role(principal.roles, {Role.HR})
        return await page_by_id(
            cursor,
            limit,
            lambda after_id, n: service.catalogue(
                db, principal.person_id, everything=everything, after_id=after_id, limit=n
            ),
        )

    @post("/", operation_id="createReward", guards=[Allow(Role.HR)])
    async def create(self, data: JSONBody[RewardCreate], db: DbDep) -> RewardRead:
        """Add a reward to the catalogue."""
        return await service.create_reward(db, data)

    @patch("/{reward_id:uuid}", operation_id="updateReward", guards=[Allow(Role.HR)])
    async def update(self, reward_id: FromPath[UUID], data: JSONBody[RewardUpdate], db: DbDep) -> RewardRead:
        """Change a reward (archive it with archived=true)."""
        return await service.update_reward(db, reward_id, data)

    @post("/{reward_id:uuid}/redeem", operation_id="redeemReward")
    async def redeem(
        self,
        reward_id: FromPath[UUID],
        db: DbDep,
        principal: PrincipalDep,
        data: JSONBody[RedeemBody | None] = None,
    ) -> RedemptionRead:
        """Ask for a reward: its cost is reserved from my balance at once."""
        return await service.redeem(db, reward_id, principal.person_id)


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
    ) -> RedemptionPage:
        """Every redemption, oldest first, optionally by status."""
        return await page_by_id(
            cursor,
            limit,
            lambda after_id, n: service.redemptions(
                db, person_id=None, status=status, after_id=after_id, limit=n
            ),
        )

    @get("/fulfilments.csv", operation_id="exportFulfilments", media_type="text/csv")
    async def export(self, db: DbDep) -> Response[str]:
        """Fulfilled redemptions as CSV."""
        body = await service.fulfilments_csv(db)
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
        return await service.decide(db, redemption_id, "approve", principal.person_id)

    @post("/{redemption_id:uuid}/fulfil", operation_id="fulfilRedemption", status_code=200)
    async def fulfil(
        self, redemption_id: FromPath[UUID], data: JSONBody[FulfilBody], db: DbDep, principal: PrincipalDep
    ) -> RedemptionRead:
        """Mark an approved redemption as handed over, with a note."""
        return await service.decide(db, redemption_id, "fulfil", principal.person_id, fulfil=data)

    @post("/{redemption_id:uuid}/reject", operation_id="rejectRedemption", status_code=200)
    async def reject(
        self, redemption_id: FromPath[UUID], data: JSONBody[RejectBody], db: DbDep, principal: PrincipalDep
    ) -> RedemptionRead:
        """Refuse a redemption: the points come back to the person."""
        return await service.decide(db, redemption_id, "reject", principal.person_id, reject=data)
