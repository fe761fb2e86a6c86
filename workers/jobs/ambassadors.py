"""Jobs that follow a consent change."""

from __future__ import annotations

from typing import Any

import asyncpg

from advocacy.ambassadors.cleanup import forget_opted_out
from advocacy.ambassadors.service import OPTED_IN_AGAIN_JOB, OPTED_OUT_JOB
from advocacy.connectors.crypto import TokenCipher
from advocacy.connectors.registry import Registry, open_registry
from advocacy.connectors.service import revoke_and_delete_all
from advocacy.incentives.boards.service import restore_person
from advocacy.outbox.service import Handler


async def opted_out(conn: asyncpg.Connection, args: dict[str, Any], ctx: dict[str, Any]) -> None:
    await forget_opted_out(conn, ctx["redis"], ctx["settings"].redis_namespace, int(args["person_id"]))
    # Connected accounts go whatever happened since: revoked at each network, deleted here.
    registry: Registry | None = ctx.get("registry")
    cipher = TokenCipher.from_settings(ctx["settings"])
    if registry is None:
        async with open_registry(ctx["settings"]) as opened:
            await revoke_and_delete_all(conn, ctx["db"], opened, cipher, int(args["person_id"]))
    else:
        await revoke_and_delete_all(conn, ctx["db"], registry, cipher, int(args["person_id"]))


async def opted_in_again(conn: asyncpg.Connection, args: dict[str, Any], ctx: dict[str, Any]) -> None:
    await restore_person(
        conn,
        ctx["redis"],
        ctx["settings"].redis_namespace,
        int(args["person_id"]),
        upto=int(args["ledger_upto"]),
        occasion=f"opted-in-again:{args['consent_event']}",
    )


HANDLERS: dict[str, Handler] = {OPTED_OUT_JOB: opted_out, OPTED_IN_AGAIN_JOB: opted_in_again}
