"""My connected accounts: connect (OAuth 2 + PKCE, or a Bluesky app password), list, disconnect; audiences."""

from __future__ import annotations

from typing import Annotated, Any, cast
from uuid import UUID

from litestar import Controller, Request, delete, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Redirect

from advocacy.connectors import service
from advocacy.connectors.crypto import TokenCipher
from advocacy.connectors.registry import open_registry
from advocacy.connectors.schemas import (
    AudienceDeclare,
    AudienceRead,
    BlueskyConnectBody,
    ConnectedAccountRead,
    Connections,
    ConnectStart,
    ConnectStartBody,
    PublicationRead,
)
from advocacy.core.errors import NotFound
from advocacy.core.i18n import lazy_gettext
from advocacy.core.networks import NetworkCode
from advocacy.http.deps import DbDep, PrincipalDep, SettingsDep
from advocacy.http.guards import ANY_PERSON

WEB_PAGE = "/me/accounts"  # the web app's page of connected accounts
_AUDIENCE_NETWORKS = ("linkedin", "x", "facebook", "instagram", "mastodon", "bluesky")


class ConnectionsController(Controller):
    path = "/api/v1/me/connections"
    tags = ["connected accounts"]
    guards = [ANY_PERSON]

    @get("/", operation_id="listMyConnections")
    async def list_connections(self, db: DbDep, principal: PrincipalDep) -> Connections:
        """My connected accounts, and what connecting one stores."""
        return await service.list_connections(db, principal.person_id)

    @post("/{network:str}/start", operation_id="startConnection", status_code=200)
    async def start(
        self,
        network: FromPath[str],
        data: JSONBody[ConnectStartBody],
        db: DbDep,
        principal: PrincipalDep,
        settings: SettingsDep,
    ) -> ConnectStart:
        """Begin connecting a LinkedIn, X or Mastodon account: answers the network's authorisation address."""
        async with open_registry(settings) as registry:
            return await service.start_connect(
                db, registry, TokenCipher.from_settings(settings), principal.person_id, network, data
            )

    @get("/{network:str}/callback", operation_id="finishConnection")
    async def callback(
        self,
        request: Request[Any, Any, Any],
        network: FromPath[str],
        db: DbDep,
        principal: PrincipalDep,
        settings: SettingsDep,
        code: Annotated[str | None, QueryParameter(max_length=2048)] = None,
        # `state` is a reserved kwarg name in Litestar: the query parameter is read under another name.
        oauth_state: Annotated[str | None, QueryParameter(name="state", max_length=256)] = None,
        error: Annotated[str | None, QueryParameter(max_length=256)] = None,
    ) -> ConnectedAccountRead:
        """Where the network sends the browser back: the single-use state is checked and the code exchanged."""
        async with open_registry(settings) as registry:
            account = await service.finish_connect(
                db,
                registry,
                TokenCipher.from_settings(settings),
                principal.person_id,
                network,
                code=code,
                state=oauth_state,
                error=error,
            )
        if principal.via == "session" and "text/html" in request.headers.get("accept", ""):
            # A person connecting from the web app is taken back to its page (API clients get the JSON).
            return cast(ConnectedAccountRead, Redirect(WEB_PAGE + "?done=connected", status_code=303))
        return account

    @post("/bluesky", operation_id="connectBluesky", status_code=201)
    async def bluesky(
        self, data: JSONBody[BlueskyConnectBody], db: DbDep, principal: PrincipalDep, settings: SettingsDep
    ) -> ConnectedAccountRead:
        """Connect a Bluesky account with an app password (used once to open a session, never stored)."""
        async with open_registry(settings) as registry:
            return await service.connect_bluesky(
                db, registry, TokenCipher.from_settings(settings), principal.person_id, data
            )

    @delete("/{account_id:uuid}", operation_id="disconnectAccount", status_code=204)
    async def disconnect(
        self, account_id: FromPath[UUID], db: DbDep, principal: PrincipalDep, settings: SettingsDep
    ) -> None:
        """Disconnect: the tokens are revoked at the network and deleted here."""
        async with open_registry(settings) as registry:
            await service.disconnect(
                db, registry, TokenCipher.from_settings(settings), principal.person_id, account_id
            )

    @get("/audiences", operation_id="listMyAudiences")
    async def audiences(self, db: DbDep, principal: PrincipalDep) -> list[AudienceRead]:
        """My follower count per network (fetched from a connected account, else what I declared)."""
        return await service.audiences(db, principal.person_id)

    @put("/audiences/{network:str}", operation_id="declareMyAudience")
    async def declare(
        self, network: FromPath[str], data: JSONBody[AudienceDeclare], db: DbDep, principal: PrincipalDep
    ) -> list[AudienceRead]:
        """Declare my follower count on a network (used to estimate the reach of share-page shares)."""
        if network not in _AUDIENCE_NETWORKS:
            raise NotFound(lazy_gettext("Unknown network %(network)s", network=repr(network)))
        chosen: NetworkCode = network  # type: ignore[assignment]
        return await service.declare_audience(db, principal.person_id, chosen, data.followers)


class PublicationController(Controller):
    path = "/api/v1/shares"
    tags = ["shares"]
    guards = [ANY_PERSON]

    @get("/{share_id:uuid}/publication", operation_id="getMySharePublication")
    async def publication(
        self, share_id: FromPath[UUID], db: DbDep, principal: PrincipalDep
    ) -> PublicationRead:
        """How direct publishing of my share went (state, tries, and the reason when it failed)."""
        return await service.publication(db, principal.person_id, share_id)
