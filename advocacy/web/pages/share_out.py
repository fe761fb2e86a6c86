"""A share on its way out, after the composer: held for compliance (with the charter's reasons), scheduled,
published directly from a connected account, or ready with the network's share page to open in a new tab
and "I posted it" with the post's address. The same services as getMyShare, confirmShare and the
connectors' publication state."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response

from advocacy.connectors.service import publication
from advocacy.core.errors import DomainError
from advocacy.http.deps import signed_in
from advocacy.http.guards import ANY_PERSON
from advocacy.http.middleware import client_address
from advocacy.links.controllers import user_agent
from advocacy.shares import service as shares
from advocacy.shares.reading import own_share
from advocacy.shares.schemas import ShareConfirm, ShareRead
from advocacy.web.forms import FormState, check_csrf, form_problem, parse_form, read_form
from advocacy.web.i18n import translator
from advocacy.web.pages.feed import NETWORK_NAMES
from advocacy.web.pages.shares import STATUS_KINDS, STATUS_LABELS
from advocacy.web.render import page, viewer_of


def share_context(request: Request[Any, Any, Any]) -> shares.Context:
    """What the share flow learns from the request: the sharer's browser is remembered, so that its own
    clicks on the tracked link are not counted."""
    return shares.Context(
        public_base_url=request.app.state.settings.public_base_url,
        address=client_address(request.scope),
        user_agent=user_agent(request.scope),
        storage=request.app.state.storage,
    )


class ShareOut(msgspec.Struct, frozen=True, kw_only=True):
    share: ShareRead
    network: str
    status: str  # translated
    kind: str
    publication_reason: str | None  # direct publishing: why it failed, in my language
    posted: bool  # "I posted it" was just recorded


@get("/compose/shares/{share_id:uuid}", guards=[ANY_PERSON], include_in_schema=False)
async def share_out_page(
    request: Request[Any, Any, Any], share_id: FromPath[UUID], done: FromQuery[str | None] = None
) -> Response[Any]:
    return await _page(request, share_id, posted=done == "posted")


async def _page(
    request: Request[Any, Any, Any], share_id: UUID, *, posted: bool = False, form: FormState | None = None
) -> Response[Any]:
    principal = signed_in(request)
    state = request.app.state
    viewer = await viewer_of(request)
    _ = translator(viewer.language)
    share = await own_share(state.db, principal, share_id, public_base_url=state.settings.public_base_url)
    reason = None
    if share.mode == "direct" and share.status == "failed":
        reason = (await publication(state.db, principal.person_id, share.id)).reason
    data = ShareOut(
        share=share,
        network=NETWORK_NAMES.get(share.network, share.network),
        status=_(STATUS_LABELS.get(share.status, share.status)),
        kind=STATUS_KINDS.get(share.status, ""),
        publication_reason=reason,
        posted=posted,
    )
    return page(
        request, viewer, "employee/share_out.html",
        title=_("Your share on %(network)s", network=data.network), data=data, form=form,
        status_code=form.status if form else 200,
    )  # fmt: skip


@post(
    "/compose/shares/{share_id:uuid}/confirm", guards=[ANY_PERSON], include_in_schema=False, status_code=303
)
async def confirm_submit(request: Request[Any, Any, Any], share_id: FromPath[UUID]) -> Response[Any]:
    """I posted it: the post's address, checked against the network's own post addresses."""
    principal = signed_in(request)
    state = request.app.state
    form = await read_form(request)
    check_csrf(principal, form)
    try:
        body = parse_form({"post_url": form.get("post_url").strip()}, ShareConfirm)
        await shares.confirm(
            state.db, state.links.visitors, principal, share_id, body, share_context(request)
        )
    except (DomainError, msgspec.ValidationError) as exc:
        viewer = await viewer_of(request)
        _ = translator(viewer.language)
        problem = form_problem(
            exc, form, otherwise="post_url",
            messages={"post_url": _("Enter the address of your post, as the network shows it (https://…)")}
            if isinstance(exc, msgspec.ValidationError) else None,
        )  # fmt: skip
        return await _page(request, share_id, form=problem)
    return Redirect(f"/compose/shares/{share_id}?done=posted", status_code=303)


SHARE_OUT_PAGES = [share_out_page, confirm_submit]
