"""Charter versions as people read them, the charter document compliance imports and exports, and the bodies
of the check, try and what-if endpoints (the machine rules themselves live in rules.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from advocacy.charter.engine import MAX_TEXT_LENGTH, CheckContent, Finding
from advocacy.charter.rules import Category, CharterRules, Severity
from advocacy.core.language import Language
from advocacy.core.networks import Network

CharterStatus = Literal["draft", "active", "retired"]
CharterFormat = Literal["toml", "json"]
# The engine refuses longer texts too; bounding the field makes the body's validation say so first.
CheckText = Annotated[str, Meta(max_length=MAX_TEXT_LENGTH)]


class Bilingual(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A text of the charter's training in both languages."""

    fr: Annotated[str, Meta(min_length=1, max_length=20_000)]
    en: Annotated[str, Meta(min_length=1, max_length=20_000)]

    def say(self, language: str) -> str:
        return self.fr if language == "fr" else self.en


class Lesson(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    title: Bilingual
    body: Bilingual


class QuizQuestion(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """A question, its choices, and which of them are right (numbers from 0; all of them must be picked)."""

    question: Bilingual
    choices: Annotated[list[Bilingual], Meta(min_length=2, max_length=8)]
    answers: Annotated[list[Annotated[int, Meta(ge=0, le=7)]], Meta(min_length=1, max_length=8)]
    explanation: Bilingual | None = None


class CharterTraining(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A version's training: lessons to read, then a quiz passed at `pass_mark` percent or more."""

    lessons: Annotated[list[Lesson], Meta(max_length=30)] = []
    quiz: Annotated[list[QuizQuestion], Meta(max_length=50)] = []
    pass_mark: Annotated[int, Meta(ge=1, le=100)] = 80


class LessonReading(msgspec.Struct, frozen=True, kw_only=True):
    title: str
    body: str


class QuestionReading(msgspec.Struct, frozen=True, kw_only=True):
    """A quiz question as an employee sees it: no answers; `multiple` says several choices are right."""

    number: int
    question: str
    choices: list[str]
    multiple: bool


class TrainingReading(msgspec.Struct, frozen=True, kw_only=True):
    """The training of the charter in force, in the reader's language; `required` is the organisation's
    setting that makes passing the quiz a condition of opting in and of the yearly renewal."""

    lessons: list[LessonReading]
    questions: list[QuestionReading]
    pass_mark: int
    required: bool


class QuizAnswers(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One list of chosen choice numbers (from 0) per question, in the quiz's order."""

    charter_version: int
    answers: Annotated[
        list[Annotated[list[Annotated[int, Meta(ge=0, le=7)]], Meta(max_length=8)]], Meta(max_length=50)
    ]


class QuestionOutcome(msgspec.Struct, frozen=True, kw_only=True):
    number: int
    correct: bool
    explanation: str | None


class QuizResult(msgspec.Struct, frozen=True, kw_only=True):
    charter_version: int
    correct: int
    question_count: int
    percent: int
    pass_mark: int
    passed: bool
    outcomes: list[QuestionOutcome]
    taken_at: datetime


class TrainingStatus(msgspec.Struct, frozen=True, kw_only=True):
    """Where I stand with the training of the charter in force. `passed` counts a pass within the consent's
    validity (a yearly renewal asks for a fresh one when the training is required)."""

    charter_version: int
    has_training: bool
    required: bool
    passed: bool
    passed_at: datetime | None
    best_percent: int | None
    attempts: int


class TrainingSettings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    required: bool


class TeamCompletion(msgspec.Struct, frozen=True, kw_only=True):
    team: str | None
    people: int
    passed: int
    rate: float


class TrainingCompletion(msgspec.Struct, frozen=True, kw_only=True):
    """Of the active employees, how many passed this version's quiz (and how many tried), overall and by team."""

    charter_version: int
    people: int
    attempted: int
    passed: int
    rate: float
    teams: list[TeamCompletion]


class CharterRead(msgspec.Struct, frozen=True, kw_only=True):
    version: int
    status: CharterStatus
    title: str
    body_fr: str
    body_en: str
    material_change: bool
    created_at: datetime
    activated_at: datetime | None


class RuleSummary(msgspec.Struct, frozen=True, kw_only=True):
    """One machine rule described for people, in the reader's language."""

    rule: str
    category: Category
    severity: Severity
    summary: str


class CharterReading(CharterRead, frozen=True, kw_only=True):
    """The charter in force as an employee reads it: its texts plus what the automatic check looks for."""

    rules: list[RuleSummary]
    training: TrainingReading | None = None


class CharterDraftCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A new charter version; also the document `advocacy charter import|export` reads and writes."""

    title: Annotated[str, Meta(min_length=1, max_length=200)]
    body_fr: Annotated[str, Meta(min_length=1, max_length=100_000)]
    body_en: Annotated[str, Meta(min_length=1, max_length=100_000)]
    material_change: bool = False
    rules: CharterRules = CharterRules()
    # UNSET (not None) when absent: a TOML document has no null, and the export leaves the table out
    training: CharterTraining | UnsetType = UNSET


class CheckRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A text as it would be shared: on which network, in which language, for which content item."""

    text: CheckText
    network: Network
    language: Language
    content: CheckContent | None = None


class TryRequest(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A text to judge against one version; `at` (default now) decides which quiet periods apply."""

    text: CheckText
    network: Network
    language: Language
    content: CheckContent | None = None
    at: Annotated[datetime, Meta(tz=True)] | None = None


class KeptText(msgspec.Struct, frozen=True, kw_only=True):
    """A text kept from a share-time check, as the what-if report re-checks it."""

    text: str
    network: Network
    language: Language
    content: CheckContent | None
    decision: Severity
    charter_version: int
    checked_at: datetime


class ChangedDecision(msgspec.Struct, frozen=True, kw_only=True):
    """A kept text whose decision differs between the version in force and the draft."""

    text: str
    network: Network
    language: Language
    checked_at: datetime
    active_decision: Severity
    draft_decision: Severity
    draft_findings: list[Finding]


class WhatIfReport(msgspec.Struct, frozen=True, kw_only=True):
    """Which of the kept texts (the last 1 000 checked at share time) would change decision under a draft."""

    draft_version: int
    active_version: int | None
    at: datetime
    texts_considered: int
    changed: list[ChangedDecision]


class ActivationRead(msgspec.Struct, frozen=True, kw_only=True):
    """One activation of a version, newest first; `activated_by` is None for the CLI or an erased person."""

    version: int
    title: str
    material_change: bool
    activated_by: UUID | None
    activated_at: datetime
