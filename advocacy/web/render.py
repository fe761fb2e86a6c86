"""What every page knows about its reader (the Viewer: language, time zone, roles, CSRF token, navigation)
and `page()`, which hands a template the page's Struct together with the Viewer and the translations."""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import quote

import msgspec
from litestar import Request
from litestar.response import Redirect, Template

from advocacy.ambassadors.schemas import AmbassadorStatus
from advocacy.ambassadors.service import status_from_row
from advocacy.auth.schemas import Principal
from advocacy.core.i18n import set_language
from advocacy.people import service as people
from advocacy.web.i18n import (
    LANGUAGE_COOKIE,
    LANGUAGE_NAMES,
    LANGUAGES,
    Formats,
    Language,
    negotiate,
    translator,
)
from advocacy.web.nav import Navigation, grouped
from content_library.ports import now

APP_NAME = "Advocacy"


class Chrome(msgspec.Struct, frozen=True, kw_only=True):
    """The layout's own words in one language, translated once per process rather than on every page."""

    error: str
    skip: str
    sign_out: str
    main: str
    signed_in_as: str  # with a %(name)s placeholder
    api_docs: str
    more: str  # the navigation's disclosure of the entries beyond the primary row


@functools.cache
def chrome(language: Language) -> Chrome:
    _ = translator(language)
    return Chrome(
        error=_("Error"),
        skip=_("Skip to main content"),
        sign_out=_("Sign out"),
        main=_("Main"),
        signed_in_as=_("Signed in as %(name)s"),
        api_docs=_("API documentation"),
        more=_("More"),
    )


class Viewer(msgspec.Struct, frozen=True, kw_only=True):
    """Who reads the page; the layout draws the header, navigation and language switch from it."""

    language: Language
    timezone: str
    signed_in: bool
    display_name: str = ""
    roles: frozenset[str] = frozenset()
    csrf: str = ""
    ambassador: AmbassadorStatus | None = None

    @property
    def other_languages(self) -> list[tuple[Language, str]]:
        return [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES if code != self.language]


async def viewer_of(request: Request[Any, Any, Any]) -> Viewer:
    """The reader of this request: a signed-in person from their cached row (no query when cached). The
    request speaks the reader's language from here on (a service's problem detail included)."""
    viewer = await _viewer(request)
    set_language(viewer.language)
    return viewer


async def _viewer(request: Request[Any, Any, Any]) -> Viewer:
    state = request.app.state
    principal: Principal | None = request.scope.get("user")
    default = state.settings.default_language
    if principal is None:
        language = negotiate(
            preference=None,
            cookie=request.cookies.get(LANGUAGE_COOKIE),
            accept_language=request.headers.get("accept-language"),
            default=default,
        )
        return Viewer(language=language, timezone="Europe/Paris", signed_in=False)
    row = await people.my_row(state.db, state.principal_cache, principal.person_id)
    language = negotiate(
        preference=row.person.language, cookie=None, accept_language=request.headers.get("accept-language"),
        default=default,
    )  # fmt: skip
    return Viewer(
        language=language,
        timezone=row.person.timezone or "UTC",
        signed_in=True,
        display_name=row.person.display_name,
        roles=principal.roles,
        csrf=principal.csrf_token or "",
        ambassador=status_from_row(row.consent, row.consent.active_charter_version, now()),
    )


def page(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    template: str,
    *,
    title: str,
    data: Any = None,
    form: Any = None,
    status_code: int = 200,
) -> Template:
    """Render `template` with the page's data Struct; `title` (already translated) names the page in
    <title> and is the <h1> unless the template writes its own."""
    _ = translator(viewer.language)
    nav = Navigation()
    if viewer.signed_in:
        found = grouped(viewer.roles, request.url.path)
        nav = Navigation(
            primary=[msgspec.structs.replace(e, label=_(e.label)) for e in found.primary],
            more=[msgspec.structs.replace(e, label=_(e.label)) for e in found.more],
        )
    return Template(
        template,
        context={
            "language": viewer.language,
            "chrome": chrome(viewer.language),
            "viewer": viewer,
            "fmt": Formats(viewer.language, viewer.timezone),
            "nav": nav,
            "title": title,
            "app_name": APP_NAME,
            "page": data,
            "form": form,
            "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        },
        status_code=status_code,
    )


def to_login(request: Request[Any, Any, Any]) -> Redirect:
    """Send a signed-out reader to sign in, coming back here afterwards."""
    return Redirect(f"/login?next={quote(request.url.path, safe='/')}", status_code=303)


def safe_next(value: str | None, default: str = "/") -> str:
    """A same-site path to go back to (an absolute or protocol-relative address is refused)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value
