"""Property tests: a blocked term survives every mix of the usual evasions, and clean text stays clean."""

from __future__ import annotations

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advocacy.charter.engine import CompiledCharter, compile_charter
from advocacy.charter.rules import (
    Category,
    Language,
    Message,
    Network,
    Severity,
    TermList,
    load_default_rules,
)
from tests.unit.charter.conftest import ORDINARY_DAY

ACCENTS = {"a": "àâä", "e": "éèêë", "i": "îï", "o": "ôö", "u": "ùûü", "c": "ç", "n": "ñ", "y": "ÿ"}
CYRILLIC = {
    "a": "а",
    "c": "с",
    "e": "е",
    "i": "і",
    "j": "ј",
    "o": "о",
    "p": "р",
    "s": "ѕ",
    "x": "х",
    "y": "у",
}
LEET_DIGITS = {"a": "4", "e": "3", "i": "1", "l": "1", "o": "0", "s": "5", "t": "7"}
LEET_SYMBOLS = {"a": "@", "i": "!", "s": "$"}
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff"]
SEPARATORS = [".", " ", "-", "_", "*", "·", " . ", "/"]
CONTEXT = [
    "bonjour", "équipe", "projet", "merci", "demain", "client", "réunion", "great", "team", "launch",
    "today", "people", "proud", "nouveau", "site", "offres", "avec", "pour", "the", "and",
]  # fmt: skip
GENERATED = ["zorvath", "plimsk", "quorbanex", "trelvix", "mandrokel", "fispaluto", "grenwald", "sottoblak"]


def _charter() -> tuple[CompiledCharter, list[tuple[str, str]]]:
    rules = load_default_rules()
    generated = TermList(
        name="generated",
        category=Category.CUSTOM,
        severity=Severity.BLOCK,
        message=Message(fr="« {term} »", en="“{term}”"),
        terms=GENERATED,
    )
    rules = msgspec.structs.replace(rules, term_lists=[*rules.term_lists, generated])
    rules = msgspec.structs.replace(
        rules, disclosure=msgspec.structs.replace(rules.disclosure, rewards_sharing=False)
    )
    terms = [
        (f"terms.{term_list.name}", term)
        for term_list in rules.term_lists
        if not term_list.languages
        for term in term_list.terms
        if term.isalpha() and len(term) >= 3
    ]
    return compile_charter(rules, version=1), terms


CHARTER, TERMS = _charter()


@st.composite
def evaded(draw: st.DrawFn, term: str) -> str:
    """`term` with each letter disguised (or not), invisibles between letters, maybe spelled out."""
    spelled = draw(st.booleans())
    separator = draw(st.sampled_from(SEPARATORS)) if spelled else ""
    out: list[str] = []
    last = len(term) - 1
    for index, letter in enumerate(term):
        options = ["plain", "upper", "fullwidth"]
        lower = letter.lower()
        if lower in ACCENTS:
            options += ["accent", "combining"]
        if lower in CYRILLIC:
            options.append("cyrillic")
        if lower in LEET_DIGITS:
            options.append("digit")
        # A symbol is a letter only inside a word: never spelled out, first "@" or last character.
        if lower in LEET_SYMBOLS and not spelled and index != last and not (index == 0 and lower == "a"):
            previous_is_symbol = bool(out) and out[-1] in "@!$"
            if not previous_is_symbol:
                options.append("symbol")
        choice = draw(st.sampled_from(options))
        char = {
            "plain": lower,
            "upper": lower.upper(),
            "fullwidth": chr(ord(lower) + 0xFEE0) if lower.isascii() and lower.isalpha() else lower,
            "accent": draw(st.sampled_from(ACCENTS.get(lower, lower))),
            "combining": lower + "\u0301",
            "cyrillic": CYRILLIC.get(lower, lower),
            "digit": LEET_DIGITS.get(lower, lower),
            "symbol": LEET_SYMBOLS.get(lower, lower),
        }[choice]
        out.append(char)
        if index != last:
            if draw(st.booleans()):
                out.append(draw(st.sampled_from(INVISIBLE)))
            out.append(separator)
    return "".join(out)


@st.composite
def post_with_evaded_term(draw: st.DrawFn) -> tuple[str, str, int, int]:
    rule_id, term = draw(st.sampled_from(TERMS))
    disguised = draw(evaded(term))
    before = " ".join(draw(st.lists(st.sampled_from(CONTEXT), max_size=4)))
    after = " ".join(draw(st.lists(st.sampled_from(CONTEXT), max_size=4)))
    opening = draw(st.sampled_from([" ", ", ", " (", " « ", ' "', "\n"]))
    closing = draw(st.sampled_from([" ", ", ", ") ", " » ", '" ', "!\n", ". "]))
    prefix = f"{before}{opening}" if before else opening.lstrip()
    text = f"{prefix}{disguised}{closing}{after}"
    if not text.strip(' \n,.!()«»"'):
        text = f"{text} ok"
    return rule_id, text, len(prefix), len(prefix) + len(disguised)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(post_with_evaded_term())
def test_a_blocked_term_through_any_mix_of_evasions_is_found_where_it_was_typed(
    case: tuple[str, str, int, int],
) -> None:
    rule_id, text, start, end = case
    verdict = CHARTER.check(text, network=Network.LINKEDIN, language=Language.FR, at=ORDINARY_DAY)
    spans = [(f.start, f.end) for f in verdict.findings if f.rule_id == rule_id]
    assert (start, end) in spans, (text, verdict.findings)


CLEAN_WORDS = [
    "assessment", "classic", "Scunthorpe", "Essex", "cocktail", "therapist", "conseil", "connaître", "habite",
    "réputé", "computer", "analyse", "Dickens", "shiitake", "grape", "constitution", "passer", "basement",
    "title", "document", "pénalité", "scrapbook", "hello", "matin", "projets", "atlases", "sirop", "falconry",
    "déconnecté", "skills", "Hancock", "Middlesex", "cumulative", "butterfly", "peacock", "arsenal",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(CLEAN_WORDS + CONTEXT), min_size=1, max_size=25),
    st.sampled_from([" ", ", ", " - ", "\n", ". ", " ! "]),
    st.sampled_from(["lower", "title", "upper", "as is"]),
)
def test_clean_text_stays_clean_whatever_its_case_and_punctuation(
    words: list[str], joint: str, case: str
) -> None:
    text = joint.join(words)
    text = {"lower": text.lower(), "title": text.title(), "upper": text.upper(), "as is": text}[case]
    verdict = CHARTER.check(text, network=Network.FACEBOOK, language=Language.EN, at=ORDINARY_DAY)
    assert [f for f in verdict.findings if f.rule_id.startswith("terms.")] == []


def test_spelled_out_term_next_to_a_one_letter_word_is_found() -> None:
    text = "Voici à c.o.n.f.i.d.e.n.t.i.e.l pour toi"
    verdict = CHARTER.check(text, network=Network.X, language=Language.FR, at=ORDINARY_DAY)
    spans = [(f.rule_id, text[f.start : f.end]) for f in verdict.findings]
    assert ("terms.confidential_code_names", "c.o.n.f.i.d.e.n.t.i.e.l") in spans
