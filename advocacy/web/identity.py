"""Identity pages (no JavaScript needed): accept an invitation, forgot and reset a password, change it.

Each page is one generic template (identity/page.html) fed a Page struct: a heading, a lead, maybe a form
(label, field, error next to it, an error summary) and links. Forms post to these routes, which call the
same services as the API and show a refusal next to its field.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Redirect, Template

from advocacy.auth.controllers import session_cookie
from advocacy.auth.schemas import Principal
from advocacy.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    TooManyRequests,
    Unauthenticated,
)
from advocacy.core.i18n import _, use_language
from advocacy.http.deps import DbDep, LimiterDep, SettingsDep
from advocacy.http.guards import PUBLIC
from advocacy.http.middleware import client_address
from advocacy.identity import second_factor, service
from advocacy.identity.errors import LinkGone, SecondFactorRequired
from advocacy.identity.schemas import ChangePassword, SecondFactorOff
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


class TokenForm(msgspec.Struct, frozen=True, kw_only=True):
    token: str = ""
    password: str = ""


class EmailForm(msgspec.Struct, frozen=True, kw_only=True):
    email: str = ""


class ChangeForm(msgspec.Struct, frozen=True, kw_only=True):
    csrf: str = ""
    current_password: str = ""
    new_password: str = ""


def language_of(request: Request[Any, Any, Any], settings: SettingsDep) -> str:
    """The page's language, chosen as every page's is (advocacy/web/i18n.py)."""
    user: Principal | None = request.scope.get("user")
    return negotiate(
        preference=user.language if user is not None else None,
        cookie=request.cookies.get(LANGUAGE_COOKIE),
        accept_language=request.headers.get("accept-language"),
        default=settings.default_language,
    )


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


async def gone_page(
    request: Request[Any, Any, Any], exc: DomainError, heading: str, *, retry: Link
) -> Template:
    return await render(request, Page(heading=heading, lead=exc.detail, links=[retry]), status=exc.status)


# ---- invitations ----


def invitation_form(token: str, email: str) -> Form:
    return Form(
        action="/invitation",
        submit=_("Set my password"),
        hidden={"token": token},
        fields=[new_password_field()],
    )


@get("/invitation", guards=[PUBLIC], include_in_schema=False)
async def invitation_page(
    request: Request[Any, Any, Any], db: DbDep, settings: SettingsDep, token: FromQuery[str] = ""
) -> Template:
    with use_language(language_of(request, settings)):
        try:
            preview = await service.preview_invitation(db, token)
        except (NotFound, LinkGone) as exc:
            return await gone_page(
                request, exc, _("This invitation link does not work"), retry=sign_in_link()
            )
        return await render(
            request,
            Page(
                heading=_("Welcome, %(name)s", name=preview.display_name),
                lead=_("Choose the password you will sign in with, as %(email)s.", email=preview.email),
                form=invitation_form(token, preview.email),
            ),
        )


@post("/invitation", guards=[PUBLIC], include_in_schema=False)
async def invitation_submit(
    request: Request[Any, Any, Any],
    data: Annotated[TokenForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    db: DbDep,
    settings: SettingsDep,
) -> Template:
    with use_language(language_of(request, settings)):
        try:
            await service.accept_invitation(db, request.app.state.principal_cache, data.token, data.password)
        except (NotFound, LinkGone) as exc:
            return await gone_page(
                request, exc, _("This invitation link does not work"), retry=sign_in_link()
            )
        except Invalid as exc:
            preview = await service.preview_invitation(db, data.token)
            return await render(
                request,
                Page(
                    heading=_("Welcome, %(name)s", name=preview.display_name),
                    lead=_("Choose the password you will sign in with, as %(email)s.", email=preview.email),
                    form=invitation_form(data.token, preview.email),
                    errors=field_errors(exc),
                ),
                status=422,
            )
        return await render(
            request,
            Page(heading=_("Your password is set"), lead=_("Sign in with it now."), links=[sign_in_link()]),
        )


# ---- forgot and reset ----

FORGOT_LINK = "/password/forgot"


def forgot_form(email: str = "") -> Form:
    return Form(
        action=FORGOT_LINK,
        submit=_("Send me a reset link"),
        fields=[
            Field(name="email", label=_("E-mail address"), type="email", autocomplete="email", value=email)
        ],
    )


@get("/password/forgot", guards=[PUBLIC], include_in_schema=False)
async def forgot_page(request: Request[Any, Any, Any], settings: SettingsDep) -> Template:
    with use_language(language_of(request, settings)):
        return await render(
            request,
            Page(
                heading=_("Forgot your password?"),
                lead=_("Give the e-mail address you sign in with: we send a link to choose a new password."),
                form=forgot_form(),
            ),
        )


@post("/password/forgot", guards=[PUBLIC], include_in_schema=False)
async def forgot_submit(
    request: Request[Any, Any, Any],
    data: Annotated[EmailForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    db: DbDep,
    limiter: LimiterDep,
    settings: SettingsDep,
) -> Template:
    with use_language(language_of(request, settings)):
        email = data.email.strip()
        if "@" not in email or len(email) > 254:
            return await render(
                request,
                Page(
                    heading=_("Forgot your password?"),
                    form=forgot_form(email),
                    errors={"email": _("Enter an e-mail address, like name@example.com")},
                ),
                status=422,
            )
        try:
            await service.forgot_password(
                db, limiter, settings, email=email, client=client_address(request.scope)
            )
        except TooManyRequests as exc:
            response = await render(
                request,
                Page(
                    heading=_("Forgot your password?"),
                    form=forgot_form(email),
                    errors={"email": _("Too many requests: wait a while before asking again.")},
                ),
                status=429,
            )
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        return await render(
            request,
            Page(
                heading=_("Check your e-mail"),
                lead=_(
                    "If %(email)s belongs to an account, a link to choose a new password is on its way. It works"
                    " once, for a short while.",
                    email=email,
                ),
                links=[sign_in_link()],
            ),
        )


def reset_form(token: str) -> Form:
    return Form(
        action="/password/reset",
        submit=_("Save my new password"),
        hidden={"token": token},
        fields=[new_password_field()],
    )


def forgot_again_link() -> Link:
    return Link(href=FORGOT_LINK, text=_("Ask for a new link"))


@get("/password/reset", guards=[PUBLIC], include_in_schema=False)
async def reset_page(
    request: Request[Any, Any, Any], db: DbDep, settings: SettingsDep, token: FromQuery[str] = ""
) -> Template:
    with use_language(language_of(request, settings)):
        try:
            await service.check_reset_link(db, token)
        except (NotFound, LinkGone) as exc:
            return await gone_page(
                request, exc, _("This reset link does not work"), retry=forgot_again_link()
            )
        return await render(request, Page(heading=_("Choose a new password"), form=reset_form(token)))


@post("/password/reset", guards=[PUBLIC], include_in_schema=False)
async def reset_submit(
    request: Request[Any, Any, Any],
    data: Annotated[TokenForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    db: DbDep,
    settings: SettingsDep,
) -> Template:
    with use_language(language_of(request, settings)):
        try:
            await service.reset_password(
                db, request.app.state.principal_cache, settings, data.token, data.password
            )
        except (NotFound, LinkGone) as exc:
            return await gone_page(
                request, exc, _("This reset link does not work"), retry=forgot_again_link()
            )
        except Invalid as exc:
            return await render(
                request,
                Page(
                    heading=_("Choose a new password"), form=reset_form(data.token), errors=field_errors(exc)
                ),
                status=422,
            )
        return await render(
            request,
            Page(
                heading=_("Your password is changed"),
                lead=_("You were signed out everywhere. Sign in with your new password."),
                links=[sign_in_link()],
            ),
        )


# ---- change (signed in) ----


def change_form(csrf: str) -> Form:
    return Form(
        action="/account/password",
        submit=_("Change my password"),
        hidden={"csrf": csrf},
        fields=[
            Field(
                name="current_password",
                label=_("Current password"),
                type="password",
                autocomplete="current-password",
            ),
            new_password_field("new_password"),
        ],
    )


@get("/account/password", guards=[PUBLIC], include_in_schema=False)
async def change_page(request: Request[Any, Any, Any], settings: SettingsDep) -> Response[Any]:
    principal: Principal | None = request.scope.get("user")
    if principal is None:
        return Redirect("/login?next=/account/password", status_code=303)
    with use_language(language_of(request, settings)):
        return await render(
            request,
            Page(
                heading=_("Change your password"),
                lead=_("Your other sessions end when you change it; this one stays."),
                form=change_form(principal.csrf_token or ""),
            ),
        )


@post("/account/password", guards=[PUBLIC], include_in_schema=False)
async def change_submit(
    request: Request[Any, Any, Any],
    data: Annotated[ChangeForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    db: DbDep,
    limiter: LimiterDep,
    settings: SettingsDep,
) -> Response[Any]:
    principal: Principal | None = request.scope.get("user")
    if principal is None or principal.via != "session":
        return Redirect("/login", status_code=303)
    with use_language(language_of(request, settings)):
        if not (principal.csrf_token and hmac.compare_digest(principal.csrf_token, data.csrf)):
            return await render(
                request,
                Page(
                    heading=_("Change your password"),
                    form=change_form(principal.csrf_token or ""),
                    errors={"": _("The form has expired: try again.")},
                ),
                status=403,
            )
        session = request.scope.get("auth")
        try:
            await service.change_password(
                db,
                request.app.state.principal_cache,
                limiter,
                settings,
                principal,
                ChangePassword(current_password=data.current_password or "-", new_password=data.new_password),
                session_token=session if isinstance(session, str) else None,
            )
        except (Invalid, TooManyRequests) as exc:
            errors = field_errors(exc) if isinstance(exc, Invalid) else {"current_password": exc.detail}
            return await render(
                request,
                Page(
                    heading=_("Change your password"),
                    form=change_form(principal.csrf_token or ""),
                    errors=errors,
                ),
                status=exc.status,
            )
        return await render(
            request,
            Page(
                heading=_("Your password is changed"),
                lead=_("Your other sessions were ended."),
                links=[Link(href="/", text=_("Back to the home page"))],
            ),
        )


IDENTITY_PAGES = [
    invitation_page,
    invitation_submit,
    forgot_page,
    forgot_submit,
    reset_page,
    reset_submit,
    change_page,
    change_submit,
]


# ---- the second step of signing in ----


class CodeForm(msgspec.Struct, frozen=True, kw_only=True):
    challenge: str = ""
    code: str = ""


def code_form(challenge: str) -> Form:
    return Form(
        action="/login/second-factor",
        submit=_("Sign in"),
        hidden={"challenge": challenge},
        fields=[
            Field(
                name="code",
                label=_("Code from your authenticator app"),
                autocomplete="one-time-code",
                hint=_("6 digits; or one of your recovery codes if you lost your device."),
            )
        ],
    )


async def second_factor_page(
    db: DbDep, settings: SettingsDep, challenge: str, *, enrol: bool, errors: dict[str, str] | None = None
) -> Page:
    if not enrol:
        return Page(heading=_("Second factor"), form=code_form(challenge), errors=errors or {})
    enrolment = await second_factor.enrol_at_sign_in(db, settings, challenge)
    return Page(
        heading=_("Set up your second factor"),
        lead=_(
            "Your organisation requires a second factor for your role. Add this key to an authenticator app"
            " (or open the otpauth link on your phone), then enter the code it shows. Key: %(secret)s",
            secret=enrolment.secret,
        ),
        form=code_form(challenge),
        links=[Link(href=enrolment.otpauth_uri, text=_("Open in an authenticator app"))],
        errors=errors or {},
    )


async def second_factor_step(
    request: Request[Any, Any, Any],
    language: str,
    db: DbDep,
    settings: SettingsDep,
    exc: SecondFactorRequired,
) -> Template:
    """What the login form shows once the password was right and a code is still needed."""
    with use_language(language):
        page = await second_factor_page(
            db, settings, str(exc.extra["challenge"]), enrol=bool(exc.extra.get("enrolment_required"))
        )
        return await render(request, page, status=200)


@post("/login/second-factor", guards=[PUBLIC], include_in_schema=False)
async def second_factor_submit(
    request: Request[Any, Any, Any],
    data: Annotated[CodeForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    db: DbDep,
    settings: SettingsDep,
) -> Response[Any]:
    with use_language(language_of(request, settings)):
        try:
            done = await second_factor.complete_sign_in(db, settings, data.challenge, data.code or "-")
        except Unauthenticated as exc:
            # Not 401 (that promises a WWW-Authenticate challenge): the form's sign-in has run out
            return await render(
                request, Page(heading=_("Sign in again"), lead=exc.detail, links=[sign_in_link()]), status=422
            )
        except (Invalid, Conflict) as exc:
            page = Page(heading=_("Second factor"), form=code_form(data.challenge), errors=field_errors(exc))
            return await render(request, page, status=exc.status)
        cookie = session_cookie(settings, done.session.token, max_age=settings.session_ttl_hours * 3600)
        if done.recovery_codes:
            response = await render(
                request,
                Page(
                    heading=_("Keep your recovery codes"),
                    lead=_(
                        "Each of these codes signs you in once if you lose your device. Keep them somewhere"
                        " safe: they are not shown again. %(codes)s",
                        codes=" · ".join(done.recovery_codes),
                    ),
                    links=[Link(href="/", text=_("Continue"))],
                ),
            )
            response.cookies.append(cookie)
            return response
        redirect = Redirect("/", status_code=303)
        redirect.cookies.append(cookie)
        return redirect


IDENTITY_PAGES.append(second_factor_submit)


# ---- second factor (signed in) ----

SECOND_FACTOR_PATH = "/account/second-factor"


class SecondFactorForm(msgspec.Struct, frozen=True, kw_only=True):
    csrf: str = ""
    code: str = ""
    current_password: str = ""


def _session_principal(request: Request[Any, Any, Any]) -> Principal | None:
    principal: Principal | None = request.scope.get("user")
    return principal if principal is not None and principal.via == "session" else None


def _form_is_ours(principal: Principal, given: str) -> bool:
    return bool(principal.csrf_token and hmac.compare_digest(principal.csrf_token, given))


def confirm_form(csrf: str) -> Form:
    return Form(
        action=f"{SECOND_FACTOR_PATH}/confirm",
        submit=_("Turn on"),
        hidden={"csrf": csrf},
        fields=[
            Field(name="code", label=_("Code from your authenticator app"), autocomplete="one-time-code")
        ],
    )


def turn_off_form(csrf: str) -> Form:
    return Form(
        action=f"{SECOND_FACTOR_PATH}/disable",
        submit=_("Turn off"),
        hidden={"csrf": csrf},
        fields=[
            Field(
                name="current_password",
                label=_("Current password"),
                type="password",
                autocomplete="current-password",
            ),
            Field(
                name="code",
                label=_("Code from your authenticator app"),
                autocomplete="one-time-code",
                hint=_("6 digits; or one of your recovery codes if you lost your device."),
            ),
        ],
    )


async def _second_factor_home(db: DbDep, principal: Principal, errors: dict[str, str] | None = None) -> Page:
    state = await second_factor.status(db, principal)
    csrf = principal.csrf_token or ""
    if state.enabled:
        return Page(
            heading=_("Second factor"),
            lead=_("Your second factor is on: signing in asks for a code from your authenticator app."),
            form=None if state.required else turn_off_form(csrf),
            errors=errors or {},
        )
    return Page(
        heading=_("Second factor"),
        lead=_("Signing in can also ask for a code from an authenticator app on your phone."),
        form=Form(action=f"{SECOND_FACTOR_PATH}/start", submit=_("Set up"), hidden={"csrf": csrf}, fields=[]),
        errors=errors or {},
    )


@get(SECOND_FACTOR_PATH, guards=[PUBLIC], include_in_schema=False)
async def second_factor_account_page(
    request: Request[Any, Any, Any], db: DbDep, settings: SettingsDep
) -> Response[Any]:
    principal = _session_principal(request)
    if principal is None:
        return Redirect(f"/login?next={SECOND_FACTOR_PATH}", status_code=303)
    with use_language(language_of(request, settings)):
        return await render(request, await _second_factor_home(db, principal))


@post(f"{SECOND_FACTOR_PATH}/start", guards=[PUBLIC], include_in_schema=False)
async def second_factor_start(
    request: Request[Any, Any, Any],
    data: Annotated[SecondFactorForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    db: DbDep,
    settings: SettingsDep,
) -> Response[Any]:
    principal = _session_principal(request)
    if principal is None:
        return Redirect("/login", status_code=303)
    with use_language(language_of(request, settings)):
        if not _form_is_ours(principal, data.csrf):
            return await render(
                request,
                await _second_factor_home(db, principal, {"": _("The form has expired: try again.")}),
                status=403,
            )
        try:
            enrolment = await second_factor.begin_enrolment(db, settings, principal)
        except Conflict as exc:
            return await render(
                request, await _second_factor_home(db, principal, {"": exc.detail}), status=409
            )
        return await render(
            request,
            Page(
                heading=_("Set up your second factor"),
                lead=_(
                    "Add this key to an authenticator app (or open the otpauth link on your phone), then enter"
                    " the code it shows. Key: %(secret)s",
                    secret=enrolment.secret,
                ),
                form=confirm_form(principal.csrf_token or ""),
                links=[Link(href=enrolment.otpauth_uri, text=_("Open in an authenticator app"))],
            ),
        )


@post(f"{SECOND_FACTOR_PATH}/confirm", guards=[PUBLIC], include_in_schema=False)
async def second_factor_confirm(
    request: Request[Any, Any, Any],
    data: Annotated[SecondFactorForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    db: DbDep,
    limiter: LimiterDep,
    settings: SettingsDep,
) -> Response[Any]:
    principal = _session_principal(request)
    if principal is None:
        return Redirect("/login", status_code=303)
    with use_language(language_of(request, settings)):
        if not _form_is_ours(principal, data.csrf):
            return await render(
                request,
                await _second_factor_home(db, principal, {"": _("The form has expired: try again.")}),
                status=403,
            )
        session = request.scope.get("auth")
        try:
            codes = await second_factor.confirm_enrolment(
                db,
                limiter,
                request.app.state.principal_cache,
                settings,
                principal,
                data.code or "-",
                session_token=session if isinstance(session, str) else None,
            )
        except (Invalid, Conflict, TooManyRequests) as exc:
            errors = field_errors(exc) if isinstance(exc, Invalid) else {"code": exc.detail}
            page = Page(
                heading=_("Set up your second factor"),
                form=confirm_form(principal.csrf_token or ""),
                errors=errors,
            )
            return await render(request, page, status=exc.status)
        return await render(
            request,
            Page(
                heading=_("Keep your recovery codes"),
                lead=_(
                    "Each of these codes signs you in once if you lose your device. Keep them somewhere"
                    " safe: they are not shown again. %(codes)s",
                    codes=" · ".join(codes.codes),
                ),
                links=[Link(href="/", text=_("Continue"))],
            ),
        )


@post(f"{SECOND_FACTOR_PATH}/disable", guards=[PUBLIC], include_in_schema=False)
async def second_factor_disable(
    request: Request[Any, Any, Any],
    data: Annotated[SecondFactorForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    db: DbDep,
    limiter: LimiterDep,
    settings: SettingsDep,
) -> Response[Any]:
    principal = _session_principal(request)
    if principal is None:
        return Redirect("/login", status_code=303)
    with use_language(language_of(request, settings)):
        if not _form_is_ours(principal, data.csrf):
            return await render(
                request,
                await _second_factor_home(db, principal, {"": _("The form has expired: try again.")}),
                status=403,
            )
        session = request.scope.get("auth")
        try:
            await second_factor.turn_off(
                db,
                limiter,
                request.app.state.principal_cache,
                settings,
                principal,
                SecondFactorOff(current_password=data.current_password or "-", code=data.code or "------"),
                session_token=session if isinstance(session, str) else None,
            )
        except (Invalid, Forbidden, NotFound, TooManyRequests) as exc:
            errors = field_errors(exc) if isinstance(exc, Invalid) else {"": exc.detail}
            return await render(request, await _second_factor_home(db, principal, errors), status=exc.status)
        return await render(
            request,
            Page(
                heading=_("Second factor"),
                lead=_("Your second factor is off. Your other sessions were ended."),
                links=[Link(href="/", text=_("Back to the home page"))],
            ),
        )


IDENTITY_PAGES += [
    second_factor_account_page,
    second_factor_start,
    second_factor_confirm,
    second_factor_disable,
]
