"""The machine rules of one charter version, as msgspec Structs that round-trip through JSON and TOML.

Also owns the vocabulary every charter module shares (severity, network, language, category).
"""

from __future__ import annotations

import enum
from datetime import datetime
from importlib import resources
from typing import Annotated

import msgspec
from msgspec import Meta

from advocacy.core.errors import Invalid
from advocacy.core.i18n import lazy_gettext
from advocacy.core.language import BilingualText, Language
from advocacy.core.networks import Network

RuleName = Annotated[str, Meta(pattern=r"^[a-z0-9_]{1,64}$")]
Term = Annotated[str, Meta(min_length=1, max_length=200)]
Domain = Annotated[str, Meta(pattern=r"^[A-Za-z0-9.-]{1,253}$")]
PositiveInt = Annotated[int, Meta(ge=1)]


class Severity(enum.StrEnum):
    """How bad a finding is; ordered allow < warn < review < block (see `rank`)."""

    ALLOW = "allow"
    WARN = "warn"
    REVIEW = "review"
    BLOCK = "block"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.ALLOW: 0, Severity.WARN: 1, Severity.REVIEW: 2, Severity.BLOCK: 3}


class Category(enum.StrEnum):
    CONFIDENTIALITY = "confidentiality"
    COMPETITORS = "competitors"
    INSULTS = "insults"
    PERSONAL_DATA = "personal_data"
    SECRETS = "secrets"
    INTERNAL = "internal"
    LINKS = "links"
    DISCLOSURE = "disclosure"
    QUIET_PERIOD = "quiet_period"
    NETWORK_LIMITS = "network_limits"
    TONE = "tone"
    CAPTION = "caption"
    CUSTOM = "custom"


class _Input(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    def __hash__(self) -> int:
        # Frozen, yet holding lists and dicts: hashed by their canonical JSON, so that equal rules hash
        # alike. Litestar's OpenAPI generator puts field defaults in a set (it failed on these).
        return hash(msgspec.json.encode(self, order="sorted"))


class Message(BilingualText, _Input, frozen=True, kw_only=True):
    # A text shown to people, in both languages; `{term}` is replaced by the matched term where relevant.
    # Its own class (over advocacy.core's BilingualText) only so the API schema keeps its component name.
    pass


class TermList(_Input, frozen=True, kw_only=True):
    """A named list of blocked terms or phrases; matched on word boundaries unless `substring` is set."""

    name: RuleName
    category: Category
    severity: Severity
    message: Message
    terms: list[Term]
    substring: bool = False
    # Empty means every language; a word that is ordinary in one language (fr "con" vs en "con") is scoped.
    languages: list[Language] = []


class PersonalDataRules(_Input, frozen=True, kw_only=True):
    enabled: bool = True
    severity: Severity = Severity.BLOCK
    emails: bool = True
    phones: bool = True
    ibans: bool = True
    cards: bool = True
    nir: bool = True
    # Regions whose national-format numbers are recognised; international (+..) numbers are found from any region.
    phone_regions: list[Annotated[str, Meta(pattern=r"^[A-Z]{2}$")]] = msgspec.field(
        default_factory=lambda: ["FR", "GB", "US"]
    )
    allowed_emails: list[str] = []


class SecretRules(_Input, frozen=True, kw_only=True):
    enabled: bool = True
    severity: Severity = Severity.BLOCK


class InternalDomainRules(_Input, frozen=True, kw_only=True):
    domains: list[Domain] = []
    severity: Severity = Severity.BLOCK


class LinkRules(_Input, frozen=True, kw_only=True):
    """Every URL must be on `allowed_domains` (or be the content's own link); shorteners are refused."""

    enabled: bool = True
    allowed_domains: list[Domain] = []
    shorteners: list[Domain] = []
    severity: Severity = Severity.REVIEW
    shortener_severity: Severity = Severity.BLOCK


class DisclosureRules(_Input, frozen=True, kw_only=True):
    """When the organisation rewards sharing, a post must carry one of its language's disclosure tags."""

    rewards_sharing: bool = False
    fr: list[Term] = msgspec.field(default_factory=lambda: ["#collaborateur"])
    en: list[Term] = msgspec.field(default_factory=lambda: ["#employee"])
    severity: Severity = Severity.BLOCK

    def tags(self, language: Language) -> list[str]:
        return self.fr if language is Language.FR else self.en


class QuietPeriod(_Input, frozen=True, kw_only=True):
    name: Annotated[str, Meta(min_length=1, max_length=200)]
    starts_at: Annotated[datetime, Meta(tz=True)]
    ends_at: Annotated[datetime, Meta(tz=True)]

    def __post_init__(self) -> None:
        if self.ends_at <= self.starts_at:
            raise ValueError(f"quiet period {self.name!r} must end after it starts")

    def covers(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at


class QuietPeriodRules(_Input, frozen=True, kw_only=True):
    """Inside a window, financial terms and content tagged financial get `severity`."""

    periods: list[QuietPeriod] = []
    financial_terms: list[Term] = []
    financial_tags: list[Term] = msgspec.field(default_factory=lambda: ["financial"])
    severity: Severity = Severity.REVIEW


class NetworkLimit(_Input, frozen=True, kw_only=True):
    max_length: PositiveInt
    max_hashtags: PositiveInt | None = None
    max_mentions: PositiveInt | None = None


class NetworkRules(_Input, frozen=True, kw_only=True):
    """Overrides of the built-in per-network limits (see `networks.DEFAULT_LIMITS`)."""

    enabled: bool = True
    severity: Severity = Severity.BLOCK
    limits: dict[Network, NetworkLimit] = {}


class ToneRules(_Input, frozen=True, kw_only=True):
    """Tone findings are always warnings."""

    enabled: bool = True
    shouting_min_words: PositiveInt = 4
    max_punctuation_run: PositiveInt = 2
    max_emoji_run: PositiveInt = 3
    # names the suggestion for a shouted run keeps capitalised (offices, products, brands): "à Lyon"
    proper_nouns: Annotated[
        list[Annotated[str, Meta(min_length=1, max_length=80)]], Meta(max_length=2000)
    ] = []


class CaptionRules(_Input, frozen=True, kw_only=True):
    locked_severity: Severity = Severity.BLOCK


class CharterRules(_Input, frozen=True, kw_only=True):
    """Everything the engine needs to judge a text; one value per charter version."""

    term_lists: list[TermList] = []
    personal_data: PersonalDataRules = PersonalDataRules()
    secrets: SecretRules = SecretRules()
    internal_domains: InternalDomainRules = InternalDomainRules()
    links: LinkRules = LinkRules()
    disclosure: DisclosureRules = DisclosureRules()
    quiet_periods: QuietPeriodRules = QuietPeriodRules()
    networks: NetworkRules = NetworkRules()
    tone: ToneRules = ToneRules()
    captions: CaptionRules = CaptionRules()
    # Replaces the built-in message of a detector rule, by rule id (e.g. "personal_data.email").
    messages: dict[str, Message] = {}

    def __post_init__(self) -> None:
        names = [term_list.name for term_list in self.term_lists]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"term list names must be unique: {', '.join(duplicates)}")


def rules_from_json(data: bytes | str) -> CharterRules:
    """Decode and validate rules from JSON; raises `Invalid` with the path of the first problem."""
    try:
        return msgspec.json.decode(data, type=CharterRules)
    except msgspec.DecodeError as error:
        raise Invalid(lazy_gettext("charter rules: %(error)s", error=error)) from error


def rules_from_toml(data: bytes | str) -> CharterRules:
    """Decode and validate rules from TOML; raises `Invalid` with the path of the first problem."""
    try:
        return msgspec.toml.decode(data, type=CharterRules)
    except msgspec.DecodeError as error:
        raise Invalid(lazy_gettext("charter rules: %(error)s", error=error)) from error


def rules_to_json(rules: CharterRules) -> bytes:
    return msgspec.json.encode(rules)


def rules_to_toml(rules: CharterRules) -> bytes:
    return msgspec.toml.encode(rules)


def load_default_rules() -> CharterRules:
    """The default FR/EN charter shipped with the demo organisation (`default_charter.toml`)."""
    data = resources.files(__package__).joinpath("default_charter.toml").read_bytes()
    return rules_from_toml(data)
