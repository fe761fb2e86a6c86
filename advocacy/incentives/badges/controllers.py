"""Badges API: my badges, a badge's shareable card, and the notifications of badges and recognitions."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, get
from litestar.params import FromPath

from advocacy.http.deps import DbDep, PrincipalDep
from advocacy.http.guards import ANY_PERSON
from advocacy.http.pagination import Limit
from advocacy.incentives.badges import service
from advocacy.incentives.badges.schemas import BadgeRead, NotificationRead


class MyBadgesController(Controller):
    path = "/api/v1/me"
    tags = ["incentives"]
    guards = [ANY_PERSON]

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
