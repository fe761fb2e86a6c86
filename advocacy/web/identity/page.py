"""What every identity page shares: the Page struct its one template (identity/page.html) shows, the page's
language, rendering, the fields and links several pages repeat, and the check of a signed-in person's form.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from typing import Any

import msgspec
import segno
from litestar import Request, Response
from litestar.response import Redirect, Template
from markupsafe import Markup

from advocacy.auth.schemas import Principal
from advocacy.core.errors import DomainError
from advocacy.core.i18n import _, use_language
from advocacy.core.language import LanguageCode
from advocacy.identity.schemas import TotpEnrolment
from advocacy.web.forms import FormState
from advocacy.web.i18n import LANGUAGE_COOKIE, negotiate
from advocacy.web.render import page as render_page
from advocacy.web.render import viewer_of

# A link's token is in the page's address: no other site may see it in a Referer.
PRIVATE_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


class Field(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    label: str
    type: str = "text"
    autocomplete: str = ""
    hint: str = ""
    value: str = ""


class Form(msgspec.Struct, frozen=True, kw_only=True):
    action: str
    submit: str
    fields: list[Field]
    hidden: dict[str, str] = msgspec.field(default_factory=dict)


class Link(msgspec.Struct, frozen=True, kw_only=True):
    href: str
    text: str


class Page(msgspec.Struct, frozen=True, kw_only=True):
    heading: str
    lead: str = ""
    form: Form | None = None
    links: list[Link] = msgspec.field(default_factory=list)
    errors: dict[str, str] = msgspec.field(default_factory=dict)
    # an inline SVG (segno's, from our own otpauth URI): shown as is
    qr_code: Markup | None = None


def language_of(request: Request[Any, Any, Any]) -> str:
    """The page's language, chosen as every page's is (advocacy/web/i18n.py)."""
    user: Principal | None = request.scope.get("user")
    return negotiate(
        preference=user.language if user is not None else None,
        cookie=request.cookies.get(LANGUAGE_COOKIE),
        accept_language=request.headers.get("accept-language"),
        default=request.app.state.settings.default_language,
    )


def speaking(request: Request[Any, Any, Any]) -> AbstractContextManager[LanguageCode]:
    """The page's texts, built before rendering, in the page's language."""
    return use_language(language_of(request))


async def render(request: Request[Any, Any, Any], page: Page, *, status: int = 200) -> Template:
    """The page in the common layout; its form's values and errors go through the form components."""
    viewer = await viewer_of(request)
    form = None
    if page.form is not None or page.errors:
        form = FormState(
            values={f.name: f.value for f in page.form.fields} if page.form else {},
            errors={name: message for name, message in page.errors.items() if name},
            detail=page.errors.get("", ""),
            status=status,
        )
    response = render_page(
        request, viewer, "identity/page.html", title=page.heading, data=page, form=form, status_code=status
    )
    response.headers.update(PRIVATE_HEADERS)
    return response


def field_errors(exc: DomainError) -> dict[str, str]:
    listed = exc.extra.get("errors") or []
    return {e["field"]: e["message"] for e in listed} or {"": exc.detail}


def sign_in_link() -> Link:
    return Link(href="/login", text=_("Sign in"))


def home_link() -> Link:
    return Link(href="/", text=_("Back to the home page"))


def new_password_field(name: str = "password") -> Field:
    return Field(
        name=name,
        label=_("New password"),
        type="password",
        autocomplete="new-password",
        hint=_(
            "At least 12 characters. A few unrelated words make a strong password that is easy to remember."
        ),
    )


def current_password_field() -> Field:
    return Field(
        name="current_password", label=_("Current password"), type="password", autocomplete="current-password"
    )


def code_field(*, hint: bool) -> Field:
    """The authenticator's code; `hint` says a recovery code is taken too."""
    return Field(
        name="code",
        label=_("Code from your authenticator app"),
        autocomplete="one-time-code",
        hint=_("6 digits; or one of your recovery codes if you lost your device.") if hint else "",
    )


def enrolment_page(enrolment: TotpEnrolment, *, form: Form, required: bool = False) -> Page:
    """Setting up an authenticator app: a QR code to scan, the key to type, the otpauth link on a phone."""
    lead = _(
        "Scan this code with an authenticator app (or type the key, or open the link below on your phone),"
        " then enter the code it shows. Key: %(secret)s",
        secret=enrolment.secret,
    )
    if required:
        lead = _("Your organisation requires a second factor for your role.") + " " + lead
    qr = segno.make(enrolment.otpauth_uri, error="m")
    return Page(
        heading=_("Set up your second factor"),
        lead=lead,
        form=form,
        # segno writes the SVG itself and escapes the title: nothing of the page's input is left raw
        qr_code=Markup(  # noqa: S704
            qr.svg_inline(omitsize=True, dark="#000", light="#fff", title=_("QR code of your key"))
        ),
        links=[Link(href=enrolment.otpauth_uri, text=_("Open in an authenticator app"))],
    )


def recovery_codes_page(codes: list[str]) -> Page:
    return Page(
        heading=_("Keep your recovery codes"),
        lead=_(
            "Each of these codes signs you in once if you lose your device. Keep them somewhere"
            " safe: they are not shown again. %(codes)s",
            codes=" · ".join(codes),
        ),
        links=[Link(href="/", text=_("Continue"))],
    )


async def gone_page(
    request: Request[Any, Any, Any], exc: DomainError, heading: str, *, retry: Link
) -> Template:
    return await render(request, Page(heading=heading, lead=exc.detail, links=[retry]), status=exc.status)


def session_principal(request: Request[Any, Any, Any]) -> Principal | None:
    """The person signed in by a session cookie (a form's sender; an API token posts no forms)."""
    principal: Principal | None = request.scope.get("user")
    return principal if principal is not None and principal.via == "session" else None


def session_token(request: Request[Any, Any, Any]) -> str | None:
    """This session's token: a change that ends the person's other sessions keeps this one."""
    session = request.scope.get("auth")
    return session if isinstance(session, str) else None


async def form_sender(
    request: Request[Any, Any, Any], csrf: str, again: Callable[[Principal], Awaitable[Page]]
) -> Principal | Response[Any]:
    """The session's person who sent a form of ours; otherwise the answer: sign in, or the page `again`
    builds shown with "expired" (a session cookie rides along with a forged cross-site form: its CSRF field
    proves it is ours). Call it within `speaking`."""
    principal = session_principal(request)
    if principal is None:
        return Redirect("/login", status_code=303)
    if not (principal.csrf_token and hmac.compare_digest(principal.csrf_token, csrf)):
        page = msgspec.structs.replace(
            await again(principal), errors={"": _("The form has expired: try again.")}
        )
        return await render(request, page, status=403)
    return principal
