"""HTTP face of SCIM: the /scim/v2 router (RFC 7644; SCIM tokens only, answers and errors as
application/scim+json, kept out of the API document) and the admins' SCIM token endpoints under /api/v1."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, Router, delete, get, patch, post, put
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    SerializationException,
    ValidationException,
)
from litestar.params import FromPath, JSONBody
from pydantic import ValidationError
from scim2_models import (
    Context,
    Group,
    InvalidSyntaxException,
    NotFoundException,
    NotImplementedException,
    Resource,
    SCIMException,
    SearchRequest,
)
from scim2_models import Error as ScimError

from advocacy.auth.schemas import ScimClient, TokenCreated, TokenRead
from advocacy.core.errors import DomainError
from advocacy.core.roles import Role
from advocacy.http.deps import DbDep, PrincipalDep
from advocacy.http.guards import SCIM, Allow
from advocacy.scim import service
from advocacy.scim.filters import conditions
from advocacy.scim.resources import (
    MAX_RESULTS,
    SCIM_MEDIA_TYPE,
    USER_MODEL,
    answer,
    config_data,
    discovery,
    group_data,
    invalid_payload,
    list_answer,
    user_data,
)
from advocacy.scim.schemas import ScimTokenCreate

SCIM_PATH = "/scim/v2"
DEFAULT_COUNT = 100
# scimType of a refusal our domain errors stand for (RFC 7644 section 3.12)
_SCIM_TYPES = {409: "uniqueness", 400: "invalidValue", 422: "invalidValue"}


def scim_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response[bytes]:
    return Response(
        content=msgspec.json.encode(body), status_code=status, media_type=SCIM_MEDIA_TYPE, headers=headers
    )


def _error(
    status: int, detail: str, scim_type: str | None = None, headers: dict[str, str] | None = None
) -> Response[bytes]:
    body = ScimError(status=status, scim_type=scim_type, detail=detail).model_dump(scim_ctx=Context.DEFAULT)
    return scim_response(body, status, headers)


def _scim_exception(_: Request[Any, Any, Any], exc: SCIMException) -> Response[bytes]:
    error = exc.to_error()
    return _error(int(error.status or 400), error.detail or "", error.scim_type)


def _domain_error(_: Request[Any, Any, Any], exc: DomainError) -> Response[bytes]:
    return _error(exc.status, exc.detail_in("en"), _SCIM_TYPES.get(exc.status))


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    if isinstance(exc, NotAuthorizedException):
        reason = request.scope.get("auth_error") or exc.detail
        return _error(401, str(reason), headers={"WWW-Authenticate": 'Bearer realm="scim"'})
    message = getattr(exc, "message", None)
    detail = message.in_language("en") if message is not None else exc.detail
    return _error(exc.status_code, str(detail), "invalidSyntax" if exc.status_code == 400 else None)


def _validation_error(_: Request[Any, Any, Any], exc: ValidationException) -> Response[bytes]:
    return _error(400, str(exc.detail), "invalidValue")


def _internal_error(_: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    return _error(500, "Internal error")


def base_url(request: Request[Any, Any, Any]) -> str:
    public: str = request.app.state.settings.public_base_url
    return public.rstrip("/") + SCIM_PATH


def _client(request: Request[Any, Any, Any]) -> ScimClient:
    user = request.scope.get("user")
    assert isinstance(user, ScimClient)  # the route's Allow(scim) admitted nobody else
    return user


async def _payload(request: Request[Any, Any, Any]) -> Any:
    try:
        return await request.json()
    except (SerializationException, ValueError, msgspec.DecodeError) as exc:
        raise InvalidSyntaxException(detail=f"The body is not JSON: {exc}") from None


def _search(model: type[Resource[Any]], values: dict[str, Any]) -> SearchRequest[Any]:
    try:
        return SearchRequest[model].model_validate(values, scim_ctx=Context.SEARCH_REQUEST)  # type: ignore[valid-type]
    except ValidationError as error:
        raise invalid_payload(error) from None


def _query_search(model: type[Resource[Any]], request: Request[Any, Any, Any]) -> SearchRequest[Any]:
    keys = ("filter", "attributes", "excludedAttributes", "startIndex", "count", "sortBy", "sortOrder")
    return _search(model, {key: request.query_params[key] for key in keys if key in request.query_params})


def _page(search: SearchRequest[Any]) -> tuple[int, int]:
    start = max(1, search.start_index or 1)
    count = DEFAULT_COUNT if search.count is None else max(0, min(search.count, MAX_RESULTS))
    return start, count


def _one(
    request: Request[Any, Any, Any], model: type[Resource[Any]], data: dict[str, Any], status: int = 200
) -> Response[bytes]:
    parameters = _query_search(model, request) if request.method == "GET" else None
    headers = {"ETag": data["meta"]["version"]}
    if status == 201:
        headers["Location"] = data["meta"]["location"]
    return scim_response(answer(model, data, parameters), status, headers)


async def _list(request: Request[Any, Any, Any], kind: Kind, search: SearchRequest[Any]) -> Response[bytes]:
    start, count = _page(search)
    found = conditions(kind.name, search.filter.ast if search.filter else None)
    total, rows = await kind.listing(request.app.state.db, found, offset=start - 1, limit=count)
    items = [kind.render(row, base_url(request)) for row in rows]
    return scim_response(list_answer(kind.model, items, total=total, start_index=start, parameters=search))


class Kind(msgspec.Struct, frozen=True, kw_only=True):
    """One SCIM resource type as the routes serve it: its model, how a row reads, and its service calls."""

    name: str  # User, Group
    model: type[Resource[Any]]
    render: Callable[[Any, str], dict[str, Any]]
    listing: Callable[..., Awaitable[tuple[int, list[Any]]]]
    get: Callable[..., Awaitable[Any]]
    create: Callable[..., Awaitable[Any]]
    replace: Callable[..., Awaitable[Any]]
    patch: Callable[..., Awaitable[Any]]
    delete: Callable[..., Awaitable[None]]


def _resources(kind: Kind) -> type[Controller]:
    """The routes of one resource type (RFC 7644 section 3): list, search, create, get, replace, patch, delete."""

    def written(request: Request[Any, Any, Any]) -> dict[str, Any]:
        return {"base_url": base_url(request), "if_match": request.headers.get("if-match")}

    class Resources(Controller):
        path = f"/{kind.name}s"

        @get("/", operation_id=f"scimList{kind.name}s")
        async def listed(self, request: Request[Any, Any, Any]) -> Response[bytes]:
            """Resources, filtered and paged (startIndex, count)."""
            return await _list(request, kind, _query_search(kind.model, request))

        @post("/.search", operation_id=f"scimSearch{kind.name}s", status_code=200)
        async def search(self, request: Request[Any, Any, Any]) -> Response[bytes]:
            """Resources, as a SearchRequest body asks."""
            return await _list(request, kind, _search(kind.model, await _payload(request)))

        @post("/", operation_id=f"scimCreate{kind.name}")
        async def create(self, request: Request[Any, Any, Any]) -> Response[bytes]:
            """Create one (a User provisions a person; a Group is a team or a role group)."""
            row = await kind.create(request.app.state.db, _client(request), await _payload(request))
            return _one(request, kind.model, kind.render(row, base_url(request)), 201)

        @get("/{resource_id:uuid}", operation_id=f"scimGet{kind.name}")
        async def one(self, request: Request[Any, Any, Any], resource_id: FromPath[UUID]) -> Response[bytes]:
            """One resource."""
            row = await kind.get(request.app.state.db, resource_id)
            return _one(request, kind.model, kind.render(row, base_url(request)))

        @put("/{resource_id:uuid}", operation_id=f"scimReplace{kind.name}")
        async def replace(
            self, request: Request[Any, Any, Any], resource_id: FromPath[UUID]
        ) -> Response[bytes]:
            """Replace one (If-Match honoured)."""
            db, client, payload = request.app.state.db, _client(request), await _payload(request)
            row = await kind.replace(db, client, resource_id, payload, **written(request))
            return _one(request, kind.model, kind.render(row, base_url(request)))

        @patch("/{resource_id:uuid}", operation_id=f"scimPatch{kind.name}")
        async def change(
            self, request: Request[Any, Any, Any], resource_id: FromPath[UUID]
        ) -> Response[bytes]:
            """Change one with PATCH operations (If-Match honoured)."""
            db, client, payload = request.app.state.db, _client(request), await _payload(request)
            row = await kind.patch(db, client, resource_id, payload, **written(request))
            return _one(request, kind.model, kind.render(row, base_url(request)))

        @delete("/{resource_id:uuid}", operation_id=f"scimDelete{kind.name}", status_code=204)
        async def remove(self, request: Request[Any, Any, Any], resource_id: FromPath[UUID]) -> None:
            """Delete one: a User's person is switched off and leaves SCIM; a Group's team stays."""
            await kind.delete(request.app.state.db, _client(request), resource_id, **written(request))

    Resources.__name__ = Resources.__qualname__ = f"Scim{kind.name}s"
    return Resources


USERS = Kind(
    name="User", model=USER_MODEL, render=user_data, listing=service.users, get=service.get_user, create=service.create_user,
    replace=service.replace_user, patch=service.patch_user, delete=service.delete_user,
)  # fmt: skip
GROUPS = Kind(
    name="Group", model=Group, render=group_data, listing=service.groups, get=service.get_group, create=service.create_group,
    replace=service.replace_group, patch=service.patch_group, delete=service.delete_group,
)  # fmt: skip


class ScimDiscovery(Controller):
    path = "/"

    @get("/ServiceProviderConfig", operation_id="scimServiceProviderConfig")
    async def config(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """What this SCIM service supports."""
        return scim_response(config_data(base_url(request)))

    @post("/.search", operation_id="scimSearchEverything", status_code=200)
    async def search_everything(self) -> None:
        """Searching Users and Groups at once is not offered (RFC 7644 section 3.4.3 lets it answer 501)."""
        raise NotImplementedException(detail="Search /Users/.search or /Groups/.search")

    @get("/{kind:str}", operation_id="scimDiscoveryList")
    async def listed(self, request: Request[Any, Any, Any], kind: FromPath[str]) -> Response[bytes]:
        """ResourceTypes or Schemas (anything else: a SCIM 404)."""
        items = _discovered(request, kind)
        body = {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": len(items),
            "itemsPerPage": len(items),
            "startIndex": 1,
            "Resources": items,
        }
        return scim_response(body)

    @get("/{kind:str}/{item_id:path}", operation_id="scimDiscoveryItem")
    async def item(
        self, request: Request[Any, Any, Any], kind: FromPath[str], item_id: FromPath[str]
    ) -> Response[bytes]:
        """One ResourceType or Schema (anything else: a SCIM 404)."""
        wanted = item_id.strip("/")
        found = [data for data in _discovered(request, kind) if data["id"] == wanted]
        if not found:
            raise NotFoundException(detail=f"No {kind} {wanted}")
        return scim_response(found[0])


def _discovered(request: Request[Any, Any, Any], kind: str) -> list[dict[str, Any]]:
    if kind not in ("ResourceTypes", "Schemas"):
        raise NotFoundException(detail=f"No such SCIM endpoint: {kind}")
    return discovery(kind.removesuffix("s"), base_url(request))


SCIM_ROUTER = Router(
    path=SCIM_PATH,
    route_handlers=[_resources(USERS), _resources(GROUPS), ScimDiscovery],
    guards=[SCIM],
    include_in_schema=False,
    exception_handlers={
        SCIMException: _scim_exception,
        DomainError: _domain_error,
        ValidationException: _validation_error,
        HTTPException: _http_error,
        Exception: _internal_error,
    },
)


class ScimTokenController(Controller):
    path = "/api/v1/admin/scim-tokens"
    tags = ["scim"]
    guards = [Allow(Role.ADMIN)]

    @post("/", operation_id="createScimToken")
    async def create(
        self, data: JSONBody[ScimTokenCreate], db: DbDep, principal: PrincipalDep
    ) -> TokenCreated:
        """Create a SCIM token for an identity provider (shown once; it grants SCIM and nothing else)."""
        return await service.create_token(db, principal, data)

    @get("/", operation_id="listScimTokens")
    async def list_tokens(self, db: DbDep) -> list[TokenRead]:
        """The SCIM tokens, newest first (never the tokens themselves)."""
        return await service.tokens(db)

    @post("/{token_id:uuid}/revoke", operation_id="revokeScimToken", status_code=204)
    async def revoke(self, token_id: FromPath[UUID], db: DbDep, principal: PrincipalDep) -> None:
        """Revoke a SCIM token: refused from the next request on."""
        await service.revoke_token(db, principal, token_id)


SCIM_HANDLERS: list[Router | type[Controller]] = [SCIM_ROUTER, ScimTokenController]
