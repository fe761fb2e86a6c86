"""The `mail.send` outbox job: a thin call into advocacy.mail with the identity domain's link minters."""

from __future__ import annotations

from typing import Any

import asyncpg

from advocacy.identity.service import MINTERS
from advocacy.mail.service import SEND_JOB, deliver
from advocacy.mail.transport import transport_from_settings
from advocacy.outbox.service import Handler


async def send_mail(conn: asyncpg.Connection, args: dict[str, Any], ctx: dict[str, Any]) -> None:
    settings = ctx["settings"]
    transport = ctx.get("mail") or transport_from_settings(settings)
    # Its own small pool (see workers/settings.py): the job already holds a connection of the main one.
    side = ctx.get("side_db") or ctx["db"]
    await deliver(conn, side, int(args["mail_id"]), transport=transport, settings=settings, minters=MINTERS)


HANDLERS: dict[str, Handler] = {SEND_JOB: send_mail}
