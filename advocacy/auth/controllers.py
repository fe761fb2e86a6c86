"""Sign in and out (session cookie for the web), and personal API tokens."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import Cookie
from litestar.params import FromPath, JSONBody

from advocacy.auth import service
from advocacy.auth.schemas import LoginBody, SessionCreated, TokenCreate, TokenCreated, TokenRead
from advocacy.auth.service import SESSION_COOKIE
from advocacy.auth.throttle import login_throttle
from advocacy.http.deps import DbDep, PrincipalCacheDep, PrincipalDep, SettingsDep
from advocacy.http.guards import ANY_PERSON, PUBLIC
from advocacy.http.idempotency import ANSWERS_WITH_SECRET
from advocacy.http.middleware import client_address


def session_cookie(settings: SettingsDep, value: str, *, max_age: int) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


class SessionController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]
    guards = [PUBLIC]

    @post("/login", operation_id="login", status_code=200, opt={ANSWERS_WITH_SECRET: True})
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[LoginBody],
        db: DbDep,
        settings: SettingsDep,
    ) -> Response[SessionCreated]:
        """Sign in with e-mail and password; sets the session cookie and returns the CSRF token."""
        token, principal, expires_at = await service.login(
            db,
            login_throttle(request.app.state),
            email=data.email,
            password=data.password,
            client=client_address(request.scope),
            session_hours=settings.session_ttl_hours,
        )
        assert principal.csrf_token is not None
        body = SessionCreated(
            person_id=principal.public_id, csrf_token=principal.csrf_token, expires_at=expires_at
        )
        return Response(
            body, cookies=[session_cookie(settings, token, max_age=settings.session_ttl_hours * 3600)]
        )

    @post("/logout", operation_id="logout", status_code=204, guards=[ANY_PERSON])
    async def logout(
        self,
        request: Request[Any, Any, Any],
        db: DbDep,
        principal_cache: PrincipalCacheDep,
        settings: SettingsDep,
    ) -> Response[None]:
        """End the current web session."""
        session_token = request.scope.get("auth")
        if isinstance(session_token, str) and session_token != "token":  # noqa: S105
            await service.logout(db, principal_cache, session_token)
        return Response(None, status_code=204, cookies=[session_cookie(settings, "", max_age=0)])


class TokenController(Controller):
    path = "/api/v1/me/tokens"
    tags = ["auth"]
    guards = [ANY_PERSON]

    @get("/", operation_id="listMyTokens")
    async def list_tokens(self, db: DbDep, principal: PrincipalDep) -> list[TokenRead]:
        """My API tokens (never the secret itself)."""
        return await service.list_tokens(db, principal)

    @post("/", operation_id="createMyToken", opt={ANSWERS_WITH_SECRET: True})
    async def create_token(
        self, data: JSONBody[TokenCreate], db: DbDep, principal: PrincipalDep, settings: SettingsDep
    ) -> TokenCreated:
        """Create a personal API token; the token is shown in this response only."""
        return await service.create_token(db, principal, data, max_days=settings.token_max_days)

    @delete("/{token_id:uuid}", operation_id="revokeMyToken", status_code=204)
    async def revoke_token(
        self, token_id: FromPath[UUID], db: DbDep, principal: PrincipalDep, principal_cache: PrincipalCacheDep
    ) -> None:
        """Revoke one of my tokens; it stops working at once."""
        await service.revoke_token(db, principal_cache, principal, token_id)
