"""Jobs that follow a consent change."""

from __future__ import annotations

from typing import Any

import asyncpg

from advocacy.ambassadors.cleanup import forget_opted_out
from advocacy.ambassadors.service import OPTED_OUT_JOB
from advocacy.outbox.service import Handler


async def opted_out(conn: asyncpg.Connection, args: dict[str, Any], ctx: dict[str, Any]) -> None:
    await forget_opted_out(conn, ctx["redis"], ctx["settings"].redis_namespace, int(args["person_id"]))


HANDLERS: dict[str, Handler] = {OPTED_OUT_JOB: opted_out}
