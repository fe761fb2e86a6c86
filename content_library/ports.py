"""What the content library needs from whoever runs it, handed in rather than imported: a database (a unit
of work, or a connection for reads), the outbox's enqueue, the clock, and what it asks the people domain."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

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


TeamIds = Callable[[asyncpg.Connection, Sequence[UUID]], Awaitable[dict[UUID, int]]]
"""The people domain's answer to "which teams have these public ids?" (internal ids; unknown ones absent)."""


class Member(Protocol):
    """Whom an item's audience is matched against: a person's team, location (lower-cased) and language."""

    @property
    def team_id(self) -> int | None: ...

    @property
    def location(self) -> str | None: ...

    @property
    def language(self) -> str: ...
