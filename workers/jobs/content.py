"""Content library jobs: image renditions (through the outbox) and the RSS/Atom polling cron."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg

from advocacy.content.wiring import fetch_policy
from advocacy.outbox.service import Handler
from content_library.images import service as images
from content_library.sources import service as sources

log = logging.getLogger("workers.content")


async def renditions(conn: asyncpg.Connection, args: dict[str, Any], ctx: dict[str, Any]) -> None:
    """Make an asset's renditions; a transient failure is shown on the item and the outbox retries it."""
    asset_id = int(args["asset_id"])
    try:
        async with conn.transaction():
            await images.make_asset_renditions(
                conn, ctx["storage"], asset_id, max_pixels=ctx["settings"].max_image_pixels
            )
    except Exception as exc:
        await images.record_renditions_failure(
            ctx["db"], asset_id, f"{type(exc).__name__}: {exc} (will be retried)"[:500]
        )
        raise


async def poll_content_sources(ctx: dict[str, Any]) -> int:
    """Poll every active RSS/Atom source; returns how many drafts were created."""
    results = await sources.poll_sources(ctx["db"], policy=fetch_policy(ctx["settings"]))
    return sum(r.created for r in results)


HANDLERS: dict[str, Handler] = {images.RENDITIONS_JOB: renditions}
