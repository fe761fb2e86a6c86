"""Incentives jobs: award point events, reverse or release a share's points, rebuild boards, close
challenges. Each is a thin call into advocacy.incentives and safe to run twice (ledger keys, fold markers)."""

from __future__ import annotations

from typing import Any

import asyncpg

from advocacy.incentives.boards import service as boards
from advocacy.incentives.challenges import service as challenges
from advocacy.incentives.ledger import service
from advocacy.outbox.service import Handler


async def award(conn: asyncpg.Connection, args: dict[str, Any], ctx: dict[str, Any]) -> None:
    """args: {"events": [PointEvent as JSON, ...]} (ids and small values only)."""
    await service.award_and_rank(
        conn, ctx["redis"], ctx["settings"].redis_namespace, service.events_from_args(args)
    )


async def reverse_share(conn: asyncpg.Connection, args: dict[str, Any], ctx: dict[str, Any]) -> None:
    """args: {"share_id": int, "reason": str | None}."""
    await service.reverse_share(
        conn, ctx["redis"], ctx["settings"].redis_namespace, int(args["share_id"]), args.get("reason")
    )


async def release_share(conn: asyncpg.Connection, args: dict[str, Any], ctx: dict[str, Any]) -> None:
    await service.release_share(conn, ctx["redis"], ctx["settings"].redis_namespace, int(args["share_id"]))


async def rebuild_boards(conn: asyncpg.Connection, args: dict[str, Any], ctx: dict[str, Any]) -> None:
    await boards.rebuild(conn, ctx["redis"], ctx["settings"].redis_namespace)


async def close_challenges(ctx: dict[str, Any]) -> int:
    """Cron: record the results of challenges that have ended."""
    return await challenges.close_due(ctx["db"])


HANDLERS: dict[str, Handler] = {
    service.AWARD_JOB: award,
    service.REVERSE_SHARE_JOB: reverse_share,
    service.RELEASE_SHARE_JOB: release_share,
    boards.REBUILD_JOB: rebuild_boards,
}
