"""Recognition API (HR): the closed periods and their winners, and closing a month."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import Parameter

from advocacy.core.roles import Role
from advocacy.http.deps import DbDep, PrincipalDep
from advocacy.http.guards import Allow
from advocacy.incentives.recognition import service
from advocacy.incentives.recognition.schemas import RecognitionRead


class RecognitionController(Controller):
    path = "/api/v1/recognition"
    tags = ["incentives"]
    guards = [Allow(Role.HR)]

    @get("/periods", operation_id="listRecognitionPeriods")
    async def periods(self, db: DbDep, principal: PrincipalDep) -> list[RecognitionRead]:
        """Closed recognition periods and their winners (as each winner's board visibility allows)."""
        return await service.recognition_periods(db, principal.person_id)

    @post("/periods/{period:str}/close", operation_id="closeRecognitionPeriod", status_code=200)
    async def close(
        self,
        period: Annotated[str, Parameter(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="a month: 2026-11")],
        db: DbDep,
        principal: PrincipalDep,
    ) -> RecognitionRead:
        """Close a month: winners from its board get their badge and a notification (once)."""
        return await service.close_period(db, period, principal.person_id)
