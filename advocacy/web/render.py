"""What every page knows about its reader (the Viewer: language, time zone, roles, CSRF token, navigation)
and `page()`, which hands a template the page's Struct together with the Viewer and the translations."""

from __future__ import annotations

import functools
from collections.abc import Hashable
from typing import Any
from urllib.parse import quote

import msgspec
from cachetools import LRUCache
from litestar import Request
from litestar.datastructures import State
from litestar.enums import MediaType
from litestar.response import Redirect, Response, Template
from markupsafe import escape

from advocacy.ambassadors.schemas import AmbassadorStatus
from advocacy.ambassadors.service import status_from_row
from advocacy.auth.schemas import Principal
from advocacy.core.i18n import set_language
from advocacy.http.middleware import header
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
        preference=row.person.language, cookie=None, accept_language=header(request.scope, b"accept-language"),
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


@functools.lru_cache(maxsize=1024)
def _navigation(language: Language, roles: frozenset[str], path: str) -> Navigation:
    """The navigation translated, once per language, roles and path (every page draws it)."""
    _ = translator(language)
    found = grouped(roles, path)
    return Navigation(
        primary=[msgspec.structs.replace(e, label=_(e.label)) for e in found.primary],
        more=[msgspec.structs.replace(e, label=_(e.label)) for e in found.more],
    )


def _here(request: Request[Any, Any, Any]) -> tuple[str, str]:
    """(path, path with its query string), from the scope (no URL object built)."""
    scope = request.scope
    path: str = scope["path"]
    query: bytes = scope.get("query_string", b"")
    return path, path + "?" + query.decode("latin-1") if query else path


def _context(viewer: Viewer, *, path: str, here: str, title: str, data: Any, form: Any) -> dict[str, Any]:
    return {
        "language": viewer.language,
        "chrome": chrome(viewer.language),
        "viewer": viewer,
        "fmt": Formats(viewer.language, viewer.timezone),
        "nav": _navigation(viewer.language, viewer.roles, path) if viewer.signed_in else Navigation(),
        "title": title,
        "app_name": APP_NAME,
        "page": data,
        "form": form,
        "here": here,
    }


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
    path, here = _here(request)
    return Template(
        template,
        context=_context(viewer, path=path, here=here, title=title, data=data, form=form),
        status_code=status_code,
        media_type=MediaType.HTML,  # not guessed from the template's name on every page
    )


# The two things of a page that belong to its reader alone, drawn as markers in a shell shared by readers
# who see the same page otherwise (private-use characters: autoescaping leaves them as they are).
_CSRF_MARK = "\ue000csrf\ue000"
_NAME_MARK = "\ue000name\ue000"


class PageShells:
    """Whole pages rendered once for everyone who sees the same page, with the reader's CSRF token and name
    left as markers filled per request: the layout's Jinja (most of a cached page's cost) runs once per
    language, roles, address and content instead of once per request."""

    def __init__(self, size: int = 2_000) -> None:
        self.html: LRUCache[Hashable, str] = LRUCache(maxsize=size)


def page_shells(state: State) -> PageShells:
    found: PageShells | None = getattr(state, "page_shells", None)
    if found is None:
        found = state.page_shells = PageShells()
    return found


def shared_page(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    template: str,
    *,
    key: Hashable,
    title: str,
    data: Any = None,
    form: Any = None,
) -> Response[bytes]:
    """`page()` for a page whose `data` and `form` are fully named by `key` (e.g. a cached feed page): the
    same HTML as `page()` would render, from a shell shared across readers (see PageShells)."""
    path, here = _here(request)
    shells = page_shells(request.app.state).html
    anonymous = msgspec.structs.replace(viewer, csrf=_CSRF_MARK, display_name=_NAME_MARK)
    shell_key = (template, key, title, here, anonymous)
    shell = shells.get(shell_key)
    if shell is None:
        engine = request.app.template_engine
        assert engine is not None  # create_app configures the pages' Jinja engine
        context = _context(anonymous, path=path, here=here, title=title, data=data, form=form)
        shell = shells[shell_key] = engine.get_template(template).render(**context)
    html = shell.replace(_CSRF_MARK, escape(viewer.csrf)).replace(_NAME_MARK, escape(viewer.display_name))
    return Response(html.encode(), media_type=MediaType.HTML)


def to_login(request: Request[Any, Any, Any]) -> Redirect:
    """Send a signed-out reader to sign in, coming back here afterwards."""
    return Redirect(f"/login?next={quote(request.url.path, safe='/')}", status_code=303)


def safe_next(value: str | None, default: str = "/") -> str:
    """A same-site path to go back to (an absolute or protocol-relative address is refused)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value
