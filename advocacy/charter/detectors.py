"""Detectors that work on the text as typed: secrets, internal domains, links, disclosure,
tone, network limits and locked captions. Each is compiled once from its rules and returns `Hit`s (the
personal-data detector: personal_data.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import regex

from advocacy.charter import networks
from advocacy.charter.hits import Facts, Hit
from advocacy.charter.normalize import normalize_term
from advocacy.charter.rules import (
    Category,
    DisclosureRules,
    InternalDomainRules,
    LinkRules,
    NetworkLimit,
    SecretRules,
    Severity,
    ToneRules,
)
from advocacy.core.language import Language
from advocacy.core.networks import Network

# Each credential pattern holds one of these; plain `in` tests are far cheaper than one regex scan.
_SECRET_HINTS = ("AKIA", "ASIA", "gh", "xox", "AIza", "eyJ", "earer", "-----BEGIN")
_SECRET_HINT = re.compile("AKIA|ASIA|gh[pousr]_|github_pat_|xox[abposr]-|AIza|eyJ")
_SECRETS = re.compile(
    r"(?P<aws_access_key>\b(?:AKIA|ASIA)[0-9A-Z]{16}\b)"
    r"|(?P<github_token>\bgh[pousr]_[A-Za-z0-9]{36,255}\b|\bgithub_pat_[A-Za-z0-9_]{22,255}\b)"
    r"|(?P<slack_token>\bxox[abposr]-[A-Za-z0-9-]{15,250})"
    r"|(?P<google_api_key>\bAIza[0-9A-Za-z_-]{35})"
    r"|(?P<private_key>-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
    r"(?:[\s\S]{0,20000}?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)?)"
    r"|(?P<jwt>\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})"
    r"|(?P<bearer_token>\b[Bb]earer[ \t]+[A-Za-z0-9._~+/-]{20,}=*)"
)

_PUNCTUATION_RUN = "[!?¡¿‼⁉]"
_EMOJI_UNIT = (
    r"(?:\p{Regional_Indicator}{2}|\p{Extended_Pictographic}[\p{Emoji_Modifier}\ufe0f]?"
    r"(?:\u200d\p{Extended_Pictographic}[\p{Emoji_Modifier}\ufe0f]?)*)"
)
_EMOJI_UNIT_RE = regex.compile(_EMOJI_UNIT)
# A superset of Extended_Pictographic and Regional_Indicator that the standard library scans fast.
_PICTOGRAPH = re.compile(
    "[\u00a9\u00ae\u203c\u2049\u2122\u2139\u2190-\u21ff\u2300-\u23ff\u24c2\u25aa-\u27bf"
    "\u2900-\u297f\u2b00-\u2bff\u3030\u303d\u3297\u3299\U0001f000-\U0001ffff]"
)
_SHOUT_WORD = r"\p{Lu}[\p{Lu}\p{Nd}'’]+"
_WORD = regex.compile(r"[\p{L}\p{Nd}]+")


def _host(url: str) -> str:
    host = url.split("://", 1)[-1]
    host = re.split(r"[/:?#]", host, maxsplit=1)[0].lower().rstrip(".")
    return host.removeprefix("www.")


def _under(host: str, domains: tuple[str, ...]) -> str | None:
    for domain in domains:
        if host == domain or host.endswith("." + domain):
            return domain
    return None


class SecretDetector:
    """Cloud and chat tokens (AWS, GitHub, Slack, Google), private key blocks, bearer tokens and JWTs."""

    def __init__(self, rules: SecretRules) -> None:
        self._rules = rules

    def find(self, facts: Facts) -> list[Hit]:
        text = facts.text
        # Every credential looked for is a word of 20+ characters, and a key block starts with its banner.
        if not self._rules.enabled or not any(hint in text for hint in _SECRET_HINTS):
            return []
        windows: list[tuple[int, int]] = []
        at = 0
        for word in [word for word in facts.words if len(word) >= 20]:
            # Words are found in order, so a shorter word cannot be mistaken for a longer one holding it.
            at = text.find(word, at)
            # "Bearer " comes before its token.
            if _SECRET_HINT.search(word) or "earer" in text[max(0, at - 8) : at]:
                windows.append((max(0, at - 8), at + len(word)))
            at += len(word)
        banner = text.find("-----BEGIN")
        if banner >= 0:
            windows.append((banner, len(text)))
        spans: set[tuple[int, int, str]] = set()
        for start, end in windows:
            spans |= {(*m.span(), str(m.lastgroup)) for m in _SECRETS.finditer(text, start, end)}
        return [
            Hit(
                f"secrets.{kind}",
                Category.SECRETS,
                self._rules.severity,
                start,
                end,
                values=(("kind", kind.replace("_", " ")),),
            )
            for start, end, kind in sorted(spans)
        ]


class InternalDomainDetector:
    """Hostnames, URLs and addresses on the organisation's internal domains."""

    def __init__(self, rules: InternalDomainRules) -> None:
        self._rules = rules
        self.domains = tuple(sorted({domain.lower().strip(".") for domain in rules.domains}))
        self._keys = tuple(normalize_term(domain) for domain in self.domains)
        alternatives = "|".join(re.escape(domain) for domain in sorted(self.domains, key=len, reverse=True))
        self._pattern = (
            re.compile(rf"(?<![\w.-])(?:[a-z0-9-]+\.)*(?:{alternatives})(?![\w-])", re.IGNORECASE)
            if alternatives
            else None
        )

    def find(self, facts: Facts) -> list[Hit]:
        text = facts.text
        # A host on an internal domain holds that domain's words, in order, in the normalised text.
        if self._pattern is None or not any(key in facts.normalized for key in self._keys):
            return []
        return [
            Hit(
                "internal_domain",
                Category.INTERNAL,
                self._rules.severity,
                *match.span(),
                values=(("domain", match.group().lower()),),
            )
            for match in self._pattern.finditer(text)
        ]


class LinkDetector:
    """Every URL must be on the allowlist or be the content's own link; shorteners are refused."""

    def __init__(self, rules: LinkRules, internal: tuple[str, ...]) -> None:
        self._rules = rules
        self._allowed = tuple(domain.lower() for domain in rules.allowed_domains)
        self._shorteners = tuple(domain.lower() for domain in rules.shorteners)
        self._internal = internal

    def find(self, text: str, content_link: str | None) -> list[Hit]:
        if not self._rules.enabled:
            return []
        own = _host(content_link) if content_link else None
        hits = []
        for match in networks.urls(text):
            host = _host(match.group())
            if host == own or _under(host, self._allowed) or _under(host, self._internal):
                continue
            shortener = _under(host, self._shorteners)
            if shortener:
                hits.append(
                    Hit(
                        "links.shortener",
                        Category.LINKS,
                        self._rules.shortener_severity,
                        *match.span(),
                        suggestion=content_link,
                        values=(("domain", host),),
                    )
                )
            else:
                hits.append(
                    Hit(
                        "links.not_allowed",
                        Category.LINKS,
                        self._rules.severity,
                        *match.span(),
                        values=(("domain", host),),
                    )
                )
        return hits


class DisclosureDetector:
    """When sharing is rewarded, the post must carry one of its language's disclosure tags."""

    def __init__(self, rules: DisclosureRules) -> None:
        self._rules = rules
        self._tags = {language: [tag.lower() for tag in rules.tags(language)] for language in Language}

    def find(self, facts: Facts, language: Language) -> list[Hit]:
        tags = self._tags[language]
        if not self._rules.rewards_sharing or not tags or any(_has_tag(facts.text, tag) for tag in tags):
            return []
        text = facts.text
        tag = self._rules.tags(language)[0]
        end = len(text.rstrip())
        return [
            Hit(
                "disclosure.missing",
                Category.DISCLOSURE,
                self._rules.severity,
                end,
                end,
                suggestion=f" {tag}",
                values=(("tag", tag),),
            )
        ]


def _has_tag(text: str, tag: str) -> bool:
    """Whether `tag` (lower case) stands in `text` as a word of its own, whatever its case."""
    # Anchoring on the tag's first character avoids lower-casing the whole text.
    first = tag[0]
    if first.isalnum():
        return _tag_at(text.lower(), tag, tag)
    return _tag_at(text, first, tag)


def _tag_at(text: str, anchor: str, tag: str) -> bool:
    at = text.find(anchor)
    while at >= 0:
        end = at + len(tag)
        before = text[at - 1] if at else " "
        after = text[end] if end < len(text) else " "
        boundaries = not (before.isalnum() or before in "#_") and not (after.isalnum() or after == "_")
        if boundaries and text[at:end].lower() == tag:
            return True
        at = text.find(anchor, at + 1)
    return False


_PUNCTUATION_PAIRS = ("!!", "!?", "?!", "??")


def _has_any(text: str, chars: str) -> bool:
    return any(char in text for char in chars)


class ToneDetector:
    """Shouting (runs of words in capitals), runs of punctuation and runs of emoji; warnings only."""

    def __init__(self, rules: ToneRules) -> None:
        self._rules = rules
        words = rules.shouting_min_words
        self._shouting = regex.compile(rf"\b{_SHOUT_WORD}(?:[\s,;:\-–]+{_SHOUT_WORD}){{{words - 1},}}\b")
        self._punctuation = re.compile(f"{_PUNCTUATION_RUN}{{{rules.max_punctuation_run + 1},}}")
        self._emoji = regex.compile(rf"{_EMOJI_UNIT}(?:\s*{_EMOJI_UNIT}){{{rules.max_emoji_run},}}")

    def _soften(self, run: re.Match[str] | regex.Match[str], text: str) -> str:
        """The shouted run in normal case: words the charter names as proper nouns, or that the text writes
        capitalised elsewhere, keep that form; the rest is lower case, the run's first letter a capital."""
        known: dict[str, str] = {}
        opens_sentence, last_end = True, 0
        for found in _WORD.finditer(text):
            word: str = found.group()
            between = text[last_end : found.start()].strip()
            # a capital after a sentence's end is grammar, not a name
            opens_sentence = between[-1:] in (".", "!", "?", "…") if between else opens_sentence
            inside = run.start() <= found.start() < run.end()
            if not inside and not opens_sentence and word[:1].isupper() and not word.isupper():
                known.setdefault(word.upper(), word)
            opens_sentence, last_end = False, found.end()
        for noun in self._rules.proper_nouns:
            for word in _WORD.findall(noun):
                known.setdefault(word.upper(), word)

        def word_case(match: regex.Match[str]) -> str:
            word: str = match.group()
            return known.get(word.upper(), word.lower())

        softened: str = _WORD.sub(word_case, run.group())
        return softened[:1].upper() + softened[1:]

    def find(self, facts: Facts) -> list[Hit]:
        if not self._rules.enabled:
            return []
        text = facts.text
        hits: list[Hit] = []
        if sum(map(str.isupper, facts.words)) >= self._rules.shouting_min_words:
            hits += [
                Hit("tone.shouting", Category.TONE, Severity.WARN, m.start(), m.end(), self._soften(m, text))
                for m in self._shouting.finditer(text)
                if sum(c.isalpha() for c in m.group()) >= 12
            ]
        if any(pair in text for pair in _PUNCTUATION_PAIRS) or (
            not text.isascii() and _has_any(text, "¡¿‼⁉")
        ):
            hits += [
                Hit("tone.punctuation", Category.TONE, Severity.WARN, m.start(), m.end(), m.group()[0])
                for m in self._punctuation.finditer(text)
            ]
        if not text.isascii() and len(_PICTOGRAPH.findall(text)) > self._rules.max_emoji_run:
            for match in self._emoji.finditer(text):
                kept = "".join(_EMOJI_UNIT_RE.findall(match.group())[: self._rules.max_emoji_run])
                hits.append(Hit("tone.emoji", Category.TONE, Severity.WARN, match.start(), match.end(), kept))
        return hits


def _spans(
    text: str, sign: str, cap: int | None, find: Callable[[str], list[tuple[int, int]]]
) -> list[tuple[int, int]]:
    return find(text) if cap is not None and text.count(sign) > cap else []


def network_hits(text: str, network: Network, limit: NetworkLimit, severity: Severity) -> list[Hit]:
    """Over-length text (from the first character beyond the limit), and hashtags or mentions beyond the cap."""
    hits = []
    counted = networks.length(text, network)
    if counted > limit.max_length:
        start = networks.overflow_start(text, network, limit.max_length)
        hits.append(
            Hit(
                "network.length",
                Category.NETWORK_LIMITS,
                severity,
                start,
                len(text),
                values=(("count", str(counted)), ("limit", str(limit.max_length))),
            )
        )
    for rule_id, cap, spans in (
        ("network.hashtags", limit.max_hashtags, _spans(text, "#", limit.max_hashtags, networks.hashtags)),
        ("network.mentions", limit.max_mentions, _spans(text, "@", limit.max_mentions, networks.mentions)),
    ):
        if cap is not None and len(spans) > cap:
            hits.append(
                Hit(
                    rule_id,
                    Category.NETWORK_LIMITS,
                    severity,
                    spans[cap][0],
                    spans[-1][1],
                    values=(("count", str(len(spans))), ("limit", str(cap))),
                )
            )
    return hits


@lru_cache(maxsize=256)
def _approved_pattern(approved: str) -> re.Pattern[str] | None:
    words = approved.split()
    return re.compile(r"\s+".join(re.escape(word) for word in words)) if words else None


def locked_caption_span(text: str, approved: str) -> tuple[int, int] | None:
    """Where the approved caption sits in `text` unchanged (up to whitespace), or None if it was altered."""
    pattern = _approved_pattern(approved)
    if pattern is None:
        return (0, 0)
    match = pattern.search(text)
    return match.span() if match else None
