"""A charter version's machine rules described for the people it applies to, in French or English.

Term lists are described by name and size, never listed: a list of confidential code names is itself
confidential, and a list of insults is not something to read.
"""

from __future__ import annotations

from advocacy.charter import networks
from advocacy.charter.rules import Category, CharterRules, Severity
from advocacy.charter.schemas import RuleSummary
from advocacy.core.language import Language
from advocacy.core.networks import Network

_PERSONAL_KINDS = {
    "emails": ("adresses e-mail", "e-mail addresses"),
    "phones": ("numéros de téléphone", "phone numbers"),
    "ibans": ("IBAN", "IBANs"),
    "cards": ("numéros de carte bancaire", "payment card numbers"),
    "nir": ("numéros de sécurité sociale", "French social security numbers"),
}


def summarise(rules: CharterRules, language: Language) -> list[RuleSummary]:
    fr = language is Language.FR

    def say(text_fr: str, text_en: str) -> str:
        return text_fr if fr else text_en

    out: list[RuleSummary] = []
    for term_list in rules.term_lists:
        count = len(term_list.terms)
        scope = ""
        if term_list.languages:
            codes = ", ".join(code.value for code in term_list.languages)
            scope = say(f" (textes en {codes})", f" ({codes} texts only)")
        out.append(
            RuleSummary(
                rule=f"terms.{term_list.name}",
                category=term_list.category,
                severity=term_list.severity,
                summary=say(
                    f"Liste « {term_list.name} » : {count} terme(s) ou expression(s) à ne pas publier{scope}.",
                    f"List “{term_list.name}”: {count} term(s) or phrase(s) not to publish{scope}.",
                ),
            )
        )
    personal = rules.personal_data
    kinds = [_PERSONAL_KINDS[name][0 if fr else 1] for name in _PERSONAL_KINDS if getattr(personal, name)]
    if personal.enabled and kinds:
        out.append(
            RuleSummary(
                rule="personal_data",
                category=Category.PERSONAL_DATA,
                severity=personal.severity,
                summary=say("Pas de données personnelles : ", "No personal data: ") + ", ".join(kinds) + ".",
            )
        )
    if rules.secrets.enabled:
        out.append(
            RuleSummary(
                rule="secrets",
                category=Category.SECRETS,
                severity=rules.secrets.severity,
                summary=say(
                    "Pas de secrets : clés d'accès, clés privées, jetons.",
                    "No secrets: access keys, private keys, tokens.",
                ),
            )
        )
    if rules.internal_domains.domains:
        domains = ", ".join(rules.internal_domains.domains)
        out.append(
            RuleSummary(
                rule="internal_domain",
                category=Category.INTERNAL,
                severity=rules.internal_domains.severity,
                summary=say(f"Pas d'adresses internes ({domains}).", f"No internal addresses ({domains})."),
            )
        )
    links = rules.links
    if links.enabled:
        allowed = ", ".join(links.allowed_domains) or say("aucun", "none")
        out.append(
            RuleSummary(
                rule="links.not_allowed",
                category=Category.LINKS,
                severity=links.severity,
                summary=say(
                    f"Liens autorisés : {allowed}, et le lien du contenu partagé.",
                    f"Links allowed: {allowed}, and the shared content's own link.",
                ),
            )
        )
        if links.shorteners:
            out.append(
                RuleSummary(
                    rule="links.shortener",
                    category=Category.LINKS,
                    severity=links.shortener_severity,
                    summary=say(
                        f"Pas de raccourcisseurs de liens ({', '.join(links.shorteners)}).",
                        f"No link shorteners ({', '.join(links.shorteners)}).",
                    ),
                )
            )
    disclosure = rules.disclosure
    if disclosure.rewards_sharing:
        tags = " / ".join(disclosure.tags(language))
        out.append(
            RuleSummary(
                rule="disclosure.missing",
                category=Category.DISCLOSURE,
                severity=disclosure.severity,
                summary=say(
                    f"Signalez votre lien avec l'entreprise : {tags}.",
                    f"Disclose that you work for the company: {tags}.",
                ),
            )
        )
    quiet = rules.quiet_periods
    for period in quiet.periods:
        starts, ends = period.starts_at.date().isoformat(), period.ends_at.date().isoformat()
        out.append(
            RuleSummary(
                rule="quiet_period.financial_term",
                category=Category.QUIET_PERIOD,
                severity=quiet.severity,
                summary=say(
                    f"Période de silence « {period.name} » du {starts} au {ends} : pas d'information financière.",
                    f"Quiet period “{period.name}” from {starts} to {ends}: no financial information.",
                ),
            )
        )
    if rules.networks.enabled:
        parts = []
        for network in Network:
            limit = networks.limit_for(network, rules.networks.limits)
            part = f"{network.value} {limit.max_length}"
            if limit.max_hashtags is not None:
                part += f", {limit.max_hashtags} hashtags"
            parts.append(part)
        out.append(
            RuleSummary(
                rule="network",
                category=Category.NETWORK_LIMITS,
                severity=rules.networks.severity,
                summary=say("Longueur maximale par réseau : ", "Maximum length per network: ")
                + "; ".join(parts)
                + ".",
            )
        )
    if rules.tone.enabled:
        out.append(
            RuleSummary(
                rule="tone",
                category=Category.TONE,
                severity=Severity.WARN,
                summary=say(
                    "Ton : évitez les majuscules continues et les rafales de ponctuation ou d'emoji.",
                    "Tone: avoid writing in capitals and runs of punctuation or emoji.",
                ),
            )
        )
    out.append(
        RuleSummary(
            rule="caption.locked",
            category=Category.CAPTION,
            severity=rules.captions.locked_severity,
            summary=say(
                "Une légende verrouillée doit rester telle qu'approuvée ; vous pouvez ajouter vos mots autour.",
                "A locked caption must stay as approved; you may add your own words around it.",
            ),
        )
    )
    return out
