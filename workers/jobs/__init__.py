"""Outbox job handlers by name: each is a thin call into a service of `advocacy` or `content_library`."""

from __future__ import annotations

from advocacy.outbox.service import Handler
from workers.jobs import ambassadors, content, incentives, mail, publishing


def outbox_handlers() -> dict[str, Handler]:
    """Every job the outbox can name; a domain adds its handlers here."""
    return {
        **ambassadors.HANDLERS,
        **content.HANDLERS,
        **incentives.HANDLERS,
        **mail.HANDLERS,
        **publishing.HANDLERS,
    }
