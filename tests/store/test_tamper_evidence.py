"""suivi verify finds a changed, a deleted and a reordered event, with no keys."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from service.storage.eventstore.records import NewEvent
from service.storage.eventstore.tamper import Report, Tampering, verify, write_checkpoint
from service.storage.runtime import Runtime


@pytest.fixture
async def log(runtime: Runtime, master_key) -> list[UUID]:
    streams = [uuid4() for _ in range(3)]
    for stream in streams:
        person = uuid4()
        await runtime.store.append(
            [NewEvent(stream, v, "t:Happened", "identity", person, b"%d" % v) for v in (1, 2, 3)]
        )
    async with runtime.pool.acquire() as connection:
        assert await write_checkpoint(connection, master_key.signing_key()) is not None
    return streams


async def run_verify(runtime: Runtime) -> Report:
    async with runtime.pool.acquire() as connection:
        return await verify(connection)


async def tamper(runtime: Runtime, sql: str, *args: object) -> None:
    async with runtime.pool.acquire() as connection:
        await connection.execute("ALTER TABLE events ALTER COLUMN position DROP IDENTITY IF EXISTS")
        await connection.execute(sql, *args)


def kinds(report: Report) -> set[Tampering]:
    return {f.kind for f in report.findings}


async def test_untouched_log_verifies(runtime: Runtime, log: list[UUID]) -> None:
    report = await run_verify(runtime)
    assert report.intact and (report.events, report.streams, report.checkpoints) == (9, 3, 1)


async def test_changed_payload_is_found_and_located(runtime: Runtime, log: list[UUID]) -> None:
    await tamper(runtime, "UPDATE events SET payload = payload || 'x' WHERE stream_id = $1 AND version = 2", log[1])
    report = await run_verify(runtime)
    assert Tampering.CHANGED in kinds(report)
    assert any(str(log[1]) in f.where and "version 2" in f.where for f in report.findings)


async def test_deleted_event_in_the_middle_of_a_stream_is_found(runtime: Runtime, log: list[UUID]) -> None:
    await tamper(runtime, "DELETE FROM events WHERE stream_id = $1 AND version = 2", log[0])
    report = await run_verify(runtime)
    assert Tampering.DELETED in kinds(report)
    assert any(f"stream {log[0]} is missing version 2" in f.where for f in report.findings)


async def test_deleted_last_event_is_found_by_the_checkpoint(runtime: Runtime, log: list[UUID]) -> None:
    await tamper(runtime, "DELETE FROM events WHERE stream_id = $1 AND version = 3", log[2])
    report = await run_verify(runtime)
    assert Tampering.DELETED in kinds(report)


async def swap_positions(runtime: Runtime, first: tuple[UUID, int], second: tuple[UUID, int]) -> None:
    async with runtime.pool.acquire() as connection:
        a, b = [
            await connection.fetchval("SELECT position FROM events WHERE stream_id = $1 AND version = $2", *row)
            for row in (first, second)
        ]
    await tamper(runtime, "UPDATE events SET position = -position WHERE position IN ($1, $2)", a, b)
    await tamper(
        runtime,
        "UPDATE events SET position = CASE position WHEN -$1::bigint THEN $2 ELSE $1 END WHERE position < 0",
        a,
        b,
    )


async def test_reordered_events_of_one_stream_are_found(runtime: Runtime, log: list[UUID]) -> None:
    await swap_positions(runtime, (log[0], 1), (log[0], 2))
    report = await run_verify(runtime)
    assert Tampering.REORDERED in kinds(report)
    assert any(str(log[0]) in f.where for f in report.findings)


async def test_events_swapped_across_streams_are_found_by_the_checkpoint(runtime: Runtime, log: list[UUID]) -> None:
    await swap_positions(runtime, (log[0], 3), (log[1], 3))
    report = await run_verify(runtime)
    assert kinds(report) == {Tampering.REORDERED}


async def test_forged_checkpoint_signature_is_found(runtime: Runtime, log: list[UUID]) -> None:
    await tamper(runtime, "UPDATE log_checkpoints SET event_count = event_count - 1")
    assert Tampering.BAD_SIGNATURE in kinds(await run_verify(runtime))


async def test_log_still_verifies_after_an_erasure(runtime: Runtime, log: list[UUID], clock) -> None:
    (first,) = await runtime.store.read_stream(log[0], after_version=2)
    async with runtime.pool.acquire() as connection, connection.transaction():
        await runtime.keys.erase(first.subject_id, clock(), connection)
    assert (await run_verify(runtime)).intact
