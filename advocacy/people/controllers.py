"""People: my own profile and consent (/me), and the people directory admins manage (/people)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from advocacy.ambassadors import service as ambassadors
from advocacy.ambassadors.schemas import AmbassadorStatus, ConsentEvent, OptIn, VisibilityChange
from advocacy.core.errors import Invalid
from advocacy.core.i18n import lazy_gettext
from advocacy.core.roles import Role
from advocacy.http.deps import DbDep, PrincipalCacheDep, PrincipalDep, SettingsDep, signed_in
from advocacy.http.guards import ANY_PERSON, Allow
from advocacy.http.pagination import Cursor, Limit, Page, page_by_id
from advocacy.people import importing, service
from advocacy.people.schemas import (
    ImportReport,
    PersonCreate,
    PersonRead,
    PersonUpdate,
    ProfileUpdate,
    TeamCreate,
    TeamRead,
)

IMPORT_MAX_BYTES = 20 * 1024 * 1024


class Me(msgspec.Struct, frozen=True, kw_only=True):
    person: PersonRead
    ambassador: AmbassadorStatus


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["me"]
    guards = [ANY_PERSON]

    @get("/", operation_id="getMe")
    async def me(self, request: Request[Any, Any, Any]) -> Me:
        """Who I am: profile, roles and ambassador status."""
        # The hottest authenticated route reads its collaborators from the app state: resolving the
        # dependency chain (five providers) cost about a quarter of its time.
        state = request.app.state
        principal = signed_in(request)
        row = await service.my_row(state.db, state.principal_cache, principal.person_id)
        status = ambassadors.status_from_row(
            row.consent, row.consent.active_charter_version, datetime.now(UTC)
        )
        return Me(person=row.person, ambassador=status)

    @patch("/", operation_id="updateMe")
    async def update_me(
        self,
        data: JSONBody[ProfileUpdate],
        db: DbDep,
        principal: PrincipalDep,
        principal_cache: PrincipalCacheDep,
    ) -> PersonRead:
        """Change my display name, language or time zone."""
        person = await service.update_person(db, principal.public_id, data, actor_id=principal.person_id)
        principal_cache.forget_person(principal.person_id)
        return person

    @get("/ambassador", operation_id="getMyAmbassadorStatus")
    async def ambassador_status(self, db: DbDep, principal: PrincipalDep) -> AmbassadorStatus:
        """My ambassador status: opted in or not, consent expiry, whether the charter must be re-accepted."""
        return await ambassadors.ambassador_status(db, principal.person_id)

    # Consent changes drop this process's cached /me at once (read-your-writes); other processes hear the
    # NOTIFY, which may arrive after the caller's next request here.
    @post("/ambassador", operation_id="optIn", status_code=200)
    async def opt_in(
        self,
        data: JSONBody[OptIn],
        db: DbDep,
        principal: PrincipalDep,
        settings: SettingsDep,
        principal_cache: PrincipalCacheDep,
    ) -> AmbassadorStatus:
        """Opt in (or renew) by accepting the charter version in force."""
        status = await ambassadors.opt_in(db, principal, data, validity_days=settings.consent_validity_days)
        principal_cache.forget_person(principal.person_id)
        return status

    @post("/ambassador/opt-out", operation_id="optOut", status_code=200)
    async def opt_out(
        self, db: DbDep, principal: PrincipalDep, principal_cache: PrincipalCacheDep
    ) -> AmbassadorStatus:
        """Stop being an ambassador, at once."""
        status = await ambassadors.opt_out(db, principal)
        principal_cache.forget_person(principal.person_id)
        return status

    @patch("/ambassador/visibility", operation_id="setMyVisibility")
    async def visibility(
        self,
        data: JSONBody[VisibilityChange],
        db: DbDep,
        principal: PrincipalDep,
        principal_cache: PrincipalCacheDep,
    ) -> AmbassadorStatus:
        """How I appear on leaderboards: public, team_only, anonymous or hidden."""
        status = await ambassadors.change_visibility(db, principal, data)
        principal_cache.forget_person(principal.person_id)
        return status

    @get("/consent-history", operation_id="getMyConsentHistory")
    async def consent_history(self, db: DbDep, principal: PrincipalDep) -> list[ConsentEvent]:
        """Every consent change I made, oldest first."""
        return await ambassadors.consent_history(db, principal.person_id)


class PeopleController(Controller):
    path = "/api/v1/people"
    tags = ["people"]
    guards = [Allow(Role.ADMIN, Role.HR)]

    @get("/", operation_id="listPeople")
    async def list_people(
        self,
        db: DbDep,
        limit: Limit = 50,
        cursor: Cursor = None,
        team: Annotated[str | None, QueryParameter(max_length=120)] = None,
        active: FromQuery[bool | None] = None,
    ) -> Page[PersonRead]:
        """The people directory, oldest first."""
        return await page_by_id(
            cursor,
            limit,
            lambda after_id, count: service.people_page(
                db, after_id=after_id, limit=count, team=team, active=active
            ),
        )

    @post("/", operation_id="createPerson", guards=[Allow(Role.ADMIN)])
    async def create_person(
        self, data: JSONBody[PersonCreate], db: DbDep, principal: PrincipalDep
    ) -> PersonRead:
        """Add a person."""
        return await service.create_person(db, data, actor_id=principal.person_id)

    @get("/{person_id:uuid}", operation_id="getPerson")
    async def get_person(self, person_id: FromPath[UUID], db: DbDep) -> PersonRead:
        """One person."""
        return await service.get_person(db, person_id)

    @patch("/{person_id:uuid}", operation_id="updatePerson", guards=[Allow(Role.ADMIN)])
    async def update_person(
        self,
        person_id: FromPath[UUID],
        data: JSONBody[PersonUpdate],
        db: DbDep,
        principal: PrincipalDep,
        principal_cache: PrincipalCacheDep,
    ) -> PersonRead:
        """Change a person's details, roles or active flag."""
        person = await service.update_person(db, person_id, data, actor_id=principal.person_id)
        internal_id = await service.internal_id(db, person_id)
        if internal_id is not None:
            principal_cache.forget_person(internal_id)
        return person

    @post(
        "/import",
        operation_id="importPeople",
        guards=[Allow(Role.ADMIN)],
        request_max_body_size=IMPORT_MAX_BYTES,
    )
    async def import_people(
        self,
        request: Request[Any, Any, Any],
        db: DbDep,
        principal: PrincipalDep,
        dry_run: Annotated[bool, QueryParameter(description="Report without writing")] = False,
    ) -> Response[ImportReport]:
        """Import people from a CSV body (upsert by e-mail); `?dry_run=true` reports without writing."""
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in ("text/csv", "text/plain", "application/csv"):
            raise Invalid(lazy_gettext("Send the CSV file as the request body with Content-Type: text/csv"))
        try:
            text = (await request.body()).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Invalid(lazy_gettext("The CSV file must be UTF-8 encoded")) from None
        report = await importing.import_people(db, text, dry_run=dry_run, actor_id=principal.person_id)
        return Response(report, status_code=422 if report.errors else 200)


class TeamController(Controller):
    path = "/api/v1/teams"
    tags = ["people"]
    guards = [ANY_PERSON]

    @get("/", operation_id="listTeams")
    async def list_teams(self, db: DbDep) -> list[TeamRead]:
        """Every team, by name."""
        return await service.teams(db)

    @post("/", operation_id="createTeam", guards=[Allow(Role.ADMIN, Role.HR)])
    async def create_team(self, data: JSONBody[TeamCreate], db: DbDep) -> TeamRead:
        """Add a team."""
        return await service.create_team(db, data.name)
