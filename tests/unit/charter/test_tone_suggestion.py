"""The suggestion for a shouted run writes it in normal case without lower-casing names: the charter's
proper nouns, and words the text itself writes capitalised elsewhere, keep their form."""

from __future__ import annotations

import msgspec

from advocacy.charter.engine import compile_charter
from advocacy.charter.rules import Language, Network, load_default_rules

RULES = load_default_rules()
CHARTER = compile_charter(RULES, version=1)


def suggestion(text: str) -> str | None:
    verdict = CHARTER.check(text, network=Network.LINKEDIN, language=Language.FR)
    [finding] = [f for f in verdict.findings if f.rule_id == "tone.shouting"]
    return finding.suggestion


def test_the_charter_s_proper_nouns_keep_their_capital() -> None:
    assert suggestion("BIENVENUE AUX ÉQUIPES DE LYON ET DE NANTES #collaborateur") == (
        "Bienvenue aux équipes de Lyon et de Nantes"
    )


def test_a_name_the_text_writes_capitalised_elsewhere_keeps_its_form() -> None:
    text = "Venez rencontrer Margaux demain. NOUS ACCUEILLONS MARGAUX ET TOUTE L'ÉQUIPE #collaborateur"
    assert suggestion(text) == "Nous accueillons Margaux et toute l'équipe"


def test_a_capital_that_only_opens_a_sentence_is_not_taken_for_a_name() -> None:
    assert suggestion("Bonjour ! NOUS VOUS DISONS BONJOUR ET MERCI #collaborateur") == (
        "Nous vous disons bonjour et merci"
    )


def test_without_proper_nouns_the_run_is_in_sentence_case() -> None:
    rules = msgspec.structs.replace(RULES, tone=msgspec.structs.replace(RULES.tone, proper_nouns=[]))
    charter = compile_charter(rules, version=1)
    verdict = charter.check(
        "BIENVENUE AUX ÉQUIPES DE LYON #collaborateur", network=Network.X, language=Language.FR
    )
    assert [f.suggestion for f in verdict.findings if f.rule_id == "tone.shouting"] == [
        "Bienvenue aux équipes de lyon"
    ]
