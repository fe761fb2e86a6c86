"""Compliance review of shares: the queue of held shares, approving or rejecting one (never one's own;
a share already out can be rejected after the fact), and the audit trail of these decisions."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import asyncpg

from advocacy.audit.service import write_audit
from advocacy.auth.schemas import Principal
from advocacy.core.errors import Conflict, Forbidden, NotFound
from advocacy.core.i18n import lazy_gettext
from advocacy.db.pool import Database
from advocacy.incentives.ledger.service import REVERSE_SHARE_JOB
from advocacy.outbox.service import enqueue
from advocacy.shares import queries
from advocacy.shares.reading import read_share, to_read
from advocacy.shares.schemas import AuditEntry, AuditFilter, HeldShareRead, Rejection, ShareRead, ShareRow
from advocacy.shares.service import make_ready


async def queue(
    db: Database, *, status: str, after_id: int | None, limit: int, public_base_url: str
) -> list[tuple[int, HeldShareRead]]:
    async with db.connection() as conn:
        rows = await queries.shares_page(conn, status=status, after_id=after_id, limit=limit)
    return [
        (
            r.id,
            HeldShareRead(
                share=to_read(r, public_base_url=public_base_url, mastodon_instance=None),
                person=r.person_public_id,
                person_name=r.person_name,
            ),
        )
        for r in rows
    ]


async def _decidable(conn: asyncpg.Connection, reviewer: Principal, share: UUID) -> ShareRow:
    row = await queries.share_by_public_id(conn, share, for_update=True)
    if row is None:
        raise NotFound(lazy_gettext("There is no such share"))
    if row.person_id == reviewer.person_id:
        raise Forbidden(lazy_gettext("You cannot review your own share"))
    return row


async def approve(db: Database, reviewer: Principal, share: UUID, *, public_base_url: str) -> ShareRead:
    async with db.transaction() as conn:
        row = await _decidable(conn, reviewer, share)
        if row.status != "held":
            raise Conflict(lazy_gettext("This share is %(status)s, not held", status=row.status))
        later = row.scheduled_for is not None and row.scheduled_for > datetime.now(UTC)
        if later:
            await queries.set_status(conn, row.id, "scheduled", reviewed_by=reviewer.person_id)
        else:
            await queries.set_status(conn, row.id, "held", reviewed_by=reviewer.person_id)
            await make_ready(conn, row.id)
        await write_audit(
            conn, actor_id=reviewer.person_id, action="share.approved", subject_type="share", subject_id=str(row.public_id),
            detail={"verdict": row.verdict.decision.value, "findings": [f.rule_id for f in row.verdict.findings],
                    "person": str(row.person_public_id), "network": row.network},
        )  # fmt: skip
        return await read_share(conn, row.id, public_base_url)


async def reject(
    db: Database, reviewer: Principal, share: UUID, body: Rejection, *, public_base_url: str
) -> ShareRead:
    """Held → rejected with the reason the employee sees; a share already out can be rejected after the fact
    (its points are taken back)."""
    async with db.transaction() as conn:
        row = await _decidable(conn, reviewer, share)
        if row.status not in ("held", "ready", "scheduled", "published"):
            raise Conflict(lazy_gettext("This share is already %(status)s", status=row.status))
        await queries.set_status(conn, row.id, "rejected", reason=body.reason, reviewed_by=reviewer.person_id)
        if row.status == "published":
            await enqueue(
                conn, REVERSE_SHARE_JOB, {"share_id": row.id, "reason": "rejected by compliance"},
                dedupe_key=f"{REVERSE_SHARE_JOB}:{row.id}",
            )  # fmt: skip
        await write_audit(
            conn, actor_id=reviewer.person_id, action="share.rejected", subject_type="share", subject_id=str(row.public_id),
            detail={"from": row.status, "reason": body.reason, "verdict": row.verdict.decision.value,
                    "findings": [f.rule_id for f in row.verdict.findings], "person": str(row.person_public_id),
                    "network": row.network},
        )  # fmt: skip
        return await read_share(conn, row.id, public_base_url)


async def audit_entries(
    db: Database, flt: AuditFilter, *, after_id: int | None, limit: int
) -> list[AuditEntry]:
    async with db.connection() as conn:
        return await queries.audit_page(conn, flt, after_id=after_id, limit=limit)
