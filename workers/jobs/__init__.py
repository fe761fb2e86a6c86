"""Outbox job handlers by name: each is a thin call into a service of `advocacy` or `content_library`."""

from __future__ import annotations

from advocacy.ambassadors.service import OPTED_OUT_JOB
from advocacy.connectors.publishing import PUBLISH_JOB
from advocacy.incentives.boards.service import REBUILD_JOB
from advocacy.outbox.service import Handler
from content_library.images.service import RENDITIONS_JOB
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


# Jobs that need longer than the outbox's default minute: publishing waits out a Retry-After of up to
# PUBLISH_MAX_INLINE_WAIT_SECONDS (30 s) around several network calls of up to CONNECTOR_TIMEOUT_SECONDS
# (15 s) each; an opt-out revokes an account at each network; renditions are CPU-bound Pillow work; a
# rebuild reads the whole ledger (9 to 17 s at a million rows).
OUTBOX_TIMEOUTS: dict[str, float] = {
    PUBLISH_JOB: 180.0,
    OPTED_OUT_JOB: 120.0,
    RENDITIONS_JOB: 120.0,
    REBUILD_JOB: 900.0,
}
