"""SQL of the library's settings, and only SQL: its keys of the organisation's settings, read and merged
through advocacy.core.organisation (the organisation's one reader and writer)."""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec

from advocacy.core.organisation import merge_settings, read_organisation
from content_library.settings.schemas import LibrarySettings


async def library_settings(conn: asyncpg.Connection, *, for_update: bool = False) -> LibrarySettings:
    raw = (await read_organisation(conn, for_update=for_update)).settings
    known = {k: v for k, v in raw.items() if k in LibrarySettings.__struct_fields__}
    try:
        return msgspec.convert(known, LibrarySettings)
    except msgspec.ValidationError:
        return LibrarySettings()


async def merge_library_settings(conn: asyncpg.Connection, values: dict[str, Any]) -> None:
    await merge_settings(conn, values)
