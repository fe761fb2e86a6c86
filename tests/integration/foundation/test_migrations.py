"""The migration runner on a throwaway database: order, checksums, idempotence, changed files, concurrency."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from advocacy.db.migrations import (
    MigrationError,
    bundled_migrations,
    load_migrations,
    migrate,
    pending_migrations,
)
from tests.conftest import Stores, with_database


@pytest.fixture
async def blank_dsn(stores: Stores) -> AsyncIterator[str]:
    """A database created for this test alone, dropped afterwards."""
    name = f"advocacy_migrations_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(stores.admin_database_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield with_database(stores.admin_database_url, name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def blank(blank_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(blank_dsn)
    try:
        yield conn
    finally:
        await conn.close()


def write(folder: Path, name: str, sql: str) -> None:
    (folder / name).write_text(sql)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    # Written newest first: the runner must order by number, not by how the files were made.
    write(tmp_path, "0003_add_index.sql", "CREATE INDEX ledger_note_idx ON ledger (note);")
    write(tmp_path, "0002_add_column.sql", "ALTER TABLE ledger ADD COLUMN note text;")
    write(tmp_path, "0001_create_ledger.sql", "CREATE TABLE ledger (id int PRIMARY KEY);")
    write(tmp_path, "README.txt", "not a migration")
    return tmp_path


async def test_migrations_are_applied_in_order_and_recorded_with_their_checksum(
    blank: asyncpg.Connection, folder: Path
) -> None:
    applied = await migrate(blank, load_migrations(folder))
    assert applied == ["0001_create_ledger.sql", "0002_add_column.sql", "0003_add_index.sql"]
    rows = await blank.fetch("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
    assert [(r["version"], r["name"]) for r in rows] == [
        (1, "0001_create_ledger.sql"),
        (2, "0002_add_column.sql"),
        (3, "0003_add_index.sql"),
    ]
    for row in rows:
        assert row["checksum"] == hashlib.sha256((folder / row["name"]).read_bytes()).hexdigest()
    assert await blank.fetchval("SELECT to_regclass('ledger_note_idx') IS NOT NULL")


async def test_running_migrate_twice_applies_nothing_the_second_time(
    blank: asyncpg.Connection, folder: Path
) -> None:
    await migrate(blank, load_migrations(folder))
    assert await migrate(blank, load_migrations(folder)) == []
    assert await blank.fetchval("SELECT count(*) FROM schema_migrations") == 3


async def test_a_new_migration_file_is_the_only_one_applied_next_time(
    blank: asyncpg.Connection, folder: Path
) -> None:
    await migrate(blank, load_migrations(folder))
    write(folder, "0004_more.sql", "ALTER TABLE ledger ADD COLUMN amount int;")
    assert await pending_migrations(blank, load_migrations(folder)) == load_migrations(folder)[3:]
    assert await migrate(blank, load_migrations(folder)) == ["0004_more.sql"]


async def test_a_changed_applied_migration_stops_with_an_error_naming_the_file(
    blank: asyncpg.Connection, folder: Path
) -> None:
    await migrate(blank, load_migrations(folder))
    write(folder, "0002_add_column.sql", "ALTER TABLE ledger ADD COLUMN note varchar(10);")
    write(folder, "0004_more.sql", "ALTER TABLE ledger ADD COLUMN amount int;")
    with pytest.raises(MigrationError, match=r"0002_add_column\.sql was changed after it was applied"):
        await migrate(blank, load_migrations(folder))
    assert await blank.fetchval("SELECT max(version) FROM schema_migrations") == 3


async def test_a_migration_that_fails_leaves_nothing_of_itself_behind(
    blank: asyncpg.Connection, folder: Path
) -> None:
    write(folder, "0004_broken.sql", "CREATE TABLE half (id int); SELECT no_such_function();")
    with pytest.raises(asyncpg.UndefinedFunctionError):
        await migrate(blank, load_migrations(folder))
    assert await blank.fetchval("SELECT max(version) FROM schema_migrations") == 3
    assert await blank.fetchval("SELECT to_regclass('half') IS NULL")
    # the lock was released: another run can proceed once the file is fixed
    write(folder, "0004_broken.sql", "CREATE TABLE half (id int);")
    assert await asyncio.wait_for(migrate(blank, load_migrations(folder)), 5) == ["0004_broken.sql"]


async def test_a_database_ahead_of_the_code_is_refused(blank: asyncpg.Connection, folder: Path) -> None:
    await migrate(blank, load_migrations(folder))
    (folder / "0003_add_index.sql").unlink()
    with pytest.raises(
        MigrationError, match=r"0003_add_index\.sql which this version of Advocacy does not know"
    ):
        await migrate(blank, load_migrations(folder))


def test_a_badly_named_migration_file_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "1_Create.sql", "SELECT 1;")
    with pytest.raises(MigrationError, match=r"1_Create\.sql must be named NNNN_lowercase_name\.sql"):
        load_migrations(tmp_path)


def test_two_migration_files_with_one_number_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "0001_a.sql", "SELECT 1;")
    write(tmp_path, "0001_b.sql", "SELECT 1;")
    with pytest.raises(MigrationError, match="share a number"):
        load_migrations(tmp_path)


async def test_two_replicas_migrating_at_once_both_finish_and_each_migration_runs_once(
    blank_dsn: str, tmp_path: Path
) -> None:
    # Each migration takes a moment and would fail if it ran twice (CREATE TABLE, unique counter row).
    write(tmp_path, "0001_runs.sql", "CREATE TABLE runs (version int PRIMARY KEY); SELECT pg_sleep(0.2);")
    write(tmp_path, "0002_second.sql", "INSERT INTO runs VALUES (2); SELECT pg_sleep(0.2);")
    write(tmp_path, "0003_third.sql", "INSERT INTO runs VALUES (3); CREATE TABLE third (id int);")
    known = load_migrations(tmp_path)
    first, second = await asyncpg.connect(blank_dsn), await asyncpg.connect(blank_dsn)
    try:
        results = await asyncio.wait_for(asyncio.gather(migrate(first, known), migrate(second, known)), 10)
        assert sorted(results, key=len) == [[], ["0001_runs.sql", "0002_second.sql", "0003_third.sql"]]
        assert [r["version"] for r in await first.fetch("SELECT version FROM runs ORDER BY 1")] == [2, 3]
        assert await first.fetchval("SELECT count(*) FROM schema_migrations") == 3
    finally:
        await first.close()
        await second.close()


async def test_the_bundled_migrations_apply_cleanly_to_an_empty_database(blank: asyncpg.Connection) -> None:
    applied = await migrate(blank)
    assert applied == [m.name for m in bundled_migrations()]
    assert await pending_migrations(blank) == []
