"""Running the queued mail jobs in tests with a transport that keeps each message, to follow its links."""

from __future__ import annotations

import re
from email.message import EmailMessage
from typing import Any

from advocacy.db.pool import Database
from advocacy.mail.transport import BeforeData
from advocacy.outbox.service import run_row
from advocacy.settings import Settings
from workers.jobs import outbox_handlers


class Outbox:
    """A mail transport that keeps what it is given (the worker's job runs for real otherwise)."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage, *, before_data: BeforeData) -> None:
        await before_data()
        self.sent.append(message)

    async def deliver(self, db: Database, settings: Settings) -> list[EmailMessage]:
        """Run every pending mail job; returns the messages sent by this call."""
        before = len(self.sent)
        ctx: dict[str, Any] = {"db": db, "side_db": db, "settings": settings, "mail": self}
        async with db.connection() as conn:
            rows = await conn.fetch(
                "SELECT id FROM outbox WHERE status = 'pending' AND job = 'mail.send' ORDER BY id"
            )
        for row in rows:
            assert await run_row(db, row["id"], outbox_handlers(), ctx, max_attempts=3) == "done"
        return self.sent[before:]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    content: str = body.get_content()
    return content


def token_in(message: EmailMessage, path: str) -> str:
    match = re.search(re.escape(path) + r"\?token=([A-Za-z0-9_-]+)", text_of(message))
    assert match, text_of(message)
    return match.group(1)
