"""Identity API: invitations (HR and admins), accepting one, forgot / reset / change a password."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from advocacy.auth.controllers import session_cookie
from advocacy.core.roles import Role
from advocacy.http.deps import DbDep, LimiterDep, PrincipalCacheDep, PrincipalDep, SettingsDep
from advocacy.http.guards import ANY_PERSON, PUBLIC, Allow
from advocacy.http.middleware import client_address
from advocacy.http.pagination import Cursor, Limit, Page, page_by_id
from advocacy.identity import second_factor, service
from advocacy.identity.schemas import (
    Accepted,
    AcceptInvitation,
    ChallengeEnrol,
    ChangePassword,
    ForgotPassword,
    IdentitySettings,
    IdentitySettingsUpdate,
    InvitationBatch,
    InvitationCreate,
    InvitationPreview,
    InvitationRead,
    InvitationStatus,
    LinkToken,
    RecoveryCodes,
    ResetPassword,
    SecondFactorLogin,
    SecondFactorOff,
    SecondFactorSession,
    SecondFactorStatus,
    TotpConfirm,
    TotpEnrolment,
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
        return await page_by_id(
            cursor,
            limit,
            lambda after_id, count: service.list_invitations(
                db, status=status, after_id=after_id, limit=count
            ),
        )

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


def _own_session(request: Request[Any, Any, Any]) -> str | None:
    session = request.scope.get("auth")
    user = request.scope.get("user")
    return session if user is not None and user.via == "session" and isinstance(session, str) else None


class SecondFactorSignInController(Controller):
    path = "/api/v1/auth/login/second-factor"
    tags = ["auth"]
    guards = [PUBLIC]

    @post("/", operation_id="loginSecondFactor", status_code=200)
    async def complete(
        self, data: JSONBody[SecondFactorLogin], db: DbDep, settings: SettingsDep
    ) -> Response[SecondFactorSession]:
        """Second step of signing in: the challenge from the login's `second-factor-required` problem and a
        TOTP or recovery code; sets the session cookie."""
        done = await second_factor.complete_sign_in(db, settings, data.challenge, data.code)
        body = SecondFactorSession(
            person_id=done.person_public_id,
            csrf_token=done.session.csrf_token,
            expires_at=done.session.expires_at,
            recovery_codes=done.recovery_codes,
        )
        cookie = session_cookie(settings, done.session.token, max_age=settings.session_ttl_hours * 3600)
        return Response(body, cookies=[cookie])

    @post("/enrol", operation_id="loginSecondFactorEnrol", status_code=200)
    async def enrol(self, data: JSONBody[ChallengeEnrol], db: DbDep, settings: SettingsDep) -> TotpEnrolment:
        """When the organisation requires a second factor the person lacks: the secret for their authenticator
        app; then complete the sign-in with a code from it."""
        return await second_factor.enrol_at_sign_in(db, settings, data.challenge)


class MySecondFactorController(Controller):
    path = "/api/v1/me/second-factor"
    tags = ["auth"]
    guards = [ANY_PERSON]

    @get("/", operation_id="getMySecondFactor")
    async def get_status(self, db: DbDep, principal: PrincipalDep) -> SecondFactorStatus:
        """Whether my second factor is on, how many recovery codes are left, whether my role requires one."""
        return await second_factor.status(db, principal)

    @post("/totp", operation_id="startMyTotp", status_code=201)
    async def start(self, db: DbDep, settings: SettingsDep, principal: PrincipalDep) -> TotpEnrolment:
        """Start setting up TOTP: a secret (and otpauth URI) for an authenticator app; confirm a code next."""
        return await second_factor.begin_enrolment(db, settings, principal)

    @post("/totp/confirm", operation_id="confirmMyTotp", status_code=200)
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[TotpConfirm],
        db: DbDep,
        limiter: LimiterDep,
        settings: SettingsDep,
        principal_cache: PrincipalCacheDep,
        principal: PrincipalDep,
    ) -> RecoveryCodes:
        """Turn TOTP on with a first code; answers the recovery codes (shown once). My other sessions end."""
        return await second_factor.confirm_enrolment(
            db, limiter, principal_cache, settings, principal, data.code, session_token=_own_session(request)
        )

    @post("/recovery-codes", operation_id="renewMyRecoveryCodes", status_code=200)
    async def renew(
        self,
        data: JSONBody[TotpConfirm],
        db: DbDep,
        limiter: LimiterDep,
        settings: SettingsDep,
        principal: PrincipalDep,
    ) -> RecoveryCodes:
        """New recovery codes (a current code asked); the old ones stop working."""
        return await second_factor.regenerate_recovery_codes(db, limiter, settings, principal, data.code)

    @post("/disable", operation_id="disableMySecondFactor", status_code=204)
    async def disable(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[SecondFactorOff],
        db: DbDep,
        limiter: LimiterDep,
        settings: SettingsDep,
        principal_cache: PrincipalCacheDep,
        principal: PrincipalDep,
    ) -> None:
        """Turn my second factor off (password and a code asked); refused where my role requires one."""
        await second_factor.turn_off(
            db, limiter, principal_cache, settings, principal, data, session_token=_own_session(request)
        )


class OrganisationIdentityController(Controller):
    path = "/api/v1/organisation/identity"
    tags = ["identity"]
    guards = [Allow(Role.ADMIN)]

    @get("/", operation_id="getIdentitySettings")
    async def get_settings(self, db: DbDep) -> IdentitySettings:
        """The organisation's sign-in rules."""
        return await second_factor.organisation_settings(db)

    @patch("/", operation_id="updateIdentitySettings")
    async def update_settings(
        self, data: JSONBody[IdentitySettingsUpdate], db: DbDep, principal: PrincipalDep
    ) -> IdentitySettings:
        """Change the sign-in rules: `require_second_factor` for admin, HR and compliance (at their next sign-in)."""
        return await second_factor.update_organisation_settings(db, data, actor_id=principal.person_id)


IDENTITY_HANDLERS = [
    InvitationController,
    AccountRecoveryController,
    MyPasswordController,
    SecondFactorSignInController,
    MySecondFactorController,
    OrganisationIdentityController,
]
