"""Shares API: my shares (/api/v1/shares), my sharing preferences, the compliance queue and audit log,
and the organisation's sharing limits."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from advocacy.core.roles import Role
from advocacy.http.deps import DbDep, PrincipalDep, SettingsDep
from advocacy.http.guards import ANY_PERSON, Allow
from advocacy.http.middleware import client_address
from advocacy.http.openapi import MEDIA_TYPES_OPT
from advocacy.http.pagination import Cursor, Limit, Page, decode_cursor, page_by_id, page_of
from advocacy.http.streams import TypedStream
from advocacy.http.untrusted import zoned
from advocacy.links.controllers import user_agent
from advocacy.links.service import LinkRuntime
from advocacy.shares import preferences, reading, review, service
from advocacy.shares.export import audit_export
from advocacy.shares.limits import SharingSettings
from advocacy.shares.schemas import (
    AuditEntry,
    AuditFilter,
    HeldShareRead,
    Rejection,
    ShareConfirm,
    ShareCreate,
    SharePreferences,
    ShareRead,
    ShareStatus,
    Withdrawal,
)

StatusFilter = Annotated[ShareStatus | None, QueryParameter(description="Only shares in this status")]


def _context(request: Request[Any, Any, Any], public_base_url: str) -> service.Context:
    return service.Context(
        public_base_url=public_base_url,
        address=client_address(request.scope),
        user_agent=user_agent(request.scope),
        storage=request.app.state.storage,
    )


def _links(request: Request[Any, Any, Any]) -> LinkRuntime:
    runtime: LinkRuntime = request.app.state.links
    return runtime


class SharesController(Controller):
    path = "/api/v1/shares"
    tags = ["shares"]
    guards = [ANY_PERSON]  # ambassadors only: the service checks consent and says why not

    @post("/", operation_id="createShare", status_code=201)
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ShareCreate],
        db: DbDep,
        settings: SettingsDep,
        principal: PrincipalDep,
    ) -> ShareRead:
        """Share a live item of my feed to one network; the charter in force decides (honours Idempotency-Key)."""
        return await service.create_share(
            db, request.app.state.charters, _links(request).visitors, principal, data,
            _context(request, settings.public_base_url),
        )  # fmt: skip

    @get("/", operation_id="listMyShares")
    async def list_mine(
        self, db: DbDep, settings: SettingsDep, principal: PrincipalDep, status: StatusFilter = None,
        limit: Limit = 50, cursor: Cursor = None,
    ) -> Page[ShareRead]:  # fmt: skip
        """My shares, newest first."""
        return await page_by_id(
            cursor,
            limit,
            lambda after_id, count: reading.my_shares(
                db,
                principal,
                status=status,
                after_id=after_id,
                limit=count,
                public_base_url=settings.public_base_url,
            ),
        )

    @get("/{share_id:uuid}", operation_id="getMyShare")
    async def get_one(
        self, share_id: FromPath[UUID], db: DbDep, settings: SettingsDep, principal: PrincipalDep
    ) -> ShareRead:
        """One of my shares, with its verdict, tracked link and share page."""
        return await reading.own_share(db, principal, share_id, public_base_url=settings.public_base_url)

    @post("/{share_id:uuid}/withdraw", operation_id="withdrawShare", status_code=200)
    async def withdraw(
        self,
        share_id: FromPath[UUID],
        db: DbDep,
        settings: SettingsDep,
        principal: PrincipalDep,
        data: JSONBody[Withdrawal | None] = None,
    ) -> ShareRead:
        """Withdraw one of my shares (points it earned are taken back)."""
        return await service.withdraw(
            db, principal, share_id, data or Withdrawal(), public_base_url=settings.public_base_url
        )

    @post("/{share_id:uuid}/confirm", operation_id="confirmShare", status_code=200)
    async def confirm(
        self, request: Request[Any, Any, Any], share_id: FromPath[UUID], db: DbDep, settings: SettingsDep,
        principal: PrincipalDep, data: JSONBody[ShareConfirm],
    ) -> ShareRead:  # fmt: skip
        """Say that a share went out through the share page, with the post's address."""
        return await service.confirm(
            db, _links(request).visitors, principal, share_id, data,
            _context(request, settings.public_base_url),
        )  # fmt: skip


class SharePreferencesController(Controller):
    path = "/api/v1/me/share-preferences"
    tags = ["shares"]
    guards = [ANY_PERSON]

    @get("/", operation_id="getMySharePreferences")
    async def read(self, db: DbDep, principal: PrincipalDep) -> SharePreferences:
        """My sharing preferences (my Mastodon server)."""
        return await preferences.preferences(db, principal)

    @put("/", operation_id="setMySharePreferences")
    async def write(
        self, data: JSONBody[SharePreferences], db: DbDep, principal: PrincipalDep
    ) -> SharePreferences:
        """Remember my Mastodon server, for its share page."""
        return await preferences.set_preferences(db, principal, data)


class SharingSettingsController(Controller):
    path = "/api/v1/organisation/sharing"
    tags = ["shares"]
    guards = [Allow(Role.ADMIN)]

    @get("/", operation_id="getSharingSettings", guards=[ANY_PERSON])
    async def read(self, db: DbDep) -> SharingSettings:
        """The organisation's fatigue limits and sharing hours."""
        return await preferences.sharing_settings(db)

    @put("/", operation_id="setSharingSettings")
    async def write(
        self, data: JSONBody[SharingSettings], db: DbDep, principal: PrincipalDep
    ) -> SharingSettings:
        """Set the fatigue limits (per person per day, per network per day) and sharing hours."""
        return await preferences.set_sharing_settings(db, data, actor_id=principal.person_id)


class ComplianceController(Controller):
    path = "/api/v1/compliance"
    tags = ["compliance"]
    guards = [Allow(Role.REVIEWER, Role.COMPLIANCE)]

    @get("/shares", operation_id="listShareQueue")
    async def queue(
        self, db: DbDep, settings: SettingsDep,
        status: Annotated[Literal["held", "rejected", "ready", "published", "withdrawn", "refused"],
                          QueryParameter(description="Which shares; the queue is the held ones")] = "held",
        limit: Limit = 50, cursor: Cursor = None,
    ) -> Page[HeldShareRead]:  # fmt: skip
        """Shares held by the charter for review, oldest first, with their findings."""
        return await page_by_id(
            cursor,
            limit,
            lambda after_id, count: review.queue(
                db, status=status, after_id=after_id, limit=count, public_base_url=settings.public_base_url
            ),
        )

    @post("/shares/{share_id:uuid}/approve", operation_id="approveShare", status_code=200)
    async def approve(
        self, share_id: FromPath[UUID], db: DbDep, settings: SettingsDep, principal: PrincipalDep
    ) -> ShareRead:
        """Approve a held share: it becomes ready, with its tracked link."""
        return await review.approve(db, principal, share_id, public_base_url=settings.public_base_url)

    @post("/shares/{share_id:uuid}/reject", operation_id="rejectShare", status_code=200)
    async def reject(
        self,
        share_id: FromPath[UUID],
        data: JSONBody[Rejection],
        db: DbDep,
        settings: SettingsDep,
        principal: PrincipalDep,
    ) -> ShareRead:
        """Reject a share (held, or already out) with a reason its author sees."""
        return await review.reject(db, principal, share_id, data, public_base_url=settings.public_base_url)

    @get("/audit", operation_id="listAudit")
    async def audit(
        self, db: DbDep, action: Annotated[str | None, QueryParameter(max_length=80)] = None,
        subject_type: Annotated[str | None, QueryParameter(max_length=80)] = None,
        subject_id: Annotated[str | None, QueryParameter(max_length=200)] = None,
        actor: Annotated[UUID | None, QueryParameter(description="public id of who acted")] = None,
        since: Annotated[datetime | None, QueryParameter()] = None,
        until: Annotated[datetime | None, QueryParameter()] = None,
        limit: Limit = 50, cursor: Cursor = None,
    ) -> Page[AuditEntry]:  # fmt: skip
        """The audit log (every decision), oldest first, filtered."""
        after = decode_cursor(cursor, tuple[int])
        zoned(since=since, until=until)
        flt = AuditFilter(
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            actor=actor,
            since=since,
            until=until,
        )
        rows = await review.audit_entries(db, flt, after_id=after[0] if after else None, limit=limit + 1)
        return page_of(rows, limit, key=lambda entry: (entry.id,))

    @get(
        "/audit/export",
        operation_id="exportAudit",
        media_type="text/csv",
        opt={MEDIA_TYPES_OPT: ["text/csv", "application/x-ndjson"]},
    )
    async def export(
        self, db: DbDep, format: Annotated[Literal["csv", "jsonl"], QueryParameter()] = "csv",
        action: Annotated[str | None, QueryParameter(max_length=80)] = None,
        subject_type: Annotated[str | None, QueryParameter(max_length=80)] = None,
        subject_id: Annotated[str | None, QueryParameter(max_length=200)] = None,
        actor: Annotated[UUID | None, QueryParameter()] = None,
        since: Annotated[datetime | None, QueryParameter()] = None,
        until: Annotated[datetime | None, QueryParameter()] = None,
    ) -> TypedStream:  # fmt: skip
        """The filtered audit log as CSV or JSON lines."""
        zoned(since=since, until=until)
        flt = AuditFilter(
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            actor=actor,
            since=since,
            until=until,
        )
        media = "text/csv" if format == "csv" else "application/x-ndjson"
        name = f"audit.{format}"
        return TypedStream(
            audit_export(db, flt, format), media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )  # fmt: skip


SHARES_HANDLERS = [
    SharesController,
    SharePreferencesController,
    SharingSettingsController,
    ComplianceController,
]
