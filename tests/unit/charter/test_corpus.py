"""Table-driven corpus: FR and EN posts with the exact findings (rule and span in the text as typed) expected."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pytest

from advocacy.charter.engine import CheckContent, CompiledCharter
from advocacy.charter.rules import Severity
from advocacy.core.language import Language
from advocacy.core.networks import Network
from tests.unit.charter.conftest import ORDINARY_DAY, QUIET_DAY

PRIVATE_KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
GITHUB = "ghp_" + "a1B2c3D4e5F6g7H8i9J0" * 2
SLACK = "xoxb-123456789012-abcdefABCDEF1234"
GOOGLE = "AIzaSyA1234567890abcdefghijklmnopqrstuv"


@dataclass(frozen=True)
class Case:
    name: str
    text: str
    expected: list[tuple[str, str]]  # (rule_id, the exact text the span must cover; "" = end of text)
    language: Language = Language.FR
    network: Network = Network.LINKEDIN
    content: CheckContent | None = None
    at: object = ORDINARY_DAY
    extra: dict[str, object] = field(default_factory=dict)


CASES = [
    Case("clean_french_post", "Ravie de rejoindre l'équipe de Lyon ! Hâte de commencer.", []),
    Case(
        "clean_english_post",
        "Proud of what our support team shipped this quarter. Thank you all!",
        [],
        Language.EN,
    ),
    Case(
        "code_name_plain",
        "Le Projet Atlas avance bien.",
        [("terms.confidential_code_names", "Projet Atlas")],
    ),
    Case(
        "code_name_leet_and_case",
        "On bosse sur le PR0J3T 4TL4S en ce moment",
        [("terms.confidential_code_names", "PR0J3T 4TL4S")],
    ),
    Case(
        "code_name_spelled_out_with_dots",
        "Bientôt : P.r.o.j.e.t A.t.l.a.s, restez connectés",
        [("terms.confidential_code_names", "P.r.o.j.e.t A.t.l.a.s")],
    ),
    Case(
        "code_name_as_hashtag",
        "Fiers de #ProjetAtlas aujourd'hui",
        [("terms.confidential_code_names", "ProjetAtlas")],
    ),
    Case(
        "confidential_with_zero_width_and_cyrillic",
        "Ce document est c\u200bоnfidentiel.",
        [("terms.confidential_code_names", "c\u200bоnfidentiel")],
    ),
    Case(
        "confidential_full_width",
        "Ｃｏｎｆｉｄｅｎｔｉａｌ roadmap inside",
        [("terms.confidential_code_names", "Ｃｏｎｆｉｄｅｎｔｉａｌ")],
        Language.EN,
    ),
    Case(
        "accented_code_name_without_accent",
        "La mission Helios démarre lundi.",
        [("terms.confidential_code_names", "Helios")],
    ),
    Case(
        "competitor_is_review",
        "Nous avons dépassé Vexora sur ce marché.",
        [("terms.competitors", "Vexora")],
    ),
    Case("insult_french", "Quel connard ce client.", [("terms.insults_fr", "connard")]),
    Case("insult_english_leet", "What a m0r0n, honestly.", [("terms.insults_en", "m0r0n")], Language.EN),
    Case("insult_phrase", "Franchement, ta gueule.", [("terms.insults_fr", "ta gueule")]),
    Case("french_only_word_in_english_post", "We weighed the pros and the con of it.", [], Language.EN),
    Case("french_only_word_in_french_post", "Quel con.", [("terms.insults_fr_only", "con")]),
    Case("scunthorpe_town", "Greetings from Scunthorpe and Essex!", [], Language.EN),
    Case("scunthorpe_assessment", "Our annual assessment of classic cocktails.", [], Language.EN),
    Case("scunthorpe_french_words", "Un conseil : il habite près d'un hôtel réputé.", []),
    Case("french_retard_is_a_delay", "Désolé pour le retard de livraison.", []),
    Case(
        "email_address",
        "Écrivez-moi : jean.dupont@gmail.com",
        [("personal_data.email", "jean.dupont@gmail.com")],
    ),
    Case("allowed_press_email", "Contact presse : presse@nordlys.example", []),
    Case("french_mobile_number", "Appelez le 06 12 34 56 78 !", [("personal_data.phone", "06 12 34 56 78")]),
    Case(
        "international_number",
        "Call +44 20 7946 0958 today",
        [("personal_data.phone", "+44 20 7946 0958")],
        Language.EN,
    ),
    Case("year_and_amounts_are_not_phones", "En 2026, 1 200 clients et 35 recrutements.", []),
    Case(
        "valid_iban",
        "RIB : FR76 3000 6000 0112 3456 7890 189 merci",
        [("personal_data.iban", "FR76 3000 6000 0112 3456 7890 189")],
    ),
    Case("iban_with_bad_checksum", "RIB : FR76 3000 6000 0112 3456 7890 188 merci", []),
    Case(
        "valid_card",
        "Card 4111 1111 1111 1111 works",
        [("personal_data.card", "4111 1111 1111 1111")],
        Language.EN,
    ),
    Case("card_failing_luhn", "Order 4111 1111 1111 1112 shipped", [], Language.EN),
    Case("valid_nir", "Mon numéro : 2 95 10 99 126 111 93", [("personal_data.nir", "2 95 10 99 126 111 93")]),
    Case("nir_with_wrong_key", "Mon numéro : 2 95 10 99 126 111 94", []),
    Case(
        "aws_key",
        "key AKIAIOSFODNN7EXAMPLE oops",
        [("secrets.aws_access_key", "AKIAIOSFODNN7EXAMPLE")],
        Language.EN,
    ),
    Case("github_token", f"token {GITHUB}", [("secrets.github_token", GITHUB)], Language.EN),
    Case("slack_token", f"slack {SLACK}", [("secrets.slack_token", SLACK)], Language.EN),
    Case("google_key", f"maps {GOOGLE}", [("secrets.google_api_key", GOOGLE)], Language.EN),
    Case(
        "private_key_block_whose_banners_also_read_as_shouting",
        f"oops\n{PRIVATE_KEY}\n",
        [
            ("secrets.private_key", PRIVATE_KEY),
            ("tone.shouting", "BEGIN RSA PRIVATE KEY"),
            ("tone.shouting", "END RSA PRIVATE KEY"),
        ],
        Language.EN,
    ),
    Case("jwt", f"session {JWT}", [("secrets.jwt", JWT)], Language.EN),
    Case(
        "bearer_token",
        "curl -H 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123'",
        [("secrets.bearer_token", "Bearer abcdefghijklmnopqrstuvwxyz0123")],
        Language.EN,
    ),
    Case(
        "internal_host",
        "Tout est sur wiki.corp.nordlys.example/projets",
        [("internal_domain", "wiki.corp.nordlys.example")],
    ),
    Case("allowed_link", "Nos offres : https://nordlys.example/carrieres", []),
    Case(
        "unknown_link",
        "Lisez https://random-blog.net/article ici",
        [("links.not_allowed", "https://random-blog.net/article")],
    ),
    Case("shortener", "Vite : bit.ly/3xYz", [("links.shortener", "bit.ly/3xYz")]),
    Case(
        "content_link_is_allowed",
        "À lire : https://press.partner.org/nordlys-story",
        [],
        content=CheckContent(link="https://press.partner.org/nordlys-story"),
    ),
    Case("sentence_end_is_not_a_link", "Merci.Bonne journée à tous.", []),
    Case(
        "financial_term_in_quiet_period",
        "Notre chiffre d'affaires progresse fortement",
        [("quiet_period.financial_term", "chiffre d'affaires")],
        at=QUIET_DAY,
    ),
    Case("financial_term_outside_quiet_period", "Notre chiffre d'affaires progresse fortement", []),
    Case(
        "financial_content_in_quiet_period",
        "Une belle année pour nous.",
        [("quiet_period.financial_content", "Une belle année pour nous.")],
        content=CheckContent(tags=["Financial"]),
        at=QUIET_DAY,
    ),
    Case(
        "shouting",
        "C'EST VRAIMENT TROP GENIAL AUJOURD'HUI",
        [("tone.shouting", "C'EST VRAIMENT TROP GENIAL AUJOURD'HUI")],
    ),
    Case("acronyms_are_not_shouting", "Bravo aux équipes RH et IT de la DSI.", []),
    Case("punctuation_run", "Incroyable !!!", [("tone.punctuation", "!!!")]),
    Case("emoji_run", "Bravo 🎉🎉🎉🎉 à tous", [("tone.emoji", "🎉🎉🎉🎉")]),
    Case("three_emoji_are_fine", "Bravo 🎉🎉🎉 à tous", []),
    Case(
        "x_counts_urls_as_23",
        "a" * 250 + " https://nordlys.example/" + "x" * 100,
        [],
        network=Network.X,
    ),
    Case("x_over_limit", "a" * 281, [("network.length", "a")], network=Network.X),
    Case(
        "instagram_hashtag_cap",
        " ".join(f"#tag{i}" for i in range(31)),
        [("network.hashtags", "#tag30")],
        network=Network.INSTAGRAM,
    ),
]


def _expected_spans(case: Case) -> list[tuple[str, int, int]]:
    spans = []
    for rule_id, snippet in case.expected:
        if rule_id == "network.length":
            start = 280
            spans.append((rule_id, start, len(case.text)))
        elif snippet == "":
            spans.append((rule_id, len(case.text.rstrip()), len(case.text.rstrip())))
        else:
            start = case.text.index(snippet)
            spans.append((rule_id, start, start + len(snippet)))
    return sorted(spans, key=lambda span: (span[1], span[2], span[0]))


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_corpus_post_gets_exactly_its_expected_findings(
    case: Case, charter_without_disclosure: CompiledCharter
) -> None:
    verdict = charter_without_disclosure.check(
        case.text,
        network=case.network,
        language=case.language,
        content=case.content,
        at=case.at,  # type: ignore[arg-type]
    )
    found = [(f.rule_id, f.start, f.end) for f in verdict.findings]
    assert found == _expected_spans(case)


def test_missing_disclosure_is_blocked_with_the_tag_as_fix(charter: CompiledCharter) -> None:
    text = "Fière de notre nouveau site !  "
    verdict = charter.check(text, network=Network.LINKEDIN, language=Language.FR, at=ORDINARY_DAY)
    assert [(f.rule_id, f.start, f.end, f.suggestion) for f in verdict.findings] == [
        ("disclosure.missing", 29, 29, " #collaborateur")
    ]
    assert verdict.decision is Severity.BLOCK


def test_disclosure_in_the_post_language_satisfies_the_rule(charter: CompiledCharter) -> None:
    verdict = charter.check(
        "Proud of our new site! #Employee", network=Network.LINKEDIN, language=Language.EN, at=ORDINARY_DAY
    )
    assert verdict.findings == []
    assert verdict.decision is Severity.ALLOW


def test_messages_come_in_the_reader_language_with_the_term(
    charter_without_disclosure: CompiledCharter,
) -> None:
    fr = charter_without_disclosure.check("Vexora", network=Network.X, language=Language.FR, at=ORDINARY_DAY)
    en = charter_without_disclosure.check("Vexora", network=Network.X, language=Language.EN, at=ORDINARY_DAY)
    assert fr.findings[0].message.startswith("Vous citez un concurrent (« Vexora »)")
    assert en.findings[0].message.startswith("You mention a competitor (“Vexora”)")


def test_decision_is_the_worst_severity(charter_without_disclosure: CompiledCharter) -> None:
    verdict = charter_without_disclosure.check(
        "Vexora !!! connard", network=Network.X, language=Language.FR, at=ORDINARY_DAY
    )
    assert sorted(f.severity for f in verdict.findings) == sorted(
        [Severity.REVIEW, Severity.WARN, Severity.BLOCK]
    )
    assert verdict.decision is Severity.BLOCK


def test_verdict_carries_version_and_text_hash(charter: CompiledCharter) -> None:
    verdict = charter.check(
        "Bonjour #collaborateur", network=Network.X, language=Language.FR, at=ORDINARY_DAY
    )
    assert verdict.charter_version == 7
    assert verdict.text_sha256 == hashlib.sha256(b"Bonjour #collaborateur").hexdigest()


def test_same_input_gives_the_same_verdict(charter: CompiledCharter) -> None:
    text = "Vexora, c0nnard, 06 12 34 56 78, bit.ly/x !!! Projet Atlas"
    first = charter.check(text, network=Network.X, language=Language.FR, at=ORDINARY_DAY)
    second = charter.check(text, network=Network.X, language=Language.FR, at=ORDINARY_DAY)
    assert first == second
    keys = [(f.start, f.end, f.rule_id) for f in first.findings]
    assert keys == sorted(keys)


def test_locked_caption_present_unchanged_passes_and_is_not_rechecked(
    charter_without_disclosure: CompiledCharter,
) -> None:
    approved = "Découvrez nos offres  sur https://random-blog.net/jobs !!!"
    content = CheckContent(caption_policy="locked", approved_caption=approved)
    text = "Mon équipe recrute. Découvrez nos offres\nsur https://random-blog.net/jobs !!!"
    verdict = charter_without_disclosure.check(
        text, network=Network.LINKEDIN, language=Language.FR, content=content, at=ORDINARY_DAY
    )
    assert verdict.findings == []


def test_locked_caption_altered_is_refused_with_the_approved_text(
    charter_without_disclosure: CompiledCharter,
) -> None:
    approved = "Découvrez nos offres sur notre site."
    content = CheckContent(caption_policy="locked", approved_caption=approved)
    text = "Découvrez nos super offres sur notre site."
    verdict = charter_without_disclosure.check(
        text, network=Network.LINKEDIN, language=Language.FR, content=content, at=ORDINARY_DAY
    )
    assert [(f.rule_id, f.start, f.end, f.suggestion) for f in verdict.findings] == [
        ("caption.locked", 0, len(text), approved)
    ]


def test_words_added_around_a_locked_caption_are_still_checked(
    charter_without_disclosure: CompiledCharter,
) -> None:
    content = CheckContent(caption_policy="locked", approved_caption="Découvrez nos offres.")
    text = "Découvrez nos offres. Mieux que Vexora !"
    verdict = charter_without_disclosure.check(
        text, network=Network.LINKEDIN, language=Language.FR, content=content, at=ORDINARY_DAY
    )
    assert [(f.rule_id, text[f.start : f.end]) for f in verdict.findings] == [("terms.competitors", "Vexora")]


def test_shortener_suggests_the_content_link(charter_without_disclosure: CompiledCharter) -> None:
    content = CheckContent(link="https://nordlys.example/blog/lyon")
    verdict = charter_without_disclosure.check(
        "À lire : bit.ly/abc", network=Network.X, language=Language.FR, content=content, at=ORDINARY_DAY
    )
    assert [(f.rule_id, f.suggestion) for f in verdict.findings] == [
        ("links.shortener", "https://nordlys.example/blog/lyon")
    ]
