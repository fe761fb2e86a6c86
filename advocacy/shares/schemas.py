"""Structs of shares: what an ambassador sends, what they and compliance read, the audit log's rows."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from advocacy.charter.engine import Verdict
from advocacy.core.language import LanguageCode
from advocacy.core.networks import NetworkCode

ShareStatus = Literal["refused", "held", "ready", "scheduled", "published", "withdrawn", "rejected", "failed"]
ShareMode = Literal["share_page", "direct"]
Caption = Annotated[str, Meta(min_length=1, max_length=10_000)]
Reason = Annotated[str, Meta(min_length=1, max_length=2000)]
PostUrl = Annotated[str, Meta(min_length=10, max_length=2000, pattern=r"^https://")]
Host = Annotated[
    str,
    Meta(min_length=3, max_length=253, pattern=r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$"),
]

# statuses in which a share is out, or on its way out: "already shared", counted by the fatigue limits
LIVE_STATUSES = ("held", "ready", "scheduled", "published")
# What counts as "already shared" (the feed marks such items): a held share (awaiting compliance) is not
# shared yet; a refused, rejected, withdrawn or failed one is not either.
SHARED_STATUSES = ("ready", "scheduled", "published")


class ShareCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What to share: a content item of my feed (`item`) or the card of one of my badges (`badge`, the
    award's id from /api/v1/me/badges), exactly one of the two."""

    item: UUID | None = None
    badge: UUID | None = None
    network: NetworkCode
    caption: Caption
    # the caption's language; defaults to the ambassador's own
    language: LanguageCode | None = None
    # content_assets ids of the item's images to go with it, in order
    images: Annotated[list[UUID], Meta(max_length=4)] = []
    mode: ShareMode = "share_page"
    # required when the charter warns: "I have read the warnings and share anyway"
    acknowledge_warnings: bool = False
    # outside the sharing hours or over a daily limit: schedule for when it may go instead of refusing
    schedule_if_not_now: bool = False

    def __post_init__(self) -> None:
        if (self.item is None) == (self.badge is None):
            raise ValueError("give either `item` (a content item) or `badge` (one of your badge awards)")


class ShareConfirm(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    # required: "I posted it" pays the share points, so it must name the post, on the network's own domain
    post_url: PostUrl


class Rejection(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: Reason


class Withdrawal(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: Reason | None = None


class ShareRow(msgspec.Struct, frozen=True, kw_only=True):
    """A share as stored, with what the API shows of its item and link."""

    id: int
    public_id: UUID
    person_id: int
    person_public_id: UUID
    person_name: str
    # the subject: a content item, or (a card share) one of the sharer's badge awards
    content_item_id: int | None
    item_public_id: UUID | None
    item_title: str | None
    item_link: str | None
    campaign_id: int | None
    badge_award_id: int | None
    badge_public_id: UUID | None
    badge_code: str | None
    network: NetworkCode
    mode: ShareMode
    status: ShareStatus
    language: LanguageCode
    caption: str
    images: list[UUID]
    verdict: Verdict
    charter_version: int | None
    warning_acknowledged: bool
    scheduled_for: datetime | None
    ready_at: datetime | None
    published_at: datetime | None
    withdrawn_at: datetime | None
    reviewed_at: datetime | None
    status_reason: str | None
    external_post_id: str | None
    external_post_url: str | None
    link_code: str | None
    created_at: datetime


class ShareRead(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    # a content share names its item; a card share its badge award (item and item_title are then None)
    item: UUID | None
    item_title: str | None
    badge: UUID | None
    badge_name: str | None
    network: NetworkCode
    mode: ShareMode
    status: ShareStatus
    language: LanguageCode
    caption: str
    images: list[UUID]
    verdict: Verdict
    charter_version: int | None
    warning_acknowledged: bool
    created_at: datetime
    scheduled_for: datetime | None
    ready_at: datetime | None
    published_at: datetime | None
    withdrawn_at: datetime | None
    # why compliance rejected it, or why it failed to publish
    status_reason: str | None
    post_url: str | None
    # the tracked link (/l/{code}) the share goes out with
    link: str | None
    # the network's share page to open (share_page mode, once ready)
    share_url: str | None
    # the caption to paste where the share page cannot take it
    caption_for_copy: str | None
    # a card share's public PNG (what link previews show; to attach by hand where a network needs an image)
    card_image: str | None = None


class HeldShareRead(msgspec.Struct, frozen=True, kw_only=True):
    share: ShareRead
    person: UUID
    person_name: str


class SharePreferences(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    # the employee's own Mastodon server (host name), where its /share page lives
    mastodon_instance: Host | None = None


class AuditEntry(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    at: datetime
    actor: UUID | None
    actor_name: str | None
    action: str
    subject_type: str
    subject_id: str | None
    detail: dict[str, Any]


class AuditFilter(msgspec.Struct, frozen=True, kw_only=True):
    action: str | None = None
    subject_type: str | None = None
    subject_id: str | None = None
    actor: UUID | None = None
    since: datetime | None = None
    until: datetime | None = None
