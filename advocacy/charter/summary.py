"""A charter version's machine rules described for the people it applies to, in French or English.

Term lists are described by name and size, never listed: a list of confidential code names is itself
confidential, and a list of insults is not something to read.
"""

from __future__ import annotations

from advocacy.charter import networks
from advocacy.charter.rules import Category, CharterRules, Severity
from advocacy.charter.schemas import RuleSummary
from advocacy.core.i18n import _, lazy_gettext, use_language
from advocacy.core.language import Language
from advocacy.core.networks import Network

_PERSONAL_KINDS = {
    "emails": lazy_gettext("e-mail addresses"),
    "phones": lazy_gettext("phone numbers"),
    "ibans": lazy_gettext("IBANs"),
    "cards": lazy_gettext("payment card numbers"),
    "nir": lazy_gettext("French social security numbers"),
}


def summarise(rules: CharterRules, language: Language) -> list[RuleSummary]:
    with use_language(language):
        return _summarise(rules, language)


def _summarise(rules: CharterRules, language: Language) -> list[RuleSummary]:
    out: list[RuleSummary] = []
    for term_list in rules.term_lists:
        count = len(term_list.terms)
        scope = ""
        if term_list.languages:
            codes = ", ".join(code.value for code in term_list.languages)
            scope = _(" (%(codes)s texts only)", codes=codes)
        out.append(
            RuleSummary(
                rule=f"terms.{term_list.name}",
                category=term_list.category,
                severity=term_list.severity,
                summary=_(
                    "List “%(name)s”: %(count)s term(s) or phrase(s) not to publish%(scope)s.",
                    name=term_list.name,
                    count=count,
                    scope=scope,
                ),
            )
        )
    personal = rules.personal_data
    kinds = [str(_PERSONAL_KINDS[name]) for name in _PERSONAL_KINDS if getattr(personal, name)]
    if personal.enabled and kinds:
        out.append(
            RuleSummary(
                rule="personal_data",
                category=Category.PERSONAL_DATA,
                severity=personal.severity,
                summary=_("No personal data: ") + ", ".join(kinds) + ".",
            )
        )
    if rules.secrets.enabled:
        out.append(
            RuleSummary(
                rule="secrets",
                category=Category.SECRETS,
                severity=rules.secrets.severity,
                summary=_("No secrets: access keys, private keys, tokens."),
            )
        )
    if rules.internal_domains.domains:
        domains = ", ".join(rules.internal_domains.domains)
        out.append(
            RuleSummary(
                rule="internal_domain",
                category=Category.INTERNAL,
                severity=rules.internal_domains.severity,
                summary=_("No internal addresses (%(domains)s).", domains=domains),
            )
        )
    links = rules.links
    if links.enabled:
        allowed = ", ".join(links.allowed_domains) or _("none")
        out.append(
            RuleSummary(
                rule="links.not_allowed",
                category=Category.LINKS,
                severity=links.severity,
                summary=_("Links allowed: %(allowed)s, and the shared content's own link.", allowed=allowed),
            )
        )
        if links.shorteners:
            out.append(
                RuleSummary(
                    rule="links.shortener",
                    category=Category.LINKS,
                    severity=links.shortener_severity,
                    summary=_("No link shorteners (%(shorteners)s).", shorteners=", ".join(links.shorteners)),
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
                summary=_("Disclose that you work for the company: %(tags)s.", tags=tags),
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
                summary=_(
                    "Quiet period “%(name)s” from %(starts)s to %(ends)s: no financial information.",
                    name=period.name,
                    starts=starts,
                    ends=ends,
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
                summary=_("Maximum length per network: ") + "; ".join(parts) + ".",
            )
        )
    if rules.tone.enabled:
        out.append(
            RuleSummary(
                rule="tone",
                category=Category.TONE,
                severity=Severity.WARN,
                summary=_("Tone: avoid writing in capitals and runs of punctuation or emoji."),
            )
        )
    out.append(
        RuleSummary(
            rule="caption.locked",
            category=Category.CAPTION,
            severity=rules.captions.locked_severity,
            summary=_("A locked caption must stay as approved; you may add your own words around it."),
        )
    )
    return out
