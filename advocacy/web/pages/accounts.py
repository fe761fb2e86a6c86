"""My connected accounts: the list with what connecting stores, connecting one (LinkedIn, X and Mastodon
through the network's OAuth page, Bluesky with an app password) and disconnecting. The same connectors
service as /api/v1/me/connections; the network sends the browser back to that API's callback, which returns
a browser to this page (advocacy/connectors/controllers.py)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response

from advocacy.connectors import service as connectors
from advocacy.connectors.crypto import TokenCipher
from advocacy.connectors.registry import open_registry
from advocacy.connectors.schemas import BlueskyConnectBody, ConnectedAccountRead, ConnectStartBody
from advocacy.core.errors import DomainError
from advocacy.core.networks import CONNECTED_NETWORKS
from advocacy.http.deps import signed_in
from advocacy.http.guards import ANY_PERSON
from advocacy.web.forms import FormState, check_csrf, form_problem, parse_form, read_form
from advocacy.web.i18n import translator
from advocacy.web.pages.feed import NETWORK_NAMES
from advocacy.web.render import page, viewer_of

DONE = {"connected", "disconnected"}


class AccountsPage(msgspec.Struct, frozen=True, kw_only=True):
    accounts: list[ConnectedAccountRead]
    what_is_stored: str
    network_names: dict[str, str]
    can_connect: bool
    done: str  # "connected", "disconnected" or ""


async def _page(request: Request[Any, Any, Any], form: FormState | None, done: str) -> Response[Any]:
    principal = signed_in(request)
    viewer = await viewer_of(request)
    _ = translator(viewer.language)
    found = await connectors.list_connections(request.app.state.db, principal.person_id)
    status = viewer.ambassador
    data = AccountsPage(
        accounts=found.accounts,
        what_is_stored=found.what_is_stored.get(viewer.language, found.what_is_stored["en"]),
        network_names={n: NETWORK_NAMES[n] for n in CONNECTED_NETWORKS},
        can_connect=bool(status and status.is_ambassador),
        done=done if done in DONE else "",
    )
    return page(
        request, viewer, "employee/accounts.html", title=_("My connected accounts"), data=data, form=form,
        status_code=form.status if form else 200,
    )  # fmt: skip


@get("/me/accounts", guards=[ANY_PERSON], include_in_schema=False)
async def accounts_page(request: Request[Any, Any, Any], done: FromQuery[str | None] = None) -> Response[Any]:
    return await _page(request, None, done or "")


@post("/me/accounts/{network:str}/connect", guards=[ANY_PERSON], include_in_schema=False, status_code=303)
async def connect_submit(request: Request[Any, Any, Any], network: FromPath[str]) -> Response[Any]:
    """Start the network's OAuth flow: the browser goes to the network's authorisation page."""
    principal = signed_in(request)
    state = request.app.state
    form = await read_form(request)
    check_csrf(principal, form)
    try:
        body = parse_form({"instance": form.get("instance").strip()}, ConnectStartBody)
        async with open_registry(state.settings) as registry:
            started = await connectors.start_connect(
                state.db, registry, TokenCipher.from_settings(state.settings), principal.person_id, network, body
            )  # fmt: skip
    except (DomainError, msgspec.ValidationError) as exc:
        return await _page(
            request, form_problem(exc, form, otherwise="instance" if network == "mastodon" else None), ""
        )
    return Redirect(started.authorize_url, status_code=303)


@post("/me/accounts/bluesky", guards=[ANY_PERSON], include_in_schema=False, status_code=303)
async def bluesky_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    principal = signed_in(request)
    state = request.app.state
    form = await read_form(request)
    check_csrf(principal, form)
    try:
        body = parse_form(
            {"identifier": form.get("identifier").strip(), "app_password": form.get("app_password")},
            BlueskyConnectBody,
        )
        async with open_registry(state.settings) as registry:
            await connectors.connect_bluesky(
                state.db, registry, TokenCipher.from_settings(state.settings), principal.person_id, body
            )
    except (DomainError, msgspec.ValidationError) as exc:
        kept = FormState(values={"identifier": form.get("identifier")})  # the app password is never echoed
        problem = form_problem(exc, form, otherwise="app_password")
        return await _page(request, msgspec.structs.replace(problem, values=kept.values), "")
    return Redirect("/me/accounts?done=connected", status_code=303)


@post(
    "/me/accounts/{account_id:uuid}/disconnect", guards=[ANY_PERSON], include_in_schema=False, status_code=303
)
async def disconnect_submit(request: Request[Any, Any, Any], account_id: FromPath[UUID]) -> Response[Any]:
    principal = signed_in(request)
    state = request.app.state
    form = await read_form(request)
    check_csrf(principal, form)
    try:
        async with open_registry(state.settings) as registry:
            await connectors.disconnect(
                state.db, registry, TokenCipher.from_settings(state.settings), principal.person_id, account_id
            )  # fmt: skip
    except DomainError as exc:
        return await _page(request, form_problem(exc, form), "")
    return Redirect("/me/accounts?done=disconnected", status_code=303)


ACCOUNTS_PAGES = [accounts_page, connect_submit, bluesky_submit, disconnect_submit]
