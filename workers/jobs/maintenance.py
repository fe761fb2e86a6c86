"""Housekeeping cron jobs."""

from __future__ import annotations

from typing import Any

from advocacy.http.idempotency import KEEP_HOURS
from advocacy.identity.second_factor import purge_challenges
from advocacy.links.service import purge_click_batches


async def purge_idempotency_keys(ctx: dict[str, Any]) -> int:
    async with ctx["db"].transaction() as conn:
        status: str = await conn.execute(
            "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)", KEEP_HOURS
        )
    return int(status.split()[-1]) + await purge_click_batches(ctx["db"])


async def purge_sign_in_challenges(ctx: dict[str, Any]) -> int:
    return await purge_challenges(ctx["db"])
