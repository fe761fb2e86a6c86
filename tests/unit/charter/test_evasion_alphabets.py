"""Property tests over every disguise Unicode offers for a letter: each confusable its data lists, small
capitals, mathematical and enclosed letters, currency and punctuation signs and digits used as letters, mixed
with the separators and invisibles the usual evasions use; the clean corpus shows none of it blocks clean text.
"""

from __future__ import annotations

import string
import unicodedata
from functools import cache

from confusable_homoglyphs.utils import load as load_confusables
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advocacy.charter.rules import Language, Network
from tests.unit.charter.conftest import ORDINARY_DAY
from tests.unit.charter.test_evasions import CHARTER, CONTEXT, INVISIBLE, SEPARATORS, TERMS

MATH_STYLES = [
    "BOLD", "ITALIC", "BOLD ITALIC", "SCRIPT", "BOLD SCRIPT", "FRAKTUR", "BOLD FRAKTUR", "DOUBLE-STRUCK",
    "SANS-SERIF", "SANS-SERIF BOLD", "SANS-SERIF ITALIC", "SANS-SERIF BOLD ITALIC", "MONOSPACE",
]  # fmt: skip
ENCLOSED = [
    "CIRCLED LATIN SMALL LETTER {L}", "CIRCLED LATIN CAPITAL LETTER {L}", "PARENTHESIZED LATIN SMALL LETTER {L}",
    "SQUARED LATIN CAPITAL LETTER {L}", "NEGATIVE CIRCLED LATIN CAPITAL LETTER {L}",
    "NEGATIVE SQUARED LATIN CAPITAL LETTER {L}", "FULLWIDTH LATIN SMALL LETTER {L}",
    "FULLWIDTH LATIN CAPITAL LETTER {L}", "REGIONAL INDICATOR SYMBOL LETTER {L}",
]  # fmt: skip
# Signs people type for a letter inside a word (pr€ss, ¢lient, £ondon): never at a word's edge.
SIGNS = {
    "a": "@₳", "b": "₿", "c": "¢©", "e": "€", "g": "₲", "i": "!", "l": "£|", "n": "₦", "p": "₱₽",
    "r": "®", "s": "$§", "t": "₮†", "w": "₩", "y": "¥",
}  # fmt: skip
# 1 reads as i (an l in disguise as 1 is not told from an i)
DIGITS = {"a": "4", "b": "8", "e": "3", "g": "9", "i": "1", "o": "0", "s": "5", "t": "7", "z": "2"}


def _named(name: str) -> str | None:
    try:
        return unicodedata.lookup(name)
    except KeyError:
        return None


@cache
def disguises() -> dict[str, dict[str, list[str]]]:
    """letter -> family -> the characters of that family that stand for the letter."""
    families: dict[str, dict[str, list[str]]] = {letter: {} for letter in string.ascii_lowercase}
    for char, homoglyphs in load_confusables("confusables.json").items():
        if len(char) != 1 or char.isascii() or not unicodedata.category(char).startswith("L"):
            continue
        decomposed = unicodedata.normalize("NFKD", char)
        if any(part.isascii() and part.isalnum() for part in decomposed):
            continue  # what it decomposes to says what it is: Ｉ is an I, not the l it resembles
        targets = {h["c"].casefold() for h in homoglyphs if len(h["c"]) == 1 and h["c"].isascii()}
        targets = {t for t in targets if t.isalpha()}
        if len(targets) == 1:  # a sign that imitates two letters (| for l and I) is no proof of either
            families[targets.pop()].setdefault("confusable", []).append(char)
    for letter, family in families.items():
        capital = letter.upper()
        small = [_named(f"LATIN LETTER SMALL CAPITAL {capital}")]
        family["small capital"] = [c for c in small if c]
        family["mathematical"] = [
            c
            for style in MATH_STYLES
            for case in ("SMALL", "CAPITAL")
            if (c := _named(f"MATHEMATICAL {style} {case} {capital}"))
        ]
        family["enclosed"] = [c for pattern in ENCLOSED if (c := _named(pattern.format(L=capital)))]
        family["sign"] = list(SIGNS.get(letter, ""))
        family["digit"] = list(DIGITS.get(letter, ""))
    return {letter: {k: v for k, v in family.items() if v} for letter, family in families.items()}


@st.composite
def disguised(draw: st.DrawFn, term: str) -> str:
    """`term` with some of its letters in another alphabet's clothes, maybe spelled out with separators."""
    spelled = draw(st.booleans())
    separator = draw(st.sampled_from(SEPARATORS)) if spelled else ""
    out: list[str] = []
    last = len(term) - 1
    for index, letter in enumerate(term.lower()):
        families = dict(disguises().get(letter, {}))
        if spelled or index in (0, last):
            families.pop("sign", None)  # a sign is a letter only inside a word
        if out and (out[-1] in SIGN_CHARS or out[-1].isdigit()):
            families.pop("sign", None)  # two signs in a row read as punctuation
        if spelled:
            families.pop("digit", None)  # "4 . 3" is a number, not a word
        family = draw(st.sampled_from(["plain", *sorted(families)]))
        out.append(letter if family == "plain" else draw(st.sampled_from(families[family])))
        if index != last:
            if draw(st.booleans()):
                out.append(draw(st.sampled_from(INVISIBLE)))
            out.append(separator)
    return "".join(out)


SIGN_CHARS = "".join(SIGNS.values())


@st.composite
def post_with_disguised_term(draw: st.DrawFn) -> tuple[str, str, int, int]:
    rule_id, term = draw(st.sampled_from(TERMS))
    word = draw(disguised(term))
    before = " ".join(draw(st.lists(st.sampled_from(CONTEXT), max_size=3)))
    after = " ".join(draw(st.lists(st.sampled_from(CONTEXT), max_size=3)))
    prefix = f"{before} " if before else ""
    return rule_id, f"{prefix}{word} {after}".rstrip() + " ok", len(prefix), len(prefix) + len(word)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(post_with_disguised_term())
def test_a_blocked_term_in_any_alphabets_clothes_is_found_where_it_was_typed(
    case: tuple[str, str, int, int],
) -> None:
    rule_id, text, start, end = case
    verdict = CHARTER.check(text, network=Network.LINKEDIN, language=Language.FR, at=ORDINARY_DAY)
    spans = [(f.start, f.end) for f in verdict.findings if f.rule_id == rule_id]
    assert (start, end) in spans, (
        text,
        [unicodedata.name(c, "?") for c in text[start:end]],
        verdict.findings,
    )


def test_every_letter_has_disguises_in_every_family_unicode_gives_it() -> None:
    table = disguises()
    assert all(len(table[letter]["mathematical"]) >= 20 for letter in string.ascii_lowercase)
    assert all("enclosed" in table[letter] for letter in string.ascii_lowercase)
    assert sum(len(f.get("confusable", [])) for f in table.values()) > 300


CLEAN_WITH_SIGNS = [
    "Prix : 5 €, 20 £ ou 1 200 ¥ selon le pays.",
    "©2026 Nordlys® — tous droits réservés §3.",
    "Nos équipes 🇫🇷 🇬🇧 🇩🇪 se retrouvent à Lyon.",
    "Offres B2B, réseau 4G et 5G, résultats du Q3 2026, réunion 8h-9h.",
    "Le ticket coûte 12€50 ; le café 2,80 €.",
    "ⓘ Infos pratiques : accueil ⒜ 9h, ⒝ 14h.",
]


def test_signs_digits_and_enclosed_letters_in_clean_posts_are_not_findings() -> None:
    for text in CLEAN_WITH_SIGNS:
        verdict = CHARTER.check(text, network=Network.LINKEDIN, language=Language.FR, at=ORDINARY_DAY)
        assert [f for f in verdict.findings if f.rule_id.startswith("terms.")] == [], (text, verdict.findings)
