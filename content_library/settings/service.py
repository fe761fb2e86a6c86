"""Decisions about the library's settings: read them, and change them (validated before anything is
written; keys other domains keep in the organisation's settings are left alone)."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from content_library.ports import Transactional
from content_library.settings import queries
from content_library.settings.schemas import LibrarySettings


async def current(conn: asyncpg.Connection, *, for_update: bool = False) -> LibrarySettings:
    """The settings as they are in this transaction (locked with for_update, before a change)."""
    return await queries.library_settings(conn, for_update=for_update)


async def merge(conn: asyncpg.Connection, values: dict[str, Any]) -> None:
    """Set these keys of the settings in this transaction (the caller validated them)."""
    await queries.merge_library_settings(conn, values)


async def library_settings(db: Transactional) -> LibrarySettings:
    async with db.connection() as conn:
        return await queries.library_settings(conn)


async def set_library_settings(db: Transactional, **values: Any) -> LibrarySettings:
    known = {k: v for k, v in values.items() if k in LibrarySettings.__struct_fields__}
    merged = msgspec.convert(known, LibrarySettings)  # validates before writing
    async with db.transaction() as conn:
        await queries.merge_library_settings(
            conn, {k: v for k, v in msgspec.to_builtins(merged).items() if k in known}
        )
        return await queries.library_settings(conn)
