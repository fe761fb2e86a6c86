"""The composer: one post of my feed, one tab per network it is offered for, a preview shaped like that
network's post, the caption (locked, editable or free as the item says) with the network's own count and
the charter's findings marked in it, each finding's fix, and the share action. The same services as
POST /api/v1/charter/check and POST /api/v1/shares; static/js/composer.js redoes the count and the check
as one types, without JavaScript the "Check" button does."""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any
from urllib.parse import urlencode, urlsplit
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Response

from advocacy.ambassadors.service import NotAnAmbassador
from advocacy.charter import service as charter
from advocacy.charter.engine import MAX_TEXT_LENGTH, CheckContent, Finding, Verdict
from advocacy.charter.networks import length
from advocacy.charter.rules import Severity
from advocacy.charter.schemas import CheckRequest
from advocacy.connectors.service import list_connections
from advocacy.content.feed.reader import feed_reader, page_entries
from advocacy.core.errors import DomainError, NotFound
from advocacy.core.i18n import lazy_gettext
from advocacy.core.language import Language
from advocacy.core.networks import CONNECTED_NETWORKS, NETWORKS, Network, NetworkCode
from advocacy.http.deps import signed_in
from advocacy.http.guards import ANY_PERSON
from advocacy.shares import service as shares
from advocacy.shares.schemas import ShareCreate
from advocacy.shares.sharepage import text_as_posted
from advocacy.web.forms import FormData, FormState, check_csrf, form_problem, read_form
from advocacy.web.i18n import N_, translator
from advocacy.web.pages.feed import NETWORK_NAMES, CardImage
from advocacy.web.pages.share_out import share_context
from advocacy.web.render import Viewer, page, viewer_of
from content_library.feed.schemas import FeedEntry, FeedFilter
from content_library.feed.service import cached_feed

# The rendition each network's post shows (advocacy's image pipeline makes these sizes).
RENDITIONS: dict[str, str] = {"x": "x", "instagram": "square"}
LINK_CARDS = frozenset({"linkedin", "x", "facebook", "mastodon", "bluesky"})  # Instagram shows no link card
SEVERITY_LABELS: dict[str, str] = {
    "block": N_("Blocked"),
    "review": N_("Reviewed by compliance"),
    "warn": N_("Warning"),
    "allow": N_("Allowed"),
}
POLICY_HINTS: dict[str, str] = {
    "locked": N_("The comms team approved this caption as it stands: it cannot be changed."),
    "editable": N_("You may adapt the suggested caption."),
    "free": N_("Write your own words; the suggested caption is a start."),
}


class Tab(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name: str
    href: str
    current: bool


class Segment(msgspec.Struct, frozen=True, kw_only=True):
    """A run of the caption, marked with the worst severity of the findings over it ("" for none)."""

    text: str
    severity: str = ""


class FindingView(msgspec.Struct, frozen=True, kw_only=True):
    index: int
    finding: Finding
    label: str  # the severity, translated
    start: int  # clamped to the caption (the network may add the link after it)
    end: int


class Preview(msgspec.Struct, frozen=True, kw_only=True):
    author: str
    image: CardImage | None
    link_card: bool
    link_domain: str
    link_title: str


class Composer(msgspec.Struct, frozen=True, kw_only=True):
    item: FeedEntry
    network: str
    network_name: str
    tabs: list[Tab]
    caption: str
    locked: bool
    policy_hint: str
    segments: list[Segment]
    findings: list[FindingView]
    decision: str
    decision_label: str
    count: int
    max_length: int
    suffix: str  # what the network's share page adds to the caption (the link), counted and checked too
    disclosure_tag: str | None
    has_disclosure: bool
    check_body: str  # JSON: the check request without its text, for composer.js
    preview: Preview
    direct: bool  # a connected account can publish it
    warned: bool  # the charter warns: sharing needs "I have read the warnings"


def _clamp(finding: Finding, size: int) -> tuple[int, int]:
    return min(finding.start, size), min(finding.end, size)


def segments_of(caption: str, findings: list[FindingView]) -> list[Segment]:
    """The caption cut where findings start and end, each run marked with the worst severity over it."""
    cuts = sorted({0, len(caption), *(f.start for f in findings), *(f.end for f in findings)})
    runs = []
    for start, end in pairwise(cuts):
        over = [f.finding.severity for f in findings if f.start <= start and end <= f.end and f.start < f.end]
        worst = max(over, key=lambda s: s.rank, default=None)
        runs.append(Segment(text=caption[start:end], severity=worst.value if worst else ""))
    return runs


def _image(entry: FeedEntry, network: str) -> CardImage | None:
    wanted = RENDITIONS.get(network, "link")
    for candidate in entry.images:
        rendition = candidate.renditions.get(wanted) or candidate.renditions.get("link")
        if candidate.ready and rendition is not None and (rendition.webp or rendition.jpeg):
            src = rendition.webp or rendition.jpeg or ""
            return CardImage(
                src=src, srcset="", width=rendition.width, height=rendition.height, alt=candidate.alt or ""
            )
    return None


async def _entry(request: Request[Any, Any, Any], item_id: UUID) -> FeedEntry:
    """The post as my feed shows it (the same reader check, cache and query); NotFound when it is not in it."""
    principal = signed_in(request)
    state = request.app.state
    who = await feed_reader(state.db, state.principal_cache, principal.person_id)
    lines, shared = await cached_feed(
        state.db, state.feed_cache, who, flt=FeedFilter(item=item_id), after=None, limit=1,
        fallback_language=state.settings.default_language, storage=state.storage,
        shared_items=shares.shared_item_ids,
    )  # fmt: skip
    found = page_entries(lines, shared, 1).items
    if not found:
        raise NotFound(lazy_gettext("This post is not in your feed"))
    return found[0]


def _networks(entry: FeedEntry) -> list[NetworkCode]:
    return list(entry.networks) or list(NETWORKS)


async def _composer(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    entry: FeedEntry,
    network: NetworkCode,
    caption: str | None,
) -> Composer:
    principal = signed_in(request)
    state = request.app.state
    _ = translator(viewer.language)
    suggested = entry.captions.get(network) or entry.captions.get("default") or ""
    locked = entry.caption_policy == "locked"
    text = suggested if caption is None or locked else caption
    suffix = text_as_posted(network, text, entry.link)[len(text) :]
    content = CheckContent(
        link=entry.link, caption_policy=entry.caption_policy,
        approved_caption=suggested if locked else None, tags=entry.tags,
    )  # fmt: skip
    rules = await charter.composer_rules(state.db, state.charters, network, entry.language)
    verdict: Verdict = await charter.check_text(
        state.db, state.charters,
        CheckRequest(text=text + suffix, network=Network(network), language=Language(entry.language), content=content),
        reader_language=viewer.language,
    )  # fmt: skip
    findings = [
        FindingView(index=i, finding=f, label=_(SEVERITY_LABELS[f.severity.value]), start=s, end=e)
        for i, f in enumerate(verdict.findings)
        for s, e in [_clamp(f, len(text))]
    ]
    connected = (
        await list_connections(state.db, principal.person_id) if network in CONNECTED_NETWORKS else None
    )
    domain = urlsplit(entry.link).hostname or "" if entry.link else ""
    return Composer(
        item=entry,
        network=network,
        network_name=NETWORK_NAMES[network],
        tabs=[
            Tab(
                code=n,
                name=NETWORK_NAMES[n],
                href=f"/compose/{entry.id}?{urlencode({'network': n})}",
                current=n == network,
            )
            for n in _networks(entry)
        ],
        caption=text,
        locked=locked,
        policy_hint=_(POLICY_HINTS[entry.caption_policy]),
        segments=segments_of(text, findings),
        findings=findings,
        decision=verdict.decision.value,
        decision_label=_(SEVERITY_LABELS[verdict.decision.value]),
        count=length(text + suffix, Network(network)),
        max_length=rules.max_length,
        suffix=suffix,
        disclosure_tag=rules.disclosure_tag,
        has_disclosure=not any(f.finding.rule_id == "disclosure.missing" for f in findings),
        check_body=json.dumps(
            {"network": network, "language": entry.language, "content": msgspec.to_builtins(content)}
        ),
        preview=Preview(
            author=viewer.display_name,
            image=_image(entry, network),
            link_card=network in LINK_CARDS and bool(entry.link),
            link_domain=domain.removeprefix("www."),
            link_title=entry.title,
        ),
        direct=bool(
            connected and any(a.network == network and a.status == "active" for a in connected.accounts)
        ),
        warned=verdict.decision is Severity.WARN,
    )


async def _render(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    entry: FeedEntry,
    network: NetworkCode,
    caption: str | None,
    form: FormState | None = None,
) -> Response[Any]:
    _ = translator(viewer.language)
    data = await _composer(request, viewer, entry, network, caption)
    return page(
        request, viewer, "employee/compose.html", title=_("Share: %(title)s", title=entry.title), data=data,
        form=form, status_code=form.status if form else 200,
    )  # fmt: skip


def _network(entry: FeedEntry, asked: str | None) -> NetworkCode:
    offered = _networks(entry)
    return next((n for n in offered if n == asked), offered[0])


@get("/compose/{item_id:uuid}", guards=[ANY_PERSON], include_in_schema=False)
async def compose_page(request: Request[Any, Any, Any], item_id: FromPath[UUID]) -> Response[Any]:
    viewer = await viewer_of(request)
    try:
        entry = await _entry(request, item_id)
    except NotAnAmbassador:
        return Redirect("/", status_code=303)
    # composer.js carries what was typed to another network's tab (`caption`); the charter's bound applies
    typed = request.query_params.get("caption")
    caption = typed[:MAX_TEXT_LENGTH] if typed else None
    return await _render(
        request, viewer, entry, _network(entry, request.query_params.get("network")), caption
    )


def _applied(caption: str, fix: str, composer_findings: list[FindingView]) -> str:
    """The caption with the chosen finding's suggestion in place of its span (a form without JavaScript)."""
    chosen = next((f for f in composer_findings if str(f.index) == fix), None)
    if chosen is None or chosen.finding.suggestion is None:
        return caption
    start = chosen.start if chosen.start < len(caption) else len(caption.rstrip())
    return caption[:start] + chosen.finding.suggestion + caption[max(chosen.end, start) :]


@post("/compose/{item_id:uuid}", guards=[ANY_PERSON], include_in_schema=False, status_code=200)
async def compose_submit(request: Request[Any, Any, Any], item_id: FromPath[UUID]) -> Response[Any]:
    """Check, fix, add the disclosure, or share: every button of the composer posts here."""
    principal = signed_in(request)
    state = request.app.state
    form = await read_form(request)
    check_csrf(principal, form)
    viewer = await viewer_of(request)
    try:
        entry = await _entry(request, item_id)
    except NotAnAmbassador:
        return Redirect("/", status_code=303)
    network = _network(entry, form.get("network"))
    # Browsers post a textarea's line ends as CRLF; the script and the API see LF: count and check the same.
    caption = form.get("caption").replace("\r\n", "\n")
    action = form.get("action")
    if form.get("fix"):
        composer = await _composer(request, viewer, entry, network, caption)
        return await _render(
            request, viewer, entry, network, _applied(caption, form.get("fix"), composer.findings)
        )
    if action == "disclose":
        tag = (await charter.composer_rules(state.db, state.charters, network, entry.language)).disclosure_tag
        return await _render(request, viewer, entry, network, f"{caption.rstrip()} {tag}" if tag else caption)
    if action != "share":
        return await _render(request, viewer, entry, network, caption)
    composer = await _composer(request, viewer, entry, network, caption)
    try:
        body = ShareCreate(
            item=entry.id, network=network, caption=composer.caption or " ", language=entry.language,
            images=[entry.images[0].id] if entry.images and composer.preview.image else [],
            mode="direct" if form.get("mode") == "direct" else "share_page",
            acknowledge_warnings=form.get("acknowledge") == "yes",
            schedule_if_not_now=form.get("schedule") == "yes",
        )  # fmt: skip
        share = await shares.create_share(
            state.db, state.charters, state.links.visitors, principal, body, share_context(request)
        )
    except (DomainError, msgspec.ValidationError) as exc:
        problem = _problem(exc, form, viewer)
        return await _render(request, viewer, entry, network, caption, problem)
    return Redirect(f"/compose/shares/{share.id}", status_code=303)


# A share the sharing hours or daily limits hold back: the composer offers to schedule it for when it may go.
NOT_NOW = ("outside-sharing-hours", "daily-limit", "network-daily-limit")


def _problem(exc: BaseException, form: FormData, viewer: Viewer) -> FormState:
    _ = translator(viewer.language)
    reason = exc.extra.get("reason") if isinstance(exc, DomainError) else None
    field = "acknowledge" if reason == "warnings-not-acknowledged" else "caption"
    field = "schedule" if reason in NOT_NOW else field
    messages = {"acknowledge": _("Tick the box to say you read the warnings")}
    return form_problem(exc, form, fields={"post_url": "caption"}, messages=messages, otherwise=field)


COMPOSE_PAGES = [compose_page, compose_submit]
