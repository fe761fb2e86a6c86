"""Charter training: a version's lessons and quiz, grading an attempt, each person's results, the
organisation's setting that makes a pass a condition of opting in and of the yearly renewal, and the
completion rates HR reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import asyncpg
import msgspec

from advocacy.audit.service import write_audit
from advocacy.charter import queries
from advocacy.charter.schemas import (
    CharterTraining,
    LessonReading,
    QuestionOutcome,
    QuestionReading,
    QuizAnswers,
    QuizResult,
    TeamCompletion,
    TrainingCompletion,
    TrainingReading,
    TrainingSettings,
    TrainingStatus,
)
from advocacy.core.errors import Conflict, DomainError, Invalid, NotFound
from advocacy.core.i18n import lazy_gettext
from advocacy.db.pool import Database


def default_training() -> CharterTraining:
    """The training shipped with the demo organisation's charter (`default_training.toml`)."""
    data = resources.files(__package__).joinpath("default_training.toml").read_bytes()
    return msgspec.toml.decode(data, type=CharterTraining)


class TrainingRequired(DomainError):
    kind = "charter-training-required"
    title = "Pass the charter training first"
    status = 403


def check_training(training: CharterTraining | Any) -> None:
    """Every question's right answers must be among its choices, once each."""
    if not isinstance(training, CharterTraining):
        return
    errors = []
    for number, question in enumerate(training.quiz):
        if any(a >= len(question.choices) for a in question.answers):
            errors.append(
                {
                    "field": f"training.quiz[{number}].answers",
                    "message": f"question {number + 1} has {len(question.choices)} choices (numbered from 0)",
                }
            )
        elif len(set(question.answers)) != len(question.answers):
            errors.append(
                {"field": f"training.quiz[{number}].answers", "message": "an answer is listed twice"}
            )
    if errors:
        raise Invalid(
            lazy_gettext("The charter's quiz names answers that are not among its choices"),
            extra={"errors": errors},
        )


def training_for_reading(
    raw: dict[str, Any] | None, language: str, *, required: bool
) -> TrainingReading | None:
    """The training as an employee reads it: their language, and no answers."""
    if not raw:
        return None
    training = msgspec.convert(raw, CharterTraining)
    if not training.lessons and not training.quiz:
        return None
    return TrainingReading(
        lessons=[
            LessonReading(title=x.title.say(language), body=x.body.say(language)) for x in training.lessons
        ],
        questions=[
            QuestionReading(
                number=n + 1,
                question=q.question.say(language),
                choices=[c.say(language) for c in q.choices],
                multiple=len(q.answers) > 1,
            )
            for n, q in enumerate(training.quiz)
        ],
        pass_mark=training.pass_mark,
        required=required and bool(training.quiz),
    )


def grade(
    training: CharterTraining, answers: list[list[int]], language: str
) -> tuple[int, list[QuestionOutcome]]:
    """How many questions were answered exactly right (every right choice, no wrong one)."""
    if len(answers) != len(training.quiz):
        raise Invalid(
            lazy_gettext(
                "Answer every question: the quiz has %(questions)s, %(answered)s were answered",
                questions=len(training.quiz),
                answered=len(answers),
            ),
            extra={"errors": [{"field": "answers", "message": f"{len(training.quiz)} answers expected"}]},
        )
    outcomes = []
    for number, (question, chosen) in enumerate(zip(training.quiz, answers, strict=True)):
        outcomes.append(
            QuestionOutcome(
                number=number + 1,
                correct=set(chosen) == set(question.answers),
                explanation=question.explanation.say(language) if question.explanation else None,
            )
        )
    return sum(o.correct for o in outcomes), outcomes


async def _active_training(conn: asyncpg.Connection) -> tuple[int, int, CharterTraining | None]:
    active = await queries.active_charter_id_and_version(conn)
    if active is None:
        raise NotFound(lazy_gettext("No charter is active yet: compliance must activate one"))
    charter_id, version = active
    raw = await queries.charter_training(conn, charter_id)
    return charter_id, version, msgspec.convert(raw, CharterTraining) if raw else None


async def take_quiz(db: Database, person_id: int, body: QuizAnswers, *, language: str) -> QuizResult:
    """Grade an attempt at the quiz of the charter in force and record it (every attempt is kept)."""
    async with db.transaction() as conn:
        charter_id, version, training = await _active_training(conn)
        if body.charter_version != version:
            raise Conflict(
                lazy_gettext(
                    "This quiz is for charter version %(charter_version)s, but version %(version)s is in force: take that one",
                    charter_version=body.charter_version,
                    version=version,
                ),
                extra={"active_charter_version": version},
            )
        if training is None or not training.quiz:
            raise Conflict(lazy_gettext("Charter version %(version)s has no quiz", version=version))
        correct, outcomes = grade(training, body.answers, language)
        count = len(training.quiz)
        percent = round(100 * correct / count)
        passed = percent >= training.pass_mark
        taken_at = await queries.insert_quiz_result(
            conn,
            person_id=person_id,
            charter_id=charter_id,
            correct=correct,
            question_count=count,
            percent=percent,
            passed=passed,
            answers=[sorted(set(a)) for a in body.answers],
        )
    return QuizResult(
        charter_version=version,
        correct=correct,
        question_count=count,
        percent=percent,
        pass_mark=training.pass_mark,
        passed=passed,
        outcomes=outcomes,
        taken_at=taken_at,
    )


async def status_in(conn: asyncpg.Connection, person_id: int, *, validity_days: int) -> TrainingStatus:
    charter_id, version, training = await _active_training(conn)
    has_quiz = training is not None and bool(training.quiz)
    required = has_quiz and await queries.training_required(conn)
    since = datetime.now(UTC) - timedelta(days=validity_days)
    record = await queries.my_training_results(conn, person_id, charter_id, passed_since=since)
    return TrainingStatus(
        charter_version=version,
        has_training=training is not None and bool(training.lessons or training.quiz),
        required=required,
        passed=record.passed_at is not None,
        passed_at=record.passed_at,
        best_percent=record.best_percent,
        attempts=record.attempts,
    )


async def my_status(db: Database, person_id: int, *, validity_days: int) -> TrainingStatus:
    async with db.connection() as conn:
        return await status_in(conn, person_id, validity_days=validity_days)


async def require_passed(conn: asyncpg.Connection, person_id: int, *, validity_days: int) -> None:
    """Opting in and renewing need a pass of the quiz in force within the consent's validity, when the
    organisation asks for it and the version has a quiz."""
    status = await status_in(conn, person_id, validity_days=validity_days)
    if status.required and not status.passed:
        raise TrainingRequired(
            f"Pass the quiz of charter version {status.charter_version} first: your organisation makes it a "
            "condition of opting in and of the yearly renewal",
            extra={"charter_version": status.charter_version},
        )


async def settings(db: Database) -> TrainingSettings:
    async with db.connection() as conn:
        return TrainingSettings(required=await queries.training_required(conn))


async def change_settings(db: Database, body: TrainingSettings, *, actor_id: int | None) -> TrainingSettings:
    async with db.transaction() as conn:
        await queries.set_training_required(conn, body.required)
        await write_audit(
            conn,
            actor_id=actor_id,
            action="charter.training_required_changed",
            subject_type="organisation",
            subject_id="1",
            detail={"required": body.required},
        )
    return body


async def completion(db: Database, version: int | None) -> TrainingCompletion:
    """Completion of a version's quiz (the one in force by default) among active employees."""
    async with db.connection() as conn:
        if version is None:
            active = await queries.active_charter_id_and_version(conn)
            if active is None:
                raise NotFound(lazy_gettext("No charter is active yet: compliance must activate one"))
            charter_id, version = active
        else:
            found = await queries.charter_id_and_rules(conn, version)
            if found is None:
                raise NotFound(lazy_gettext("There is no charter version %(version)s", version=version))
            charter_id = found[0]
        rows = await queries.training_completion(conn, charter_id)
    people = sum(r.people for r in rows)
    passed = sum(r.passed for r in rows)
    return TrainingCompletion(
        charter_version=version,
        people=people,
        attempted=sum(r.attempted for r in rows),
        passed=passed,
        rate=round(passed / people, 4) if people else 0.0,
        teams=[
            TeamCompletion(
                team=r.team,
                people=r.people,
                passed=r.passed,
                rate=round(r.passed / r.people, 4) if r.people else 0.0,
            )
            for r in rows
        ],
    )
