"""Challenges API: the list, a challenge's standings with my points, and defining one (HR, curators)."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from advocacy.core.roles import Role
from advocacy.http.deps import DbDep, PrincipalDep
from advocacy.http.guards import ANY_PERSON, Allow
from advocacy.incentives.challenges import service
from advocacy.incentives.challenges.schemas import ChallengeCreate, ChallengeRead


class ChallengeController(Controller):
    path = "/api/v1/challenges"
    tags = ["incentives"]
    guards = [ANY_PERSON]

    @get("/", operation_id="listChallenges")
    async def list_challenges(self, db: DbDep, principal: PrincipalDep) -> list[ChallengeRead]:
        """Challenges, latest first."""
        return await service.listing(db, principal.language)

    @post("/", operation_id="createChallenge", guards=[Allow(Role.HR, Role.CURATOR)])
    async def create(
        self, data: JSONBody[ChallengeCreate], db: DbDep, principal: PrincipalDep
    ) -> ChallengeRead:
        """Define a time-boxed challenge for some teams or a campaign."""
        public_id = await service.create(db, data, principal.person_id)
        return await service.progress(db, public_id, principal.person_id, principal.language)

    @get("/{challenge_id:uuid}", operation_id="getChallenge")
    async def progress(
        self, challenge_id: FromPath[UUID], db: DbDep, principal: PrincipalDep
    ) -> ChallengeRead:
        """A challenge's standings so far (or its results), with my points."""
        return await service.progress(db, challenge_id, principal.person_id, principal.language)
