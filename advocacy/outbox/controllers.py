"""Admin view of the outbox: list rows (parked ones above all) and retry a parked row."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromPath, QueryParameter

from advocacy.core.roles import Role
from advocacy.http.deps import DbDep
from advocacy.http.guards import Allow
from advocacy.http.pagination import Cursor, Limit, Page, decode_cursor, page_of
from advocacy.http.untrusted import Int64Key
from advocacy.outbox import service
from advocacy.outbox.schemas import OutboxRow, OutboxStatus


class OutboxController(Controller):
    path = "/api/v1/admin/outbox"
    tags = ["admin"]
    guards = [Allow(Role.ADMIN)]

    @get("/", operation_id="listOutbox")
    async def list_rows(
        self,
        db: DbDep,
        status: Annotated[OutboxStatus | None, QueryParameter(description="Only rows in this state")] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> Page[OutboxRow]:
        """Outbox rows, newest first; `status=parked` lists the ones that gave up."""
        after = decode_cursor(cursor, tuple[int])
        rows = await service.list_rows(
            db, status=status, after_id=after[0] if after else None, limit=limit + 1
        )
        return page_of(rows, limit, key=lambda row: (row.id,))

    @post("/{row_id:int}/retry", operation_id="retryOutboxRow", status_code=202)
    async def retry(self, row_id: FromPath[Int64Key], db: DbDep) -> None:
        """Put a parked row back in the queue with its tries reset."""
        await service.retry(db, row_id)
