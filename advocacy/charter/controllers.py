"""The charter as employees read it and check their texts against it, and the versions compliance drafts,
imports, exports, tries, compares and activates.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from advocacy.auth.schemas import Principal
from advocacy.charter import service, training
from advocacy.charter.engine import Verdict
from advocacy.charter.schemas import (
    ActivationRead,
    CharterDraftCreate,
    CharterFormat,
    CharterRead,
    CharterReading,
    CheckRequest,
    QuizAnswers,
    QuizResult,
    TrainingCompletion,
    TrainingSettings,
    TrainingStatus,
    TryRequest,
    WhatIfReport,
)
from advocacy.core.roles import Role
from advocacy.http.deps import CharterCacheDep, DbDep, LimiterDep, PrincipalDep, SettingsDep
from advocacy.http.guards import ANY_PERSON, Allow
from advocacy.http.openapi import MEDIA_TYPES_OPT
from advocacy.http.pagination import Cursor, Limit, Page, page_by_id
from advocacy.http.ratelimit import RateLimiter
from advocacy.http.untrusted import Int32Key, zoned

CHECKS_PER_MINUTE = "120/minute"
WHAT_IFS_PER_MINUTE = "20/minute"
QUIZZES_PER_MINUTE = "20/minute"
# A check body holds at most 10 000 characters (up to 12 bytes each as JSON escapes) and a content item.
CHECK_MAX_BODY = 256 * 1024
DOCUMENT_MAX_BODY = 8 * 1024 * 1024
_MEDIA = {"toml": "application/toml", "json": "application/json"}

FormatParam = Annotated[CharterFormat, QueryParameter(description="toml (the default) or json")]


async def _limit(limiter: RateLimiter, rule: str, what: str, principal: Principal) -> None:
    message = (
        "Trop de vérifications d'un coup : réessayez dans quelques secondes."
        if principal.language == "fr"
        else "Too many checks at once: try again in a few seconds."
    )
    await limiter.hit(rule, what, str(principal.person_id), message=message)


class CharterController(Controller):
    path = "/api/v1/charter"
    tags = ["charter"]
    guards = [ANY_PERSON]

    @get("/", operation_id="getActiveCharter")
    async def active(self, db: DbDep, principal: PrincipalDep) -> CharterReading:
        """The charter in force, to read before opting in, with what the automatic check looks for."""
        return await service.charter_for_reading(db, principal.language)

    @post("/check", operation_id="checkText", status_code=200, request_max_body_size=CHECK_MAX_BODY)
    async def check(
        self,
        data: JSONBody[CheckRequest],
        db: DbDep,
        principal: PrincipalDep,
        limiter: LimiterDep,
        charters: CharterCacheDep,
    ) -> Verdict:
        """Check a text against the charter in force while it is typed (messages in my language)."""
        await _limit(limiter, CHECKS_PER_MINUTE, "charter-check", principal)
        return await service.check_text(db, charters, data, reader_language=principal.language)


class CharterTrainingController(Controller):
    path = "/api/v1/charter/training"
    tags = ["charter"]
    guards = [ANY_PERSON]

    @get("/", operation_id="getMyCharterTraining")
    async def mine(self, db: DbDep, principal: PrincipalDep, settings: SettingsDep) -> TrainingStatus:
        """Where I stand with the training of the charter in force (lessons and questions: GET /charter)."""
        return await training.my_status(db, principal.person_id, validity_days=settings.consent_validity_days)

    @post("/quiz", operation_id="takeCharterQuiz", status_code=200)
    async def take_quiz(
        self, data: JSONBody[QuizAnswers], db: DbDep, principal: PrincipalDep, limiter: LimiterDep
    ) -> QuizResult:
        """Answer the quiz of the charter in force; every attempt is recorded, the result says what was right."""
        await _limit(limiter, QUIZZES_PER_MINUTE, "charter-quiz", principal)
        return await training.take_quiz(db, principal.person_id, data, language=principal.language)

    @get("/settings", operation_id="getCharterTrainingSettings", guards=[Allow(Role.COMPLIANCE, Role.HR)])
    async def get_settings(self, db: DbDep) -> TrainingSettings:
        """Whether passing the quiz is a condition of opting in and of the yearly renewal."""
        return await training.settings(db)

    @put("/settings", operation_id="setCharterTrainingSettings", guards=[Allow(Role.COMPLIANCE)])
    async def set_settings(
        self, data: JSONBody[TrainingSettings], db: DbDep, principal: PrincipalDep
    ) -> TrainingSettings:
        """Make passing the quiz a condition of opting in and of the yearly renewal (or not)."""
        return await training.change_settings(db, data, actor_id=principal.person_id)

    @get("/completion", operation_id="getCharterTrainingCompletion", guards=[Allow(Role.HR, Role.COMPLIANCE)])
    async def completion(
        self,
        db: DbDep,
        version: Annotated[
            int | None, QueryParameter(description="a charter version (default: the one in force)", ge=1)
        ] = None,
    ) -> TrainingCompletion:
        """How many active employees passed a version's quiz (and tried it), overall and by team."""
        return await training.completion(db, version)


class CharterVersionController(Controller):
    path = "/api/v1/charters"
    tags = ["charter"]
    guards = [Allow(Role.COMPLIANCE)]

    @get("/", operation_id="listCharters")
    async def list_versions(self, db: DbDep) -> list[CharterRead]:
        """Every charter version, newest first."""
        return await service.list_charters(db)

    @post("/", operation_id="createCharterDraft")
    async def create_draft(
        self, data: JSONBody[CharterDraftCreate], db: DbDep, principal: PrincipalDep
    ) -> CharterRead:
        """Draft a new charter version (the JSON form of an exported charter document)."""
        return await service.create_draft(db, data, actor_id=principal.person_id)

    @post("/import", operation_id="importCharter", request_max_body_size=DOCUMENT_MAX_BODY)
    async def import_document(
        self,
        request: Request[Any, Any, Any],
        db: DbDep,
        principal: PrincipalDep,
        format: FormatParam = "toml",
        activate: Annotated[bool, QueryParameter(description="put the new version in force at once")] = False,
    ) -> CharterRead:
        """Draft (and optionally activate) a version from a TOML or JSON charter document sent as the body."""
        document = service.parse_charter_document(await request.body(), format)
        return await service.import_charter(db, document, activate=activate, actor_id=principal.person_id)

    @get("/{version:int}/export", operation_id="exportCharter", opt={MEDIA_TYPES_OPT: list(_MEDIA.values())})
    async def export(
        self, version: FromPath[Int32Key], db: DbDep, format: FormatParam = "toml"
    ) -> Response[bytes]:
        """A version as a TOML or JSON charter document that import reads back unchanged."""
        charter, body = await service.export_charter(db, version, format)
        filename = f"charter-v{charter.version}.{format}"
        return Response(
            body,
            media_type=_MEDIA[format],
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @post("/{version:int}/activate", operation_id="activateCharter", status_code=200)
    async def activate(self, version: FromPath[Int32Key], db: DbDep, principal: PrincipalDep) -> CharterRead:
        """Put a draft in force; a material change asks every ambassador to accept it again."""
        return await service.activate(db, version, actor_id=principal.person_id)

    @post(
        "/{version:int}/try", operation_id="tryCharter", status_code=200, request_max_body_size=CHECK_MAX_BODY
    )
    async def try_text(
        self,
        version: FromPath[Int32Key],
        data: JSONBody[TryRequest],
        db: DbDep,
        principal: PrincipalDep,
        limiter: LimiterDep,
        charters: CharterCacheDep,
    ) -> Verdict:
        """Check a text against any version, typically a draft before activating it."""
        await _limit(limiter, CHECKS_PER_MINUTE, "charter-try", principal)
        return await service.try_text(db, charters, version, data, reader_language=principal.language)

    @get("/{version:int}/what-if", operation_id="charterWhatIf")
    async def what_if(
        self,
        version: FromPath[Int32Key],
        db: DbDep,
        principal: PrincipalDep,
        limiter: LimiterDep,
        charters: CharterCacheDep,
        at: Annotated[
            datetime | None, QueryParameter(description="judge both versions at this instant (default now)")
        ] = None,
    ) -> WhatIfReport:
        """Which of the last 1 000 texts checked at share time would change decision under this version."""
        zoned(at=at)
        await _limit(limiter, WHAT_IFS_PER_MINUTE, "charter-what-if", principal)
        return await service.what_if(db, charters, version, at=at, reader_language=principal.language)

    @get("/activations", operation_id="listCharterActivations")
    async def activations(self, db: DbDep, limit: Limit = 50, cursor: Cursor = None) -> Page[ActivationRead]:
        """Every activation of a charter version, newest first."""
        return await page_by_id(
            cursor,
            limit,
            lambda before_id, count: service.activation_history(db, before_id=before_id, limit=count),
        )
