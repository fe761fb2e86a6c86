"""Charter engine: a 1 000-character caption against 10 000 blocked terms with every detector on, against a bare
pyahocorasick scan of the same text (the ceiling) and better_profanity loaded with the same terms.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

import ahocorasick

from advocacy.charter.engine import compile_charter
from advocacy.charter.rules import (
    Category,
    Language,
    Message,
    Network,
    Severity,
    TermList,
    load_default_rules,
)
from tests.bench._common import median, percentile, record

TERMS = 10_000
CHECKS = 2_000
SYLLABLES = [c + v for c in "bcdfgklmnprstvz" for v in ("a", "e", "i", "o", "u", "ou", "ai")]

CAPTION = (
    "🚀 Très fiers d'annoncer l'ouverture de notre nouveau site de Lyon ! Après 18 mois de travaux, "
    "l'équipe de @Camille_Martin et moi-même accueillons nos 120 premiers collègues dans un bâtiment "
    "basse consommation, certifié HQE, à deux pas de la gare Part-Dieu. Merci à tous ceux qui ont rendu "
    "ce projet possible : les équipes achats, RH, informatique et bien sûr nos partenaires locaux. "
    "Nous recrutons encore 35 personnes en 2026 (développeurs, data, support client) : si vous aimez les "
    "défis et le travail en équipe, rejoignez-nous ! Toutes les offres sont ici : "
    "https://nordlys.example/carrieres/lyon?utm_source=linkedin . Vous pouvez aussi venir nous rencontrer "
    "lors de la journée portes ouvertes du 14 mars, de 9 h à 17 h, au 12 rue de la République. Au programme : "
    "visite des locaux, démonstrations de nos produits, ateliers découverte et échanges avec les équipes. "
    "Partagez autour de vous, on a hâte de vous accueillir ! 💙 #Lyon #Recrutement #NordlysLife "
    "#collaborateur"
)


def _generated_terms(count: int) -> list[str]:
    rng = random.Random(4)
    terms: set[str] = set()
    while len(terms) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 5)))
        if rng.random() < 0.15:
            word += " " + "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
        terms.add(word)
    return sorted(terms)


def _rules(terms: list[str]):  # type: ignore[no-untyped-def]
    base = load_default_rules()
    message = Message(fr="« {term} » est interdit.", en="“{term}” is not allowed.")
    categories = [Category.CONFIDENTIALITY, Category.COMPETITORS, Category.INSULTS, Category.CUSTOM]
    generated = [
        TermList(
            name=f"generated_{index}",
            category=category,
            severity=Severity.BLOCK,
            message=message,
            terms=terms[index :: len(categories)],
        )
        for index, category in enumerate(categories)
    ]
    import msgspec

    return msgspec.structs.replace(base, term_lists=[*base.term_lists, *generated])


def main() -> None:
    terms = _generated_terms(TERMS)
    rules = _rules(terms)
    caption = CAPTION[:1000].ljust(1000, ".")
    at = datetime(2026, 11, 20, tzinfo=UTC)

    started = time.perf_counter()
    bare = ahocorasick.Automaton()
    for term in terms:
        bare.add_word(term, term)
    bare.make_automaton()
    bare_build = time.perf_counter() - started

    started = time.perf_counter()
    charter = compile_charter(rules, version=1)
    compile_s = time.perf_counter() - started

    def bare_scan() -> None:
        for _ in bare.iter(caption):
            pass

    def check() -> None:
        charter.check(caption, network=Network.LINKEDIN, language=Language.FR, at=at)

    for _ in range(200):
        bare_scan()
        check()
    # in alternation, so a burst of other work on the machine lands on both sides alike
    bare_samples, samples = _timed_pair(bare_scan, check, CHECKS)
    verdict = charter.check(caption, network=Network.LINKEDIN, language=Language.FR, at=at)
    print(f"   caption verdict: {verdict.decision} with {len(verdict.findings)} finding(s)")

    record(
        "charter.check_median_us",
        median(samples) * 1e6,
        "us",
        "bare automaton scan",
        median(bare_samples) * 1e6,
    )
    record(
        "charter.check_p99_us",
        percentile(samples, 99) * 1e6,
        "us",
        "bare automaton scan",
        percentile(bare_samples, 99) * 1e6,
    )
    record("charter.compile_s", compile_s, "s", "bare automaton build", bare_build)

    from better_profanity import profanity

    profanity.load_censor_words(terms)
    profanity_samples = _timed(lambda: profanity.contains_profanity(caption), 2)
    # Microseconds per check on both sides: in seconds our figure rounded to 0.000 in record().
    record(
        "charter.vs_better_profanity",
        median(samples) * 1e6,
        "us",
        "better_profanity check",
        median(profanity_samples) * 1e6,
    )


def _timed_pair(first, second, runs: int) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    firsts, seconds = [], []
    clock = time.perf_counter
    for _ in range(runs):
        started = clock()
        first()
        middle = clock()
        second()
        firsts.append(middle - started)
        seconds.append(clock() - middle)
    return firsts, seconds


def _timed(function, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    samples = []
    clock = time.perf_counter
    for _ in range(runs):
        started = clock()
        function()
        samples.append(clock() - started)
    return samples


if __name__ == "__main__":
    main()
