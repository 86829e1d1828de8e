"""An erasure's purge that deadlocks with a projection's batch is done again, never a failed erasure."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime

import asyncpg

from service.gdpr.purge import purge
from service.storage.runtime import Runtime


async def _waiting_on_a_lock(runtime: Runtime, pid: int) -> bool:
    async with runtime.pool.acquire() as db:
        return bool(await db.fetchval("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1", pid))


async def test_a_purge_that_crosses_a_projections_batch_is_done_again(runtime: Runtime, database_url: str) -> None:
    person_id = uuid.uuid4()
    async with runtime.pool.acquire() as db:
        await db.execute(
            """INSERT INTO rm_board.visits (visit_id, person_id, session_on, site, status, checked_in_at)
               VALUES ($1, $2, $3, 'Liège', 'waiting', $4)""",
            uuid.uuid4(),
            person_id,
            date(2026, 12, 3),
            datetime.now(UTC),
        )
        await db.execute("INSERT INTO rm_caseload.registrations (person_id, registered_by) VALUES ($1, $1)", person_id)
    batch = await asyncpg.connect(database_url)  # stands for a projection's batch, in the other order
    eraser = await asyncpg.connect(database_url)
    try:
        transaction = batch.transaction()
        await transaction.start()
        await batch.execute("UPDATE rm_caseload.registrations SET registered_by = $1 WHERE person_id = $1", person_id)
        purging = asyncio.create_task(purge(eraser, [person_id]))  # the board first, then the caseload: waits
        pid = eraser.get_server_pid()
        for _ in range(200):
            if await _waiting_on_a_lock(runtime, pid):
                break
            await asyncio.sleep(0.02)
        # The batch now wants the board row the purge holds: a cycle, which PostgreSQL breaks by
        # rolling back the purge (the first to wait, so the first to look for a deadlock).
        await batch.execute("UPDATE rm_board.visits SET status = 'called' WHERE person_id = $1", person_id)
        await transaction.commit()
        deleted = await asyncio.wait_for(purging, timeout=30)
    finally:
        await batch.close()
        await eraser.close()
    assert deleted == 2
    async with runtime.pool.acquire() as db:
        assert await db.fetchval("SELECT count(*) FROM rm_board.visits WHERE person_id = $1", person_id) == 0
        assert await db.fetchval("SELECT count(*) FROM rm_caseload.registrations WHERE person_id = $1", person_id) == 0
