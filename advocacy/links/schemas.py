"""Structs of tracked links and clicks."""

from __future__ import annotations

from datetime import datetime

import msgspec


class LinkEntry(msgspec.Struct, frozen=True, kw_only=True):
    """What the redirect needs of a code, cached in process (a link's target never changes)."""

    share_id: int
    person_id: int
    target: str


class LinkPreview(msgspec.Struct, frozen=True, kw_only=True):
    """What a link-preview crawler is shown: the shared item's title, summary and 1200×627 image."""

    target: str
    title: str
    description: str | None
    image_url: str | None


class Click(msgspec.Struct, frozen=True, kw_only=True, array_like=True):
    """One answered /l/{code} request, as it waits in the recorder's batch (its fields' order is the batch's
    JSON layout that links/queries.py inserts from, and the spool's)."""

    share_id: int
    at: datetime
    visitor_hash: bytes
    # kept only while the settle job may need it (a click it decides): None for a bot's or the sharer's own
    visitor_hash_prev: bytes | None
    # None: the settle job decides; False: decided at once (bot, the sharer's own signed-in click)
    counted: bool | None
    self: bool
    bot: bool
    preview: bool
    # the address alone under the day's key: one address counts a bounded number of clicks per link and day
    # and the anti-gaming check sees one address with many browsers as one visitor
    address_hash: bytes | None = None


class UnsettledClick(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    share_id: int
    at: datetime
    visitor_hash: bytes
    visitor_hash_prev: bytes | None
    address_hash: bytes | None = None
    self: bool
    person_id: int
    network: str
    campaign_id: int | None
    # a card share's click: counted like any other, but it earns no points (see shares.service.mark_published)
    card: bool = False
    sharer_tracked: bool


class SettleReport(msgspec.Struct, frozen=True, kw_only=True):
    settled: int
    counted: int
