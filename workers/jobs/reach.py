"""Reach cron: snapshots of direct shares' likes, comments, reposts and impressions; follower counts."""

from __future__ import annotations

from typing import Any

from advocacy.connectors.crypto import TokenCipher
from advocacy.connectors.registry import Registry, open_registry
from advocacy.connectors.service import purge_states
from advocacy.reach.service import poll_metrics


async def poll_share_metrics(ctx: dict[str, Any]) -> int:
    settings = ctx["settings"]
    cipher = TokenCipher.from_settings(settings)
    registry: Registry | None = ctx.get("registry")
    await purge_states(ctx["db"])
    if registry is not None:
        return await poll_metrics(ctx["db"], registry, cipher)
    async with open_registry(settings) as opened:
        return await poll_metrics(ctx["db"], opened, cipher)
