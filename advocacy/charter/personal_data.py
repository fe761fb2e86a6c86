"""The personal-data detector: e-mails, phone numbers (phonenumbers), IBANs (schwifty), payment cards (Luhn
and issuer prefix), French social security numbers (NIR, with its key)."""

from __future__ import annotations

import re
from collections.abc import Callable

import phonenumbers
import schwifty
from stdnum import luhn
from stdnum.fr import nir

from advocacy.charter.hits import Hit
from advocacy.charter.rules import Category, PersonalDataRules

_EMAIL_DOMAIN = re.compile(r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
_EMAIL_LOCAL = re.compile(r"(?<![\w.%+-])[A-Za-z0-9._%+-]{1,64}\Z")
_DIGIT_RUN = re.compile(r"[0-9](?:[ ().\-/]{0,3}[0-9]){6,}")
_IBAN_CANDIDATE = re.compile(r"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}\b")
_CARD_CANDIDATE = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_NIR_CANDIDATE = re.compile(
    r"(?<![\d])[12][ .]?\d{2}[ .]?\d{2}[ .]?(?:\d{2}|2[AaBb])[ .]?\d{3}[ .]?\d{3}[ .]?\d{2}(?!\d)"
)
_NON_DIGITS = re.compile(r"[^0-9A-Za-z]")
# Issuer prefixes of the card schemes people carry (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay,
# Maestro); a Luhn-valid number without one is most likely an order or tracking number.
_CARD_PREFIX = re.compile(
    r"4|5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720)|3[47]|3(?:0[0-5]|[689])|6(?:011|5|4[4-9]|2)|35|5[06-9]"
)


class PersonalDataDetector:
    """E-mails, phone numbers (phonenumbers), IBANs (schwifty), payment cards (Luhn), French NIR (with key)."""

    def __init__(self, rules: PersonalDataRules) -> None:
        self._rules = rules
        self._allowed = frozenset(email.lower() for email in rules.allowed_emails)

    def find(self, text: str) -> list[Hit]:
        rules = self._rules
        if not rules.enabled:
            return []
        hits: list[Hit] = []
        if rules.emails and "@" in text:
            hits += self._emails(text)
        # Every number these rules look for holds a run of 7+ digits: only those windows are examined.
        windows = [m.span() for m in _DIGIT_RUN.finditer(text)]
        if not windows:
            return hits
        strong: list[Hit] = []
        for start, end in windows:
            if rules.nir:
                strong += self._numbers(text, start, end, _NIR_CANDIDATE, "personal_data.nir", _valid_nir)
            if rules.cards:
                strong += self._numbers(text, start, end, _CARD_CANDIDATE, "personal_data.card", _valid_card)
        if rules.ibans:
            strong += self._ibans(text, windows)
        strong = _drop_overlapping(sorted(strong, key=lambda hit: (hit.rule_id != "personal_data.nir", hit)))
        hits += strong
        if rules.phones:
            hits += [hit for hit in self._phones(text, windows) if not _overlaps(hit, strong)]
        return hits

    def _hit(self, rule_id: str, start: int, end: int) -> Hit:
        return Hit(rule_id, Category.PERSONAL_DATA, self._rules.severity, start, end)

    def _emails(self, text: str) -> list[Hit]:
        hits = []
        for match in _EMAIL_DOMAIN.finditer(text):
            local = _EMAIL_LOCAL.search(text, max(0, match.start() - 64), match.start())
            if local is None or text[local.start() : match.end()].lower() in self._allowed:
                continue
            hits.append(self._hit("personal_data.email", local.start(), match.end()))
        return hits

    def _numbers(
        self,
        text: str,
        start: int,
        end: int,
        pattern: re.Pattern[str],
        rule_id: str,
        valid: Callable[[str], bool],
    ) -> list[Hit]:
        return [self._hit(rule_id, *m.span()) for m in pattern.finditer(text, start, end) if valid(m.group())]

    def _ibans(self, text: str, windows: list[tuple[int, int]]) -> list[Hit]:
        # An IBAN's country code and leading letters come before its long digit run.
        merged: list[tuple[int, int]] = []
        for start, end in windows:
            start, end = max(0, start - 40), min(len(text), end + 40)
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        return [hit for start, end in merged for hit in self._ibans_in(text, start, end)]

    def _ibans_in(self, text: str, start: int, end: int) -> list[Hit]:
        hits = []
        for match in _IBAN_CANDIDATE.finditer(text, start, end):
            candidate = match.group()
            # The pattern may run on into a following capitalised word: try the longest valid prefix.
            for end in range(len(candidate), 14, -1):
                if candidate[end - 1] != " " and _valid_iban(candidate[:end]):
                    hits.append(self._hit("personal_data.iban", match.start(), match.start() + end))
                    break
        return hits

    def _phones(self, text: str, windows: list[tuple[int, int]]) -> list[Hit]:
        spans: set[tuple[int, int]] = set()
        for start, end in windows:
            while start > 0 and text[start - 1] in "+(" and start > end - 40:
                start -= 1
            offset = start
            piece = text[start:end]
            for region in self._rules.phone_regions:
                for found in phonenumbers.PhoneNumberMatcher(
                    piece, region, leniency=phonenumbers.Leniency.VALID
                ):
                    spans.add((offset + found.start, offset + found.end))
        return [self._hit("personal_data.phone", start, end) for start, end in _outermost(spans)]


def _valid_nir(candidate: str) -> bool:
    return bool(nir.is_valid(_NON_DIGITS.sub("", candidate)))


def _valid_iban(candidate: str) -> bool:
    try:
        schwifty.IBAN(candidate)
    except ValueError:
        return False
    return True


def _valid_card(candidate: str) -> bool:
    digits = _NON_DIGITS.sub("", candidate)
    return 13 <= len(digits) <= 19 and _CARD_PREFIX.match(digits) is not None and bool(luhn.is_valid(digits))


def _overlaps(hit: Hit, others: list[Hit]) -> bool:
    return any(hit.start < other.end and other.start < hit.end for other in others)


def _drop_overlapping(hits: list[Hit]) -> list[Hit]:
    kept: list[Hit] = []
    for hit in hits:
        if not _overlaps(hit, kept):
            kept.append(hit)
    return kept


def _outermost(spans: set[tuple[int, int]]) -> list[tuple[int, int]]:
    ordered = sorted(spans, key=lambda span: (span[0], -span[1]))
    kept: list[tuple[int, int]] = []
    for start, end in ordered:
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return kept
