"""Challenges: the open, coming and finished ones with my points in each open one, and a challenge's
standings (or its results once closed). The same services as GET /api/v1/challenges and getChallenge."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, get
from litestar.params import FromPath
from litestar.response import Template

from advocacy.http.deps import signed_in
from advocacy.http.guards import ANY_PERSON
from advocacy.incentives.challenges import service as challenges
from advocacy.incentives.challenges.schemas import ChallengeRead
from advocacy.web.i18n import Translate, translator
from advocacy.web.render import page, viewer_of
from content_library.ports import now

# My points are read for at most this many open challenges on the list (each is one standings query).
PROGRESS_SHOWN = 10


class ChallengeLine(msgspec.Struct, frozen=True, kw_only=True):
    challenge: ChallengeRead
    goal: str  # the goal in words
    my_points: int | None = None


class ChallengesPage(msgspec.Struct, frozen=True, kw_only=True):
    open: list[ChallengeLine]
    coming: list[ChallengeLine]
    finished: list[ChallengeLine]


class ChallengePage(msgspec.Struct, frozen=True, kw_only=True):
    line: ChallengeLine
    state: str  # "open", "coming" or "finished"
    to_go: int | None  # points still needed for a threshold, while open
    won: bool | None  # my result once closed (None: not among the results)


def goal_text(challenge: ChallengeRead, _: Translate) -> str:
    if challenge.goal == "threshold":
        return _("Everyone who reaches %(points)s points wins.", points=challenge.threshold or 0)
    return _("The top %(count)s win.", count=challenge.top_n or 0)


def state_of(challenge: ChallengeRead, at: datetime) -> str:
    if challenge.closed or challenge.ends_at <= at:
        return "finished"
    return "coming" if challenge.starts_at > at else "open"


@get("/challenges", guards=[ANY_PERSON], include_in_schema=False)
async def challenges_page(request: Request[Any, Any, Any]) -> Template:
    principal = signed_in(request)
    db = request.app.state.db
    viewer = await viewer_of(request)
    _ = translator(viewer.language)
    at = now()
    groups: dict[str, list[ChallengeLine]] = {"open": [], "coming": [], "finished": []}
    for challenge in await challenges.listing(db, viewer.language):
        state = state_of(challenge, at)
        mine = None
        if state == "open" and len(groups["open"]) < PROGRESS_SHOWN:
            progress = await challenges.progress(db, challenge.id, principal.person_id, viewer.language)
            mine = progress.my_points or 0
        groups[state].append(ChallengeLine(challenge=challenge, goal=goal_text(challenge, _), my_points=mine))
    groups["coming"].reverse()  # the soonest first
    data = ChallengesPage(open=groups["open"], coming=groups["coming"], finished=groups["finished"])
    return page(request, viewer, "employee/challenges.html", title=_("Challenges"), data=data)


@get("/challenges/{challenge_id:uuid}", guards=[ANY_PERSON], include_in_schema=False)
async def challenge_page(request: Request[Any, Any, Any], challenge_id: FromPath[UUID]) -> Template:
    principal = signed_in(request)
    viewer = await viewer_of(request)
    _ = translator(viewer.language)
    found = await challenges.progress(
        request.app.state.db, challenge_id, principal.person_id, viewer.language
    )
    state = state_of(found, now())
    mine = next((s for s in found.standings if s.is_me), None)
    to_go = None
    if state == "open" and found.goal == "threshold" and found.threshold is not None:
        to_go = max(found.threshold - (found.my_points or 0), 0)
    data = ChallengePage(
        line=ChallengeLine(challenge=found, goal=goal_text(found, _), my_points=found.my_points or 0),
        state=state,
        to_go=to_go,
        won=mine.won if mine is not None else None,
    )
    return page(request, viewer, "employee/challenge.html", title=found.name, data=data)


CHALLENGES_PAGES = [challenges_page, challenge_page]
