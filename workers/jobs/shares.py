"""Shares and clicks cron jobs: release scheduled shares, settle clicks (24 h window, self, points)."""

from __future__ import annotations

from typing import Any

from advocacy.links.service import settle_clicks as settle
from advocacy.shares.service import release_scheduled


async def release_scheduled_shares(ctx: dict[str, Any]) -> int:
    """Cron: scheduled shares whose time came become ready."""
    return await release_scheduled(ctx["db"])


async def settle_clicks(ctx: dict[str, Any]) -> int:
    """Cron: decide which recorded clicks count; counted ones become point events through the outbox."""
    report = await settle(ctx["db"])
    return report.counted
