"""Read-model rows about a person: counted for a dry run, deleted at erasure and after a restore.

Erasure purges synchronously, in one transaction, every table of every read-model schema
(``rm_*``) that has a ``person_id`` column, plus the person's idempotency records (their
stored responses may name a file number). The projections also drop the person when they
reach the tombstone, so a projection that lags behind, or a restored one, ends up clean
either way. The statistics keep only pseudonymous counters; their projection drops the
person's pseudonym rows on the tombstone and adds the person to ``people_served_erased``.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from service.documents import store as documents
from service.readmodels.registry import PROJECTION_SCHEMAS
from service.storage.database import Connection, crossing_retried

_SCHEMA_TO_PROJECTION = {schema: name for name, schema in PROJECTION_SCHEMAS.items()}


async def _person_tables(db: Connection) -> list[tuple[str, str]]:
    rows = await db.fetch(
        r"""SELECT table_schema, table_name FROM information_schema.columns
            WHERE column_name = 'person_id' AND table_schema LIKE 'rm\_%'
            ORDER BY table_schema, table_name"""
    )
    return [(row["table_schema"], row["table_name"]) for row in rows]


def _projection(schema: str) -> str:
    return _SCHEMA_TO_PROJECTION.get(schema.removesuffix("_rebuild"), schema)


async def count_rows(db: Connection, person_id: UUID) -> dict[str, int]:
    """Rows about the person per projection (only projections that hold some)."""
    counts: dict[str, int] = {}
    for schema, table in await _person_tables(db):
        found = int(await db.fetchval(f'SELECT count(*) FROM "{schema}"."{table}" WHERE person_id = $1', person_id))
        if found:
            counts[_projection(schema)] = counts.get(_projection(schema), 0) + found
    return counts


async def purge(db: Connection, person_ids: Sequence[UUID]) -> int:
    """Delete every read-model row and idempotency record about these people. Returns rows deleted.

    A projection's batch may be writing the same rows meanwhile, in another order: a deadlock
    PostgreSQL breaks is a transaction to do again, not an erasure that failed.
    """
    ids = list(person_ids)
    if not ids:
        return 0
    return await crossing_retried(lambda: _purge(db, ids))


async def _purge(db: Connection, ids: list[UUID]) -> int:
    deleted = 0
    async with db.transaction():
        for schema, table in await _person_tables(db):
            status = await db.execute(f'DELETE FROM "{schema}"."{table}" WHERE person_id = ANY($1::uuid[])', ids)
            deleted += int(status.split()[-1])
        for schema in ("rm_directory", "rm_directory_rebuild"):
            if await db.fetchval("SELECT to_regclass($1)", f"{schema}.people"):
                await db.execute(
                    f"""UPDATE {schema}.people SET possible_duplicates = ARRAY(
                            SELECT d FROM unnest(possible_duplicates) d WHERE d <> ALL($1::uuid[]))
                        WHERE possible_duplicates && $1::uuid[]""",
                    ids,
                )
        status = await db.execute(
            """DELETE FROM command_results WHERE stream_ids && ARRAY(
                   SELECT DISTINCT stream_id FROM events WHERE subject_id = ANY($1::uuid[]))""",
            ids,
        )
        deleted += int(status.split()[-1])
        deleted += await documents.purge(db, ids)  # with their keys already, by cascade; and here too
        # The reminders' outbox holds no plaintext (their events are shredded with the key): the rows go too.
        status = await db.execute("DELETE FROM reminder_outbox WHERE person_id = ANY($1::uuid[])", ids)
        deleted += int(status.split()[-1])
    return deleted
