"""Projection status for operators: position, lag and state; and rebuild requests."""

from __future__ import annotations

import asyncpg
import msgspec

from service.readmodels.runner import ProjectionRunner, lock_key
from service.storage.eventstore.records import LOG_START, LogCursor
from service.storage.runtime import Runtime


class ProjectionState(msgspec.Struct, frozen=True):
    name: str
    state: str
    position: int
    lag: int
    error: str | None


async def projection_states(runtime: Runtime, schemas: dict[str, str]) -> list[ProjectionState]:
    """Each projection's position, how many events it is behind, and its state."""
    states = []
    async with runtime.pool.acquire() as connection:
        status = {r["name"]: r for r in await connection.fetch("SELECT name, state, error FROM projection_status")}
        for name, schema in schemas.items():
            row = await connection.fetchrow(f"SELECT transaction_id, position FROM {schema}.tracking")
            cursor = LOG_START if row is None else LogCursor(row["transaction_id"], row["position"])
            lag = await connection.fetchval(
                "SELECT count(*) FROM events WHERE (transaction_id, position) > ($1::text::xid8, $2)",
                str(cursor.transaction_id),
                cursor.position,
            )
            known = status.get(name)
            states.append(
                ProjectionState(
                    name=name,
                    state="idle" if known is None else known["state"],
                    position=cursor.position,
                    lag=int(lag),
                    error=None if known is None else known["error"],
                )
            )
    return states


async def request_rebuild(runtime: Runtime, runner: ProjectionRunner, name: str) -> str:
    """Rebuild here if no worker owns the projection; otherwise ask the worker that does."""
    lock = lock_key(name)
    holder = await asyncpg.connect(runtime.url)
    try:
        if await holder.fetchval("SELECT pg_try_advisory_lock($1)", lock):
            await runner.rebuild(name)
            return "rebuilt"
        await holder.execute(
            """INSERT INTO projection_status (name, state) VALUES ($1, 'rebuild_requested')
               ON CONFLICT (name) DO UPDATE SET state = 'rebuild_requested', updated_at = now()""",
            name,
        )
    finally:
        await holder.close()
    return "requested from the running worker"
