"""Getting started: the steps to becoming an ambassador (read the charter, take its training, choose how to
appear on the leaderboards, opt in), and opting out. The same services as /api/v1/charter and /me."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.response import Redirect, Response, Template

from advocacy.ambassadors import service as ambassadors
from advocacy.ambassadors.schemas import AmbassadorStatus, OptIn, Visibility, VisibilityChange
from advocacy.auth.schemas import Principal
from advocacy.charter import service as charter_service
from advocacy.charter import training
from advocacy.charter.schemas import CharterReading, QuizAnswers, QuizResult, TrainingStatus
from advocacy.core.errors import DomainError, Invalid, NotFound
from advocacy.http.deps import signed_in
from advocacy.http.guards import ANY_PERSON
from advocacy.web.forms import (
    FormData,
    FormState,
    blank_form,
    check_csrf,
    form_problem,
    parse_form,
    read_form,
)
from advocacy.web.i18n import N_, translator
from advocacy.web.render import Viewer, page, viewer_of

VISIBILITIES: tuple[tuple[Visibility, str, str], ...] = (
    ("public", N_("Under my name"), N_("Colleagues see my name, my rank and my points.")),
    ("team_only", N_("To my team only"), N_("Only people in my team see my name; others do not see me.")),
    ("anonymous", N_("Anonymously"), N_("Colleagues see a number such as “Ambassador #12”, never my name.")),
    ("hidden", N_("Not at all"), N_("I do not appear on any leaderboard; my points still count for me.")),
)


class Step(msgspec.Struct, frozen=True, kw_only=True):
    label: str  # an English message id
    href: str
    done: bool


class StartPage(msgspec.Struct, frozen=True, kw_only=True):
    status: AmbassadorStatus
    charter: CharterReading | None
    training: TrainingStatus | None
    steps: list[Step]
    visibility: str  # how I appear on the leaderboards, as the opt-in form words it (an English message id)


class TrainingPage(msgspec.Struct, frozen=True, kw_only=True):
    charter: CharterReading
    status: TrainingStatus
    result: QuizResult | None = None


class OptInPage(msgspec.Struct, frozen=True, kw_only=True):
    charter: CharterReading
    status: AmbassadorStatus
    training: TrainingStatus
    visibilities: list[tuple[str, str, str]]


async def _charter(request: Request[Any, Any, Any], language: str) -> CharterReading | None:
    try:
        return await charter_service.charter_for_reading(request.app.state.db, language)
    except NotFound:
        return None


async def _training(request: Request[Any, Any, Any], principal: Principal) -> TrainingStatus:
    state = request.app.state
    return await training.my_status(
        state.db, principal.person_id, validity_days=state.settings.consent_validity_days
    )


def _steps(charter: CharterReading | None, status: TrainingStatus | None, ambassador: bool) -> list[Step]:
    steps = [Step(label=N_("Read the charter"), href="/start/charter", done=ambassador)]
    if charter is not None and charter.training is not None and status is not None:
        steps.append(Step(label=N_("Take the charter training"), href="/start/training", done=status.passed))
    steps.append(Step(label=N_("Choose how you appear and opt in"), href="/start/opt-in", done=ambassador))
    return steps


@get("/", guards=[ANY_PERSON], include_in_schema=False, name="home")
async def home(request: Request[Any, Any, Any]) -> Template:
    principal = signed_in(request)
    viewer = await viewer_of(request)
    _ = translator(viewer.language)
    charter = await _charter(request, viewer.language)
    status = viewer.ambassador
    assert status is not None
    current = await _training(request, principal) if charter is not None else None
    data = StartPage(
        status=status,
        charter=charter,
        training=current,
        steps=_steps(charter, current, status.is_ambassador),
        visibility=next(label for value, label, _hint in VISIBILITIES if value == status.visibility),
    )
    title = _("You are an ambassador") if status.is_ambassador else _("Getting started")
    return page(request, viewer, "employee/start.html", title=title, data=data)


@get("/start/charter", guards=[ANY_PERSON], include_in_schema=False)
async def charter_page(request: Request[Any, Any, Any]) -> Template:
    viewer = await viewer_of(request)
    _ = translator(viewer.language)
    charter = await _charter(request, viewer.language)
    title = _("Social media charter")
    return page(request, viewer, "employee/charter.html", title=title, data=charter)


async def _training_page(
    request: Request[Any, Any, Any],
    viewer: Viewer,
    *,
    form: FormState,
    result: QuizResult | None = None,
) -> Template:
    principal = signed_in(request)
    _ = translator(viewer.language)
    charter = await _charter(request, viewer.language)
    if charter is None or charter.training is None:
        return page(request, viewer, "employee/no_training.html", title=_("Charter training"))
    status = await _training(request, principal)
    data = TrainingPage(charter=charter, status=status, result=result)
    return page(
        request,
        viewer,
        "employee/training.html",
        title=_("Charter training"),
        data=data,
        form=form,
        status_code=form.status,
    )


@get("/start/training", guards=[ANY_PERSON], include_in_schema=False)
async def training_page(request: Request[Any, Any, Any]) -> Template:
    return await _training_page(request, await viewer_of(request), form=blank_form())


def quiz_answers(form: FormData, question_count: int) -> list[list[int]]:
    """The chosen choices of every question (fields q1, q2, …); an unanswered question is a form error."""
    answers: list[list[int]] = []
    missing = []
    for number in range(1, question_count + 1):
        chosen = form.getall(f"q{number}")
        if not chosen:
            missing.append({"field": f"q{number}", "message": "unanswered"})
        answers.append([int(c) for c in chosen if c.isdigit()])
    if missing:
        raise Invalid("Answer every question", extra={"errors": missing})
    return answers


@post("/start/training", guards=[ANY_PERSON], include_in_schema=False, status_code=200)
async def training_submit(request: Request[Any, Any, Any]) -> Template:
    principal = signed_in(request)
    viewer = await viewer_of(request)
    _ = translator(viewer.language)
    form = await read_form(request)
    check_csrf(principal, form)
    count = int(form.get("question_count", "0") or 0) if form.get("question_count", "").isdigit() else 0
    try:
        body = parse_form(
            {"charter_version": form.get("charter_version"), "answers": quiz_answers(form, count)},
            QuizAnswers,
        )
        result = await training.take_quiz(
            request.app.state.db, principal.person_id, body, language=viewer.language
        )
    except (DomainError, msgspec.ValidationError) as exc:
        messages = {
            f"q{n}": _("Choose an answer to question %(number)s", number=n) for n in range(1, count + 1)
        }
        problem = form_problem(exc, form, messages=messages)
        return await _training_page(request, viewer, form=problem)
    kept = blank_form() if result.passed else FormState(values=form.values, lists=form.lists)
    return await _training_page(request, viewer, form=kept, result=result)


async def _opt_in_page(request: Request[Any, Any, Any], viewer: Viewer, form: FormState) -> Template:
    principal = signed_in(request)
    _ = translator(viewer.language)
    charter = await _charter(request, viewer.language)
    if charter is None:
        return page(request, viewer, "employee/charter.html", title=_("Social media charter"), data=None)
    status = viewer.ambassador
    assert status is not None
    data = OptInPage(
        charter=charter,
        status=status,
        training=await _training(request, principal),
        visibilities=[(value, _(label), _(hint)) for value, label, hint in VISIBILITIES],
    )
    return page(
        request,
        viewer,
        "employee/opt_in.html",
        title=_("Choose how you appear and opt in"),
        data=data,
        form=form,
        status_code=form.status,
    )


@get("/start/opt-in", guards=[ANY_PERSON], include_in_schema=False)
async def opt_in_page(request: Request[Any, Any, Any]) -> Template:
    viewer = await viewer_of(request)
    status = viewer.ambassador
    selected = status.visibility if status is not None and status.status != "never" else ""
    return await _opt_in_page(request, viewer, blank_form(visibility=selected))


@post("/ambassador", guards=[ANY_PERSON], include_in_schema=False, status_code=303)
async def opt_in_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    principal = signed_in(request)
    state = request.app.state
    form = await read_form(request)
    check_csrf(principal, form)
    viewer = await viewer_of(request)
    _ = translator(viewer.language)
    try:
        if form.get("accept") != "yes":
            raise Invalid("accept", extra={"errors": [{"field": "accept", "message": "not ticked"}]})
        body = parse_form(
            {"charter_version": form.get("charter_version"), "visibility": form.get("visibility")}, OptIn
        )
        await ambassadors.opt_in(
            state.db, principal, body, validity_days=state.settings.consent_validity_days
        )
    except (DomainError, msgspec.ValidationError) as exc:
        messages = {
            "visibility": _("Choose how you appear on the leaderboards"),
            "accept": _("Tick the box to say you accept the charter"),
        }
        if isinstance(exc, training.TrainingRequired):
            messages["accept"] = _("Pass the charter training first: your organisation asks for it")
        elif not isinstance(exc, Invalid | msgspec.ValidationError):
            messages.pop("accept")
        problem = form_problem(exc, form, messages=messages, otherwise="accept")
        return await _opt_in_page(request, viewer, problem)
    state.principal_cache.forget_person(principal.person_id)
    return Redirect("/", status_code=303)


@post("/ambassador/visibility", guards=[ANY_PERSON], include_in_schema=False, status_code=303)
async def visibility_submit(request: Request[Any, Any, Any]) -> Response[Any]:
    """An ambassador changes how they appear (the same change as PATCH /api/v1/me/ambassador/visibility)."""
    principal = signed_in(request)
    state = request.app.state
    form = await read_form(request)
    check_csrf(principal, form)
    viewer = await viewer_of(request)
    _ = translator(viewer.language)
    try:
        body = parse_form({"visibility": form.get("visibility")}, VisibilityChange)
        await ambassadors.change_visibility(state.db, principal, body)
    except (DomainError, msgspec.ValidationError) as exc:
        problem = form_problem(
            exc,
            form,
            messages={"visibility": _("Choose how you appear on the leaderboards")},
            otherwise="visibility",
        )
        return await _opt_in_page(request, viewer, problem)
    state.principal_cache.forget_person(principal.person_id)
    return Redirect("/", status_code=303)


@post("/ambassador/opt-out", guards=[ANY_PERSON], include_in_schema=False, status_code=303)
async def opt_out_submit(request: Request[Any, Any, Any]) -> Redirect:
    principal = signed_in(request)
    check_csrf(principal, await read_form(request))
    await ambassadors.opt_out(request.app.state.db, principal)
    request.app.state.principal_cache.forget_person(principal.person_id)
    return Redirect("/", status_code=303)


START_PAGES = [
    home,
    charter_page,
    training_page,
    training_submit,
    opt_in_page,
    opt_in_submit,
    visibility_submit,
    opt_out_submit,
]
