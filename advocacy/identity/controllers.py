"""Identity API: invitations (HR and admins), accepting one, forgot / reset / change a password."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from advocacy.http.deps import DbDep, LimiterDep, PrincipalCacheDep, PrincipalDep, SettingsDep
from advocacy.http.guards import ANY_PERSON, PUBLIC, Allow, Role
from advocacy.http.middleware import client_address
from advocacy.http.pagination import Cursor, Limit, Page, decode_cursor, page_of
from advocacy.identity import service
from advocacy.identity.schemas import (
    Accepted,
    AcceptInvitation,
    ChangePassword,
    ForgotPassword,
    InvitationBatch,
    InvitationCreate,
    InvitationPreview,
    InvitationRead,
    InvitationStatus,
    LinkToken,
    ResetPassword,
)

FORGOT_ANSWER = (
    "If this address belongs to an account, a reset link is on its way; it works for a short while."
)


class InvitationController(Controller):
    path = "/api/v1/invitations"
    tags = ["identity"]
    guards = [Allow(Role.HR)]

    @post("/", operation_id="createInvitations", status_code=201)
    async def invite(
        self, data: JSONBody[InvitationCreate], db: DbDep, settings: SettingsDep, principal: PrincipalDep
    ) -> InvitationBatch:
        """Invite people, a team's members, or everyone without a password yet; each gets a single-use link."""
        return await service.invite(db, settings, data, actor_id=principal.person_id)

    @get("/", operation_id="listInvitations")
    async def list_invitations(
        self,
        db: DbDep,
        status: Annotated[
            InvitationStatus | None, QueryParameter(description="Only invitations in this state")
        ] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[InvitationRead]:
        """Invitations, newest first."""
        after = decode_cursor(cursor, tuple[int])
        rows = await service.list_invitations(
            db, status=status, after_id=after[0] if after else None, limit=limit + 1
        )
        page = page_of(rows, limit, key=lambda row: (row[0],))
        return Page(items=[read for _, read in page.items], next_cursor=page.next_cursor)

    @post("/{invitation_id:uuid}/resend", operation_id="resendInvitation", status_code=200)
    async def resend(
        self, invitation_id: FromPath[UUID], db: DbDep, settings: SettingsDep, principal: PrincipalDep
    ) -> InvitationRead:
        """Send the invitation again: a new link (the previous one stops working) and a new expiry."""
        return await service.resend_invitation(db, settings, invitation_id, actor_id=principal.person_id)

    @post("/{invitation_id:uuid}/revoke", operation_id="revokeInvitation", status_code=204)
    async def revoke(self, invitation_id: FromPath[UUID], db: DbDep, principal: PrincipalDep) -> None:
        """Withdraw an invitation: its link stops working at once."""
        await service.revoke_invitation(db, invitation_id, actor_id=principal.person_id)


class AccountRecoveryController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]
    guards = [PUBLIC]

    @get("/invitation", operation_id="previewInvitation")
    async def preview(
        self,
        db: DbDep,
        token: Annotated[LinkToken, QueryParameter(description="The token of the invitation link")],
    ) -> InvitationPreview:
        """Who an invitation link is for (404 unknown; 410 used, revoked or expired, with a kind saying which)."""
        return await service.preview_invitation(db, token)

    @post("/invitation/accept", operation_id="acceptInvitation", status_code=204)
    async def accept(
        self, data: JSONBody[AcceptInvitation], db: DbDep, principal_cache: PrincipalCacheDep
    ) -> None:
        """Choose a password with an invitation link (then sign in with it)."""
        await service.accept_invitation(db, principal_cache, data.token, data.password)

    @post("/password/forgot", operation_id="forgotPassword", status_code=202)
    async def forgot(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ForgotPassword],
        db: DbDep,
        limiter: LimiterDep,
        settings: SettingsDep,
    ) -> Accepted:
        """Ask for a password reset link; the answer is the same whether or not the address has an account."""
        await service.forgot_password(
            db, limiter, settings, email=data.email, client=client_address(request.scope)
        )
        return Accepted(detail=FORGOT_ANSWER)

    @post("/password/reset", operation_id="resetPassword", status_code=204)
    async def reset(
        self,
        data: JSONBody[ResetPassword],
        db: DbDep,
        principal_cache: PrincipalCacheDep,
        settings: SettingsDep,
    ) -> None:
        """Choose a new password with a reset link: every session ends and every API token is revoked."""
        await service.reset_password(db, principal_cache, settings, data.token, data.password)


class MyPasswordController(Controller):
    path = "/api/v1/me/password"
    tags = ["auth"]
    guards = [ANY_PERSON]

    @post("/", operation_id="changeMyPassword", status_code=204)
    async def change(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ChangePassword],
        db: DbDep,
        limiter: LimiterDep,
        settings: SettingsDep,
        principal_cache: PrincipalCacheDep,
        principal: PrincipalDep,
    ) -> None:
        """Change my password (the current one is asked); my other sessions end, this one stays."""
        session = request.scope.get("auth")
        await service.change_password(
            db,
            principal_cache,
            limiter,
            settings,
            principal,
            data,
            session_token=session if principal.via == "session" and isinstance(session, str) else None,
        )


IDENTITY_HANDLERS = [InvitationController, AccountRecoveryController, MyPasswordController]
