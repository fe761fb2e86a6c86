"""The landing pages of the comms, compliance, HR and administration areas: each says what the area will
hold and where its API is until its pages are built (they replace these, keeping the paths and guards)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get
from litestar.response import Template

from advocacy.core.roles import Role
from advocacy.http.guards import Allow
from advocacy.web.i18n import N_, translator
from advocacy.web.render import page, viewer_of


class AreaPage(msgspec.Struct, frozen=True, kw_only=True):
    summary: str  # an English message id
    api_tag: str


async def _area(request: Request[Any, Any, Any], title: str, summary: str, api_tag: str) -> Template:
    viewer = await viewer_of(request)
    _ = translator(viewer.language)
    return page(
        request, viewer, "areas/area.html", title=_(title), data=AreaPage(summary=summary, api_tag=api_tag)
    )


@get("/studio", guards=[Allow(Role.CURATOR, Role.REVIEWER)], include_in_schema=False)
async def studio(request: Request[Any, Any, Any]) -> Template:
    return await _area(
        request,
        N_("Library"),
        N_("Curate posts, campaigns and sources, and review what waits for approval."),
        "content",
    )


@get("/compliance", guards=[Allow(Role.COMPLIANCE)], include_in_schema=False)
async def compliance(request: Request[Any, Any, Any]) -> Template:
    return await _area(
        request,
        N_("Compliance"),
        N_("Decide on held shares, edit and activate the charter, read the audit trail."),
        "charter",
    )


@get("/hr", guards=[Allow(Role.HR)], include_in_schema=False)
async def hr(request: Request[Any, Any, Any]) -> Template:
    return await _area(
        request,
        N_("Recognition"),
        N_("Run rewards, kudos, recognition periods and challenges; follow participation."),
        "incentives",
    )


@get("/admin", guards=[Allow(Role.ADMIN)], include_in_schema=False)
async def admin(request: Request[Any, Any, Any]) -> Template:
    return await _area(
        request, N_("Administration"), N_("Manage people and teams, settings and operations."), "people"
    )


AREA_PAGES = [studio, compliance, hr, admin]
