"""Admin API of single sign-on: the organisation's SSO settings (claim mapping, group → role table,
just-in-time creation, password login off with its break-glass administrators)."""

from __future__ import annotations

from litestar import Controller, get, patch
from litestar.params import JSONBody

from advocacy.core.roles import Role
from advocacy.http.deps import DbDep, PrincipalDep
from advocacy.http.guards import Allow
from advocacy.identity.sso import service
from advocacy.identity.sso.schemas import SsoSettings, SsoSettingsUpdate


class OrganisationSsoController(Controller):
    path = "/api/v1/organisation/sso"
    tags = ["identity"]
    guards = [Allow(Role.ADMIN)]

    @get("/", operation_id="getSsoSettings")
    async def get_settings(self, db: DbDep) -> SsoSettings:
        """The organisation's single sign-on rules: claim mapping, group → role table, JIT, password login."""
        return await service.sso_settings(db)

    @patch("/", operation_id="updateSsoSettings")
    async def update_settings(
        self, data: JSONBody[SsoSettingsUpdate], db: DbDep, principal: PrincipalDep
    ) -> SsoSettings:
        """Change the single sign-on rules (a list given replaces the whole list); audited."""
        return await service.update_sso_settings(db, data, actor_id=principal.person_id)
