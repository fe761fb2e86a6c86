"""The charter engine: `compile_charter` turns a version's rules into a `CompiledCharter` once, whose `check`
returns a deterministic `Verdict` for a text about to be shared. Pure: no database, no clock unless asked.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from itertools import product
from typing import Literal, NamedTuple, TypeVar

import ahocorasick
import msgspec
import regex

from advocacy.charter import networks
from advocacy.charter.detectors import (
    DisclosureDetector,
    InternalDomainDetector,
    LinkDetector,
    SecretDetector,
    ToneDetector,
    locked_caption_span,
    network_hits,
)
from advocacy.charter.hits import Facts, Hit
from advocacy.charter.messages import MESSAGES
from advocacy.charter.normalize import Normalized, normalize, normalize_term
from advocacy.charter.personal_data import PersonalDataDetector
from advocacy.charter.rules import (
    Category,
    CharterRules,
    Message,
    QuietPeriod,
    Severity,
    TermList,
)
from advocacy.core.errors import Invalid
from advocacy.core.i18n import lazy_gettext
from advocacy.core.language import Language
from advocacy.core.networks import Network

MAX_TEXT_LENGTH = 10_000
# Terms with more "l"s than this get only the all-or-nothing "1" variants, to bound the automaton's size.
_MAX_L_VARIANTS = 4
_BLANK = regex.compile(r"[\s\p{Cf}]*")
_NON_WORD = re.compile(r"[\W_]+")
_FIELD = re.compile(r"\{(\w+)\}")

_E = TypeVar("_E", Network, Language)
CaptionPolicy = Literal["locked", "editable", "free"]


class CheckContent(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What the share flow knows about the content item being shared."""

    link: str | None = None
    caption_policy: CaptionPolicy = "free"
    approved_caption: str | None = None
    tags: list[str] = []


class Finding(msgspec.Struct, frozen=True, kw_only=True):
    """One rule's objection; `start`/`end` index the text as typed; `suggestion` replaces text[start:end]."""

    rule_id: str
    category: Category
    severity: Severity
    message: str
    start: int
    end: int
    suggestion: str | None = None


class Verdict(msgspec.Struct, frozen=True, kw_only=True):
    """The decision (worst severity found, or allow) with every finding, sorted by (start, end, rule_id)."""

    decision: Severity
    findings: list[Finding]
    charter_version: int
    text_sha256: str


class _TermRef(NamedTuple):
    list_index: int  # index in rules.term_lists, or -1 for the quiet periods' financial terms
    term: str


class CompiledCharter:
    """A charter version ready to check texts; immutable and safe to share between threads."""

    def __init__(self, rules: CharterRules, version: int) -> None:
        self.rules = rules
        self.version = version
        self._refs: list[_TermRef] = []
        self._bounded, self._loose = _build_automata(rules, self._refs)
        self._personal_data = PersonalDataDetector(rules.personal_data)
        self._secrets = SecretDetector(rules.secrets)
        self._internal = InternalDomainDetector(rules.internal_domains)
        self._links = LinkDetector(rules.links, self._internal.domains)
        self._disclosure = DisclosureDetector(rules.disclosure)
        self._tone = ToneDetector(rules.tone)
        self._financial_tags = frozenset(tag.casefold() for tag in rules.quiet_periods.financial_tags)

    def check(
        self,
        text: str,
        *,
        network: Network,
        language: Language,
        content: CheckContent | None = None,
        at: datetime | None = None,
        message_language: Language | None = None,
    ) -> Verdict:
        """Judge `text` as it would be shared on `network` in `language`; raises `Invalid` on bad input.

        Messages are in `message_language` (the reader's) when given, else in `language` (the text's).

        `at` (aware; defaults to now, UTC) decides which quiet periods apply. With a locked caption, the
        approved text must appear unchanged up to whitespace, and only the words around it are checked by
        the term, personal-data, secret, link and tone rules.
        """
        encoded = _valid_text(text)
        network = _member(Network, network, "network")
        language = _member(Language, language, "language")
        reader = language if message_language is None else _member(Language, message_language, "language")
        if at is None:
            at = datetime.now(UTC)
        elif at.tzinfo is None or at.utcoffset() is None:
            raise Invalid(lazy_gettext("`at` must be a timezone-aware datetime"))
        content = content or CheckContent()
        period = next((p for p in self.rules.quiet_periods.periods if p.covers(at)), None)

        normalized = normalize(text)
        facts = Facts.of(text, normalized.text)
        hits = self._term_hits(normalized, language, period)
        hits += self._personal_data.find(text)
        hits += self._secrets.find(facts)
        hits += self._internal.find(facts)
        hits += self._links.find(text, content.link)
        hits += self._tone.find(facts)
        hits = self._apply_locked_caption(text, content, hits)
        hits += self._disclosure.find(facts, language)
        if self.rules.networks.enabled:
            limit = networks.limit_for(network, self.rules.networks.limits)
            hits += network_hits(text, network, limit, self.rules.networks.severity)
        if period is not None and any(tag.casefold() in self._financial_tags for tag in content.tags):
            hits.append(
                Hit(
                    "quiet_period.financial_content",
                    Category.QUIET_PERIOD,
                    self.rules.quiet_periods.severity,
                    0,
                    len(text),
                    values=(("period", period.name),),
                )
            )
        findings = self._findings(hits, reader)
        decision = max((f.severity for f in findings), key=lambda s: s.rank, default=Severity.ALLOW)
        return Verdict(
            decision=decision,
            findings=findings,
            charter_version=self.version,
            text_sha256=hashlib.sha256(encoded).hexdigest(),
        )

    def _term_hits(self, norm: Normalized, language: Language, period: QuietPeriod | None) -> list[Hit]:
        found: list[tuple[int, int, tuple[int, ...]]] = []
        if self._bounded is not None:
            for end, (length, padded, refs) in self._bounded.iter(f" {norm.text} "):
                # Positions in the padded text are one ahead of norm.text; padded keys carry their two spaces.
                found.append((end - length + 1, end - 1, refs) if padded else (end - length, end, refs))
        if self._loose is not None:
            for run_start, run_end in norm.collapsed_runs:
                # Spelled-out letters may sit next to a one-letter word ("a c.o.n.f.i"): a run's edges count.
                for end, (length, _padded, refs) in self._loose.iter(norm.text, run_start, run_end):
                    start = end - length + 1
                    if start == run_start or end + 1 == run_end:
                        found.append((start, end + 1, refs))
        hits: list[Hit] = []
        for start, end, refs in found:
            original = norm.original_span(start, end)
            for ref_index in refs:
                hit = self._term_hit(self._refs[ref_index], original, language, period)
                if hit is not None:
                    hits.append(hit)
        return hits

    def _term_hit(
        self, ref: _TermRef, span: tuple[int, int], language: Language, period: QuietPeriod | None
    ) -> Hit | None:
        if ref.list_index < 0:
            if period is None:
                return None
            values = (("term", ref.term), ("period", period.name))
            return Hit(
                "quiet_period.financial_term",
                Category.QUIET_PERIOD,
                self.rules.quiet_periods.severity,
                *span,
                values=values,
            )
        term_list = self.rules.term_lists[ref.list_index]
        if term_list.languages and language not in term_list.languages:
            return None
        return Hit(
            f"terms.{term_list.name}",
            term_list.category,
            term_list.severity,
            *span,
            values=(("term", ref.term),),
        )

    def _apply_locked_caption(self, text: str, content: CheckContent, hits: list[Hit]) -> list[Hit]:
        if content.caption_policy != "locked" or not content.approved_caption:
            return hits
        span = locked_caption_span(text, content.approved_caption)
        if span is None:
            severity = self.rules.captions.locked_severity
            return [
                *hits,
                Hit("caption.locked", Category.CAPTION, severity, 0, len(text), content.approved_caption),
            ]
        start, end = span
        return [hit for hit in hits if not (start <= hit.start and hit.end <= end)]

    def _findings(self, hits: Iterable[Hit], language: Language) -> list[Finding]:
        unique: dict[tuple[str, int, int], Finding] = {}
        for hit in sorted(hits):
            key = (hit.rule_id, hit.start, hit.end)
            if key not in unique:
                unique[key] = Finding(
                    rule_id=hit.rule_id,
                    category=hit.category,
                    severity=hit.severity,
                    message=self._message(hit, language),
                    start=hit.start,
                    end=hit.end,
                    suggestion=hit.suggestion,
                )
        return sorted(unique.values(), key=lambda f: (f.start, f.end, f.rule_id))

    def _message(self, hit: Hit, language: Language) -> str:
        message = self.rules.messages.get(hit.rule_id) or _builtin_message(hit.rule_id, self.rules.term_lists)
        values = dict(hit.values)
        return _FIELD.sub(lambda m: values.get(m.group(1), m.group()), message.in_language(language))


def compile_charter(rules: CharterRules, *, version: int) -> CompiledCharter:
    """Compile a charter version once: term automata, detector regexes; reuse the result for every check."""
    return CompiledCharter(rules, version)


def _builtin_message(rule_id: str, term_lists: list[TermList]) -> Message:
    if rule_id.startswith("terms."):
        name = rule_id.removeprefix("terms.")
        return next(term_list.message for term_list in term_lists if term_list.name == name)
    if rule_id.startswith("secrets."):
        return MESSAGES["secrets.credential"]
    return MESSAGES[rule_id]


def _valid_text(text: object) -> bytes:
    if not isinstance(text, str):
        raise Invalid(lazy_gettext("text must be a string"))
    if len(text) > MAX_TEXT_LENGTH:
        raise Invalid(
            lazy_gettext(
                "text is %(value)s characters long; the limit is %(MAX_TEXT_LENGTH)s",
                value=len(text),
                MAX_TEXT_LENGTH=MAX_TEXT_LENGTH,
            )
        )
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise Invalid(lazy_gettext("text is not valid Unicode (it contains a lone surrogate)")) from error
    if _BLANK.fullmatch(text):
        raise Invalid(lazy_gettext("text is empty"))
    return encoded


def _member(kind: type[_E], value: object, what: str) -> _E:
    try:
        return kind(str(value))
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise Invalid(
            lazy_gettext(
                "unknown %(what)s %(value)s; expected one of %(choices)s",
                what=what,
                value=repr(value),
                choices=choices,
            )
        ) from None


def _variants(term: str) -> set[str]:
    """The normalised forms a term is looked for in: as written, glued (#ProjetAtlas), "l" written "1"."""
    bases = {normalize_term(term), normalize_term(_NON_WORD.sub("", term))} - {""}
    variants: set[str] = set()
    for base in bases:
        positions = [i for i, char in enumerate(base) if char == "l"]
        if len(positions) > _MAX_L_VARIANTS:
            variants |= {base, base.replace("l", "i")}
            continue
        for choice in product("li", repeat=len(positions)):
            chars = list(base)
            for position, char in zip(positions, choice, strict=True):
                chars[position] = char
            variants.add("".join(chars))
    return variants


def _build_automata(
    rules: CharterRules, refs: list[_TermRef]
) -> tuple[ahocorasick.Automaton | None, ahocorasick.Automaton | None]:
    bounded: dict[tuple[str, bool], set[int]] = {}
    loose: dict[tuple[str, bool], set[int]] = {}
    lists: list[tuple[int, bool, list[str]]] = [
        (index, term_list.substring, term_list.terms) for index, term_list in enumerate(rules.term_lists)
    ]
    lists.append((-1, False, rules.quiet_periods.financial_terms))
    for list_index, substring, terms in lists:
        for term in terms:
            ref = len(refs)
            refs.append(_TermRef(list_index, term))
            for variant in _variants(term):
                key = (variant, False) if substring else (f" {variant} ", True)
                bounded.setdefault(key, set()).add(ref)
                if not substring:
                    loose.setdefault((variant, False), set()).add(ref)
    return _automaton(bounded), _automaton(loose)


def _automaton(keys: dict[tuple[str, bool], set[int]]) -> ahocorasick.Automaton | None:
    """Keys are (text, padded); each value is (key length, padded, term refs) so a hit needs no lookup."""
    if not keys:
        return None
    automaton = ahocorasick.Automaton()
    for (key, padded), refs in keys.items():
        automaton.add_word(key, (len(key), padded, tuple(sorted(refs))))
    automaton.make_automaton()
    return automaton
