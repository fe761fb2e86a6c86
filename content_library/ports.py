"""What the content library needs from whoever runs it, handed in rather than imported: a database (a unit
of work, or a connection for reads), the outbox's enqueue, and the clock."""

from __future__ import annotations

from collections.abc import Awaitable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any, Protocol

import asyncpg


class Transactional(Protocol):
    """What services need of the database: a unit of work, or a connection for reads."""

    def transaction(self) -> AbstractAsyncContextManager[asyncpg.Connection]: ...

    def connection(self) -> AbstractAsyncContextManager[asyncpg.Connection]: ...


class Enqueue(Protocol):
    """The outbox's `enqueue`, handed in by the caller (the library does not import the service)."""

    def __call__(
        self,
        conn: asyncpg.Connection,
        job: str,
        args: dict[str, Any] | None = None,
        *,
        dedupe_key: str | None = None,
    ) -> Awaitable[int | None]: ...


def now() -> datetime:
    return datetime.now(UTC)
