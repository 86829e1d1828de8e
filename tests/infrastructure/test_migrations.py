"""Migrations apply in order, once, with checksums, and safely from two processes."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from service.storage.migrations import MIGRATIONS_DIR, MigrationError, migrate


@pytest.fixture
async def empty_database(server_url: str) -> AsyncIterator[str]:
    from tests.conftest import with_database

    admin = await asyncpg.connect(server_url)
    await admin.execute("DROP DATABASE IF EXISTS suivi_migration_test WITH (FORCE)")
    await admin.execute("CREATE DATABASE suivi_migration_test")
    yield with_database(server_url, "suivi_migration_test")
    await admin.execute("DROP DATABASE suivi_migration_test WITH (FORCE)")
    await admin.close()


async def test_migrations_apply_in_order_and_only_once(empty_database: str) -> None:
    connection = await asyncpg.connect(empty_database)
    try:
        applied = await migrate(connection)
        assert applied == sorted(p.name for p in MIGRATIONS_DIR.glob("*.sql"))
        assert await migrate(connection) == []
        recorded = await connection.fetch("SELECT name, checksum FROM schema_migrations ORDER BY name")
        assert [r["name"] for r in recorded] == applied and all(len(r["checksum"]) == 64 for r in recorded)
    finally:
        await connection.close()


async def test_changed_applied_migration_stops_migrate(empty_database: str, tmp_path: Path) -> None:
    copied = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, copied)
    connection = await asyncpg.connect(empty_database)
    try:
        await migrate(connection, copied)
        first = sorted(copied.glob("*.sql"))[0]
        first.write_text(first.read_text() + "\n-- edited after it was applied\n")
        with pytest.raises(MigrationError, match=re.escape(f"{first.name} has changed")):
            await migrate(connection, copied)
    finally:
        await connection.close()


async def test_failed_migration_leaves_nothing_half_written(empty_database: str, tmp_path: Path) -> None:
    (tmp_path / "0001_good.sql").write_text("CREATE TABLE good (id int);")
    (tmp_path / "0002_bad.sql").write_text("CREATE TABLE half (id int); SELECT no_such_function();")
    connection = await asyncpg.connect(empty_database)
    try:
        with pytest.raises(asyncpg.UndefinedFunctionError):
            await migrate(connection, tmp_path)
        tables = {
            r["tablename"]
            for r in await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
        assert "good" in tables and "half" not in tables
        assert [r["name"] for r in await connection.fetch("SELECT name FROM schema_migrations")] == ["0001_good.sql"]
    finally:
        await connection.close()


async def test_two_processes_migrating_at_once_apply_each_file_once(empty_database: str) -> None:
    connections = [await asyncpg.connect(empty_database) for _ in range(2)]
    try:
        results = await asyncio.gather(*(migrate(c) for c in connections))
        assert sorted(results[0] + results[1]) == sorted(p.name for p in MIGRATIONS_DIR.glob("*.sql"))
    finally:
        for connection in connections:
            await connection.close()


def test_badly_named_migration_file_is_refused(tmp_path: Path) -> None:
    from service.storage.migrations import discover

    (tmp_path / "1_oops.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match=r"0001_name\.sql"):
        discover(tmp_path)
