"""HTTP face of SCIM: the /scim/v2 router (RFC 7644; SCIM tokens only, answers and errors as
application/scim+json, kept out of the API document) and the admins' SCIM token endpoints under /api/v1."""

from __future__ import annotations

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

from advocacy.auth.schemas import ScimClient
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
from advocacy.scim.schemas import ScimTokenCreate, ScimTokenCreated, ScimTokenRead

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


async def _list(request: Request[Any, Any, Any], kind: str, search: SearchRequest[Any]) -> Response[bytes]:
    db = request.app.state.db
    start, count = _page(search)
    found = conditions(kind, search.filter.ast if search.filter else None)
    if kind == "User":
        total, users = await service.users(db, found, offset=start - 1, limit=count)
        items = [user_data(row, base_url(request)) for row in users]
        return scim_response(
            list_answer(USER_MODEL, items, total=total, start_index=start, parameters=search)
        )
    total, groups = await service.groups(db, found, offset=start - 1, limit=count)
    items = [group_data(row, base_url(request)) for row in groups]
    return scim_response(list_answer(Group, items, total=total, start_index=start, parameters=search))


class ScimUsers(Controller):
    path = "/Users"

    @get("/", operation_id="scimListUsers")
    async def list_users(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """Users, filtered and paged (startIndex, count)."""
        return await _list(request, "User", _query_search(USER_MODEL, request))

    @post("/.search", operation_id="scimSearchUsers", status_code=200)
    async def search_users(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """Users, as a SearchRequest body asks."""
        return await _list(request, "User", _search(USER_MODEL, await _payload(request)))

    @post("/", operation_id="scimCreateUser")
    async def create_user(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """Provision a person."""
        row = await service.create_user(request.app.state.db, _client(request), await _payload(request))
        return _one(request, USER_MODEL, user_data(row, base_url(request)), 201)

    @get("/{user_id:uuid}", operation_id="scimGetUser")
    async def get_user(self, request: Request[Any, Any, Any], user_id: FromPath[UUID]) -> Response[bytes]:
        """One User."""
        row = await service.get_user(request.app.state.db, user_id)
        return _one(request, USER_MODEL, user_data(row, base_url(request)))

    @put("/{user_id:uuid}", operation_id="scimReplaceUser")
    async def replace_user(self, request: Request[Any, Any, Any], user_id: FromPath[UUID]) -> Response[bytes]:
        """Replace a User (If-Match honoured)."""
        row = await service.replace_user(
            request.app.state.db, _client(request), user_id, await _payload(request),
            base_url=base_url(request), if_match=request.headers.get("if-match"),
        )  # fmt: skip
        return _one(request, USER_MODEL, user_data(row, base_url(request)))

    @patch("/{user_id:uuid}", operation_id="scimPatchUser")
    async def patch_user(self, request: Request[Any, Any, Any], user_id: FromPath[UUID]) -> Response[bytes]:
        """Change a User with PATCH operations (If-Match honoured)."""
        row = await service.patch_user(
            request.app.state.db, _client(request), user_id, await _payload(request),
            base_url=base_url(request), if_match=request.headers.get("if-match"),
        )  # fmt: skip
        return _one(request, USER_MODEL, user_data(row, base_url(request)))

    @delete("/{user_id:uuid}", operation_id="scimDeleteUser", status_code=204)
    async def delete_user(self, request: Request[Any, Any, Any], user_id: FromPath[UUID]) -> None:
        """Deprovision: the person is deactivated and leaves SCIM."""
        await service.delete_user(
            request.app.state.db, _client(request), user_id,
            base_url=base_url(request), if_match=request.headers.get("if-match"),
        )  # fmt: skip


class ScimGroups(Controller):
    path = "/Groups"

    @get("/", operation_id="scimListGroups")
    async def list_groups(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """Groups, filtered and paged (startIndex, count)."""
        return await _list(request, "Group", _query_search(Group, request))

    @post("/.search", operation_id="scimSearchGroups", status_code=200)
    async def search_groups(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """Groups, as a SearchRequest body asks."""
        return await _list(request, "Group", _search(Group, await _payload(request)))

    @post("/", operation_id="scimCreateGroup")
    async def create_group(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """Create a group: a team of that name, or a role group."""
        row = await service.create_group(request.app.state.db, _client(request), await _payload(request))
        return _one(request, Group, group_data(row, base_url(request)), 201)

    @get("/{group_id:uuid}", operation_id="scimGetGroup")
    async def get_group(self, request: Request[Any, Any, Any], group_id: FromPath[UUID]) -> Response[bytes]:
        """One Group."""
        row = await service.get_group(request.app.state.db, group_id)
        return _one(request, Group, group_data(row, base_url(request)))

    @put("/{group_id:uuid}", operation_id="scimReplaceGroup")
    async def replace_group(
        self, request: Request[Any, Any, Any], group_id: FromPath[UUID]
    ) -> Response[bytes]:
        """Replace a Group (If-Match honoured)."""
        row = await service.replace_group(
            request.app.state.db, _client(request), group_id, await _payload(request),
            base_url=base_url(request), if_match=request.headers.get("if-match"),
        )  # fmt: skip
        return _one(request, Group, group_data(row, base_url(request)))

    @patch("/{group_id:uuid}", operation_id="scimPatchGroup")
    async def patch_group(self, request: Request[Any, Any, Any], group_id: FromPath[UUID]) -> Response[bytes]:
        """Change a Group with PATCH operations: members added and removed (If-Match honoured)."""
        row = await service.patch_group(
            request.app.state.db, _client(request), group_id, await _payload(request),
            base_url=base_url(request), if_match=request.headers.get("if-match"),
        )  # fmt: skip
        return _one(request, Group, group_data(row, base_url(request)))

    @delete("/{group_id:uuid}", operation_id="scimDeleteGroup", status_code=204)
    async def delete_group(self, request: Request[Any, Any, Any], group_id: FromPath[UUID]) -> None:
        """Delete a Group (its team stays)."""
        await service.delete_group(
            request.app.state.db, _client(request), group_id,
            base_url=base_url(request), if_match=request.headers.get("if-match"),
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
    route_handlers=[ScimUsers, ScimGroups, ScimDiscovery],
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
    ) -> ScimTokenCreated:
        """Create a SCIM token for an identity provider (shown once; it grants SCIM and nothing else)."""
        return await service.create_token(db, principal, data)

    @get("/", operation_id="listScimTokens")
    async def list_tokens(self, db: DbDep) -> list[ScimTokenRead]:
        """The SCIM tokens, newest first (never the tokens themselves)."""
        return await service.tokens(db)

    @post("/{token_id:uuid}/revoke", operation_id="revokeScimToken", status_code=204)
    async def revoke(self, token_id: FromPath[UUID], db: DbDep, principal: PrincipalDep) -> None:
        """Revoke a SCIM token: refused from the next request on."""
        await service.revoke_token(db, principal, token_id)


SCIM_HANDLERS: list[Router | type[Controller]] = [SCIM_ROUTER, ScimTokenController]
