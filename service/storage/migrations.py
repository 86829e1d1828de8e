"""Applies ``migrations/NNNN_name.sql`` in order, each in its own transaction.

Each applied file is recorded with its checksum; a changed file stops ``migrate``.
An advisory lock makes two processes migrating at once safe.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from service.storage.database import Connection

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
_LOCK_KEY = 0x5375_6976_6901  # "Suivi" + 1: any constant shared by every Suivi process
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class MigrationError(Exception):
    """A migration file is malformed, or one already applied has changed."""


@dataclass(frozen=True)
class Migration:
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        if not _NAME.match(path.name):
            raise MigrationError(f"migration file name must look like 0001_name.sql: {path.name}")
        migrations.append(Migration(path.name, path.read_text()))
    numbers = [m.name[:4] for m in migrations]
    if len(set(numbers)) != len(numbers):
        raise MigrationError("two migration files share a number")
    return migrations


async def migrate(connection: Connection, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply the pending migrations; return the names applied by this call."""
    migrations = discover(directory)
    await connection.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await connection.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   name text PRIMARY KEY,
                   checksum text NOT NULL,
                   applied_at timestamptz NOT NULL DEFAULT now())"""
        )
        rows = await connection.fetch("SELECT name, checksum FROM schema_migrations")
        applied: dict[str, str] = {row["name"]: row["checksum"] for row in rows}
        _refuse_changed(migrations, applied)
        done = []
        for migration in migrations:
            if migration.name in applied:
                continue
            async with connection.transaction():
                await connection.execute(migration.sql)
                await connection.execute(
                    "INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)",
                    migration.name,
                    migration.checksum,
                )
            done.append(migration.name)
        return done
    finally:
        await connection.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)


def _refuse_changed(migrations: list[Migration], applied: dict[str, str]) -> None:
    known = {m.name: m for m in migrations}
    for name, checksum in applied.items():
        if name not in known:
            raise MigrationError(f"applied migration {name} is missing from {MIGRATIONS_DIR.name}/")
        if known[name].checksum != checksum:
            raise MigrationError(
                f"applied migration {name} has changed since it was applied; "
                "add a new migration instead of editing an applied one"
            )
