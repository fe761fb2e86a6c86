"""Share this card: one of my badge cards (the PNG), the network to share it on and the words to go with it;
sharing goes through the share flow like any post (the charter checks the words, the card gets a public
page with its image), then continues on the share's way-out page. The same services as getMyBadges and
createShare with `badge`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Response

from advocacy.core.errors import DomainError, NotFound
from advocacy.core.i18n import lazy_gettext
from advocacy.http.deps import signed_in
from advocacy.http.guards import ANY_PERSON
from advocacy.incentives.badges import service as badges
from advocacy.incentives.badges.schemas import BadgeRead
from advocacy.shares import service as shares
from advocacy.shares.schemas import ShareCreate
from advocacy.web.forms import FormState, blank_form, check_csrf, form_problem, parse_form, read_form
from advocacy.web.i18n import translator
from advocacy.web.pages.feed import NETWORK_NAMES
from advocacy.web.pages.share_out import share_context
from advocacy.web.render import page, viewer_of

# The networks whose share pages take a link with words (their intents): where a card is shared from here.
CARD_NETWORKS = ("linkedin", "x", "bluesky")


class CardPage(msgspec.Struct, frozen=True, kw_only=True):
    badge: BadgeRead
    networks: list[tuple[str, str, None]]


async def _my_badge(request: Request[Any, Any, Any], award_id: UUID, language: str) -> BadgeRead:
    principal = signed_in(request)
    found = await badges.my_badges(request.app.state.db, principal.person_id, language)
    badge = next((b for b in found if b.id == award_id), None)
    if badge is None:
        raise NotFound(lazy_gettext("No such badge of yours"))
    return badge


async def _page(request: Request[Any, Any, Any], award_id: UUID, form: FormState | None) -> Response[Any]:
    viewer = await viewer_of(request)
    _ = translator(viewer.language)
    badge = await _my_badge(request, award_id, viewer.language)
    data = CardPage(badge=badge, networks=[(n, NETWORK_NAMES[n], None) for n in CARD_NETWORKS])
    form = form or blank_form(
        network="linkedin",
        caption=_("I earned the badge “%(badge)s” as one of our ambassadors.", badge=badge.name),
    )
    return page(
        request, viewer, "employee/card_share.html", title=_("Share this card"), data=data, form=form,
        status_code=form.status,
    )  # fmt: skip


@get("/points/badges/{award_id:uuid}/share", guards=[ANY_PERSON], include_in_schema=False)
async def card_page(request: Request[Any, Any, Any], award_id: FromPath[UUID]) -> Response[Any]:
    return await _page(request, award_id, None)


@post("/points/badges/{award_id:uuid}/share", guards=[ANY_PERSON], include_in_schema=False, status_code=303)
async def card_submit(request: Request[Any, Any, Any], award_id: FromPath[UUID]) -> Response[Any]:
    principal = signed_in(request)
    state = request.app.state
    form = await read_form(request)
    check_csrf(principal, form)
    try:
        network = form.get("network") if form.get("network") in CARD_NETWORKS else ""
        body = parse_form(
            {"badge": str(award_id), "network": network, "caption": form.get("caption").strip()}, ShareCreate
        )
        share = await shares.create_share(
            state.db, state.charters, state.links.visitors, principal, body, share_context(request)
        )
    except (DomainError, msgspec.ValidationError) as exc:
        viewer = await viewer_of(request)
        _ = translator(viewer.language)
        messages = {} if isinstance(exc, DomainError) else {
            "network": _("Choose where to share the card"),
            "caption": _("Write a few words to go with the card"),
        }  # fmt: skip
        problem = form_problem(exc, form, messages=messages, otherwise="caption")
        return await _page(request, award_id, problem)
    return Redirect(f"/compose/shares/{share.id}", status_code=303)


CARD_PAGES = [card_page, card_submit]
