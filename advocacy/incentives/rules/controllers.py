"""Points rules API: the rules in force (anyone), their versions and a new version (HR)."""

from __future__ import annotations

from litestar import Controller, get, put
from litestar.params import JSONBody

from advocacy.core.roles import Role
from advocacy.http.deps import DbDep, PrincipalDep
from advocacy.http.guards import ANY_PERSON, Allow
from advocacy.incentives.rules import service
from advocacy.incentives.rules.schemas import RulesUpdate, RulesVersion


class RulesController(Controller):
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
