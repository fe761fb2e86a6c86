"""The incentives domain's shared vocabulary: point events and ledger entries (every subject reads them), the
constrained types the bodies share, the bilingual text and a campaign's public names."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from advocacy.core.language import BilingualText

EventKind = Literal[
    "share_published",
    "click",
    "engagement",
    "kudos",
    "streak_bonus",
    "reversal",
    "release",
    "challenge",
    "redemption",
    "refund",
]

Points = Annotated[int, Meta(ge=0, le=1_000_000)]
Name = Annotated[str, Meta(min_length=1, max_length=120)]
Reason = Annotated[str, Meta(min_length=3, max_length=500)]

# A points text in both languages is advocacy.core's BilingualText (one schema name in the API document).
Message = BilingualText


class PointEvent(msgspec.Struct, frozen=True, kw_only=True):
    """Something that may earn (or take back) points. For clicks and engagements the source is the share
    (source_type='share', source_id=share id) and `quantity` the number of unique clicks / engagements.
    A published share's key is per (person, content item, network): only the first share of an item to a
    network earns points."""

    kind: EventKind
    person_id: int
    network: str | None = None
    campaign_id: int | None = None
    source_type: str
    source_id: int | None = None
    quantity: int = 1
    occurred_at: datetime
    idempotency_key: str
    reason: str | None = None
    points: int | None = None  # kudos and challenge prizes name their points; rules decide the others


# The select list that fills a LedgerEntry from points_ledger: the ledger and the boards (its projection) read it
ENTRY_COLUMNS = (
    "id, person_id, team_id, kind, points, held_points, quantity, network, campaign_id, source_type,"
    " source_id, rule_version, reason_code, note, idempotency_key, occurred_at, multiplier::float8 AS multiplier"
)


class LedgerEntry(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    person_id: int
    team_id: int | None
    kind: EventKind
    points: int
    held_points: int
    quantity: int
    network: str | None
    campaign_id: int | None
    source_type: str
    source_id: int | None
    rule_version: int | None
    reason_code: str
    note: str | None
    idempotency_key: str
    occurred_at: datetime
    # the campaign multiplier the points were computed with, when one applied
    multiplier: float | None = None


class CampaignKey(msgspec.Struct, frozen=True, kw_only=True):
    """A campaign as the API names it: its public id and its slug (never the internal id)."""

    id: UUID
    slug: str


# content_library has its own CampaignRef (with the name): under one name, the API document would name
# both schemas by their module paths.
CampaignRef = CampaignKey
