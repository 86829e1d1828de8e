"""Projection status for operators: position, lag, age and state; and rebuild requests.

The state is the one the runner recorded (``running``, ``reconnecting``, ``failed``,
``rebuild_requested``, ``rebuilding``; ``idle`` when no worker ever ran it), except that a
projection said to be running, or idle, that has left an event waiting longer than
``stalled_after`` without committing anything meanwhile is shown ``stalled``: its worker is
gone, or cannot reach the database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import asyncpg
import msgspec

from service.readmodels.runner import ProjectionRunner, lock_key
from service.storage.eventstore.records import LOG_START, LogCursor
from service.storage.runtime import Runtime

STALLED_AFTER = 10.0
"""Seconds an event may wait, with no progress meanwhile, before a running projection is ``stalled``."""


class ProjectionState(msgspec.Struct, frozen=True):
    name: str
    state: str
    position: int
    lag: int
    """Events it has still to read."""
    error: str | None
    behind_seconds: float = 0.0
    """How long the oldest event it has not processed has been waiting (0 when it has none)."""
    progress_age: float | None = None
    """Seconds since it last committed a batch; None if it never has."""


async def projection_states(
    runtime: Runtime,
    schemas: dict[str, str],
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    stalled_after: float = STALLED_AFTER,
) -> list[ProjectionState]:
    """Each projection's position, how far behind it is (in events and in seconds), and its state.

    ``clock`` is the one events are recorded with: how long an event has waited is measured on it.
    """
    states = []
    async with runtime.pool.acquire() as connection:
        status = {r["name"]: r for r in await connection.fetch("SELECT name, state, error FROM projection_status")}
        for name, schema in schemas.items():
            row = await connection.fetchrow(
                f"""SELECT transaction_id, position, extract(epoch FROM now() - progressed_at)::float8 AS progress_age
                    FROM {schema}.tracking"""
            )
            cursor = LOG_START if row is None else LogCursor(row["transaction_id"], row["position"])
            waiting = await connection.fetchrow(
                """SELECT count(*) AS lag, min(recorded_at) AS oldest FROM events
                   WHERE (transaction_id, position) > ($1::text::xid8, $2)""",
                str(cursor.transaction_id),
                cursor.position,
            )
            assert waiting is not None  # an aggregate always gives a row
            behind = 0.0 if waiting["oldest"] is None else max(0.0, (clock() - waiting["oldest"]).total_seconds())
            progress_age = None if row is None or row["progress_age"] is None else max(0.0, row["progress_age"])
            known = status.get(name)
            state = "idle" if known is None else str(known["state"])
            moving = progress_age is not None and progress_age <= stalled_after
            if state in ("running", "idle") and behind > stalled_after and not moving:
                state = "stalled"
            states.append(
                ProjectionState(
                    name=name,
                    state=state,
                    position=cursor.position,
                    lag=int(waiting["lag"]),
                    error=None if known is None else known["error"],
                    behind_seconds=behind,
                    progress_age=progress_age,
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
