"""The migration runner: numbered .sql files applied in order, each in a transaction, under an advisory lock."""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path

import asyncpg
import msgspec

# Any constant works; it only has to be the same for every replica.
_ADVISORY_LOCK_KEY = 0x4144564F  # "ADVO"
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class MigrationError(Exception):
    """The database is not in a state migrations can move forward from."""


class Migration(msgspec.Struct, frozen=True, kw_only=True):
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def bundled_migrations() -> list[Migration]:
    folder = resources.files("advocacy.db") / "migrations"
    return load_migrations(Path(str(folder)))


def load_migrations(folder: Path) -> list[Migration]:
    found: list[Migration] = []
    for path in sorted(folder.iterdir()):
        if path.suffix != ".sql":
            continue
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"migration file {path.name} must be named NNNN_lowercase_name.sql")
        found.append(Migration(version=int(match.group(1)), name=path.name, sql=path.read_text()))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError("two migration files share a number: " + ", ".join(m.name for m in found))
    return found


_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


async def applied_migrations(conn: asyncpg.Connection) -> dict[int, tuple[str, str]]:
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return {}
    rows = await conn.fetch("SELECT version, name, checksum FROM schema_migrations")
    return {r["version"]: (r["name"], r["checksum"]) for r in rows}


def check_applied(known: list[Migration], applied: dict[int, tuple[str, str]]) -> list[Migration]:
    """Return the pending migrations; refuse if an applied one was changed or is unknown to this code."""
    by_version = {m.version: m for m in known}
    for version, (name, checksum) in sorted(applied.items()):
        migration = by_version.get(version)
        if migration is None:
            raise MigrationError(
                f"the database has migration {name} which this version of Advocacy does not know: "
                "run a newer release"
            )
        if migration.checksum != checksum:
            raise MigrationError(
                f"migration {migration.name} was changed after it was applied "
                f"(checksum {checksum[:12]} in the database, {migration.checksum[:12]} on disk): "
                "restore the original file and put the change in a new migration"
            )
    return [m for m in known if m.version not in applied]


async def pending_migrations(
    conn: asyncpg.Connection, known: list[Migration] | None = None
) -> list[Migration]:
    return check_applied(known or bundled_migrations(), await applied_migrations(conn))


async def migrate(conn: asyncpg.Connection, known: list[Migration] | None = None) -> list[str]:
    """Apply every pending migration; returns the names applied. Safe to run from many replicas at once."""
    known = bundled_migrations() if known is None else known
    await conn.execute("SELECT pg_advisory_lock($1)", _ADVISORY_LOCK_KEY)
    try:
        await conn.execute(_CREATE_TABLE)
        pending = check_applied(known, await applied_migrations(conn))
        done: list[str] = []
        for migration in pending:
            async with conn.transaction():
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                    migration.version,
                    migration.name,
                    migration.checksum,
                )
            done.append(migration.name)
        return done
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _ADVISORY_LOCK_KEY)
