"""Direct publishing: the `shares.publish` outbox job, a thin call into advocacy.connectors.publishing."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from advocacy.connectors.crypto import TokenCipher
from advocacy.connectors.publishing import PUBLISH_JOB, Publisher
from advocacy.connectors.registry import Registry, open_registry
from advocacy.outbox.service import Handler


async def publish_share(conn: asyncpg.Connection, args: dict[str, Any], ctx: dict[str, Any]) -> None:
    settings = ctx["settings"]
    registry: Registry | None = ctx.get("registry")
    if registry is None:
        async with open_registry(settings) as opened:
            await _run(conn, int(args["share_id"]), ctx, opened)
    else:
        await _run(conn, int(args["share_id"]), ctx, registry)


async def _run(conn: asyncpg.Connection, share_id: int, ctx: dict[str, Any], registry: Registry) -> None:
    publisher = Publisher(
        ctx["db"],
        registry,
        TokenCipher.from_settings(ctx["settings"]),
        ctx.get("storage"),
        sleep=ctx.get("sleep", asyncio.sleep),
    )
    await publisher.publish(conn, share_id)


HANDLERS: dict[str, Handler] = {PUBLISH_JOB: publish_share}
