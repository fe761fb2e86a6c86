"""Outgoing mail: `queue` in the caller's unit of work (a mail row and its outbox row), and `deliver`,
which the worker's `mail.send` job runs.

A message is sent at most once even if the worker dies: the row is marked `sending` (committed on a
connection of its own) once the server has accepted sender and recipient, right before the message goes;
a later run that finds it still `sending` cannot know whether the server took it, so it does not send it
again (status `unknown`, outbox row parked for an admin). A 4xx answer puts it back in the queue (the
outbox retries with backoff); a 5xx parks it at once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from advocacy.db.pool import Database
from advocacy.mail import queries
from advocacy.mail.render import build_message, render
from advocacy.mail.schemas import MailKind, MailRow, Recipient
from advocacy.mail.transport import MailRefused, Transport
from advocacy.outbox.service import PermanentFailure, enqueue_many
from advocacy.settings import Settings

log = logging.getLogger("advocacy.mail")

SEND_JOB = "mail.send"

# Turns a message's subject_ref (an invitation, a reset) into what its template needs, typically a link with
# a fresh token whose hash it stores; None when the message is no longer wanted (revoked, used, expired).
# It runs in a transaction committed before the message goes, so the link works as soon as it is read.
Minter = Callable[[asyncpg.Connection, MailRow, Settings], Awaitable[dict[str, Any] | None]]


def new_message_id(settings: Settings) -> str:
    return f"<{uuid.uuid4().hex}@{urlsplit(settings.public_base_url).hostname}>"


async def queue(
    conn: asyncpg.Connection,
    settings: Settings,
    kind: MailKind,
    recipients: list[Recipient],
    context: dict[str, Any] | None = None,
) -> list[int]:
    """Queue one message per recipient (same kind and context) in the caller's transaction."""
    if not recipients:
        return []
    ids = await queries.insert_mail(
        conn,
        kind=kind,
        recipients=recipients,
        message_ids=[new_message_id(settings) for _ in recipients],
        context=context or {},
    )
    await enqueue_many(
        conn, SEND_JOB, [{"mail_id": mail_id} for mail_id in ids], dedupe_keys=[f"mail:{i}" for i in ids]
    )
    return ids


async def deliver(
    conn: asyncpg.Connection,
    side: Database,
    mail_id: int,
    *,
    transport: Transport,
    settings: Settings,
    minters: dict[str, Minter],
) -> str:
    """Send one queued message; `conn` is the outbox row's transaction, `side` commits on its own."""
    row = await queries.mail_by_id(conn, mail_id)
    if row is None:
        return "missing"
    if row.status in ("sent", "failed", "unknown", "cancelled"):
        return row.status
    if row.status == "sending":
        reason = (
            "the worker stopped while the mail server was taking this message; it is not sent again, so"
            " that nobody receives it twice"
        )
        async with side.transaction() as own:
            await queries.set_status(own, mail_id, "unknown", reason)
        raise PermanentFailure(reason)
    context = dict(row.context)
    minter = minters.get(row.kind)
    if minter is not None and row.subject_ref is not None:
        async with side.transaction() as own:
            minted = await minter(own, row, settings)
        if minted is None:
            await queries.set_status(
                conn, mail_id, "cancelled", "no longer wanted (revoked, used or expired)"
            )
            return "cancelled"
        context.update(minted)
    message = build_message(row, render(row.kind, row.language, context), sender=settings.sender)

    async def before_data() -> None:
        async with side.transaction() as own:
            await queries.mark_sending(own, mail_id)

    try:
        await transport.send(message, before_data=before_data)
    except MailRefused as exc:
        status = "failed" if exc.permanent else "queued"
        async with side.transaction() as own:
            await queries.set_status(own, mail_id, status, str(exc))
        if exc.permanent:
            raise PermanentFailure(f"the mail server refused the message for good: {exc}") from exc
        raise
    await queries.set_status(conn, mail_id, "sent")
    return "sent"


async def mail_of_person(db: Database, person_id: int) -> list[MailRow]:
    async with db.connection() as conn:
        return await queries.mail_of_person(conn, person_id)
