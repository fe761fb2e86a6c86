"""What a detector finds (`Hit`, before its message is put in the reader's language) and the facts about the
text several detectors share (`Facts`, computed once per check)."""

from __future__ import annotations

from typing import NamedTuple

from advocacy.charter.rules import Category, Severity


class Hit(NamedTuple):
    """A finding before its message is put in the reader's language; `values` fill the message's {fields}."""

    rule_id: str
    category: Category
    severity: Severity
    start: int
    end: int
    suggestion: str | None = None
    values: tuple[tuple[str, str], ...] = ()


class Facts(NamedTuple):
    """What several detectors need about the text, computed once per check."""

    text: str
    words: list[str]
    normalized: str  # the term-matching form: lower case, accents and punctuation gone

    @classmethod
    def of(cls, text: str, normalized: str) -> Facts:
        return cls(text, text.split(), normalized)
