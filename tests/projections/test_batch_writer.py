"""The batch writer: interleaved writes grouped by statement, with the same end state as one at a time."""

from __future__ import annotations

from typing import Any

import asyncpg

from service.readmodels.batch_writer import BatchWriter
from service.storage.runtime import Runtime

INSERT = "INSERT INTO visits (visit_id, status) VALUES ($1, 'waiting')"
SET_STATUS = "UPDATE visits SET status = $2 WHERE visit_id = $1"
EMPTY = "DELETE FROM visits"


class Counting:
    """The connection, counting the statements sent (each ``execute`` or ``executemany`` a round trip)."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection, self.sent = connection, 0

    async def execute(self, query: str, *args: Any) -> str:
        self.sent += 1
        return str(await self.connection.execute(query, *args))

    async def executemany(self, query: str, args: Any) -> None:
        self.sent += 1
        await self.connection.executemany(query, args)


async def _visits(runtime: Runtime, writes: list[tuple[Any, str, tuple[Any, ...]]]) -> tuple[dict[int, str], int]:
    """Apply (key, query, args) through a batch writer: the table's rows and the statements sent."""
    async with runtime.pool.acquire() as connection, connection.transaction():
        await connection.execute("CREATE TEMPORARY TABLE visits (visit_id int PRIMARY KEY, status text) ON COMMIT DROP")
        counting = Counting(connection)
        writer = BatchWriter(counting)  # type: ignore[arg-type]
        for key, query, args in writes:
            writer.key = key
            await writer.execute(query, *args)
        await writer.flush()
        rows = await connection.fetch("SELECT visit_id, status FROM visits")
    return {row["visit_id"]: row["status"] for row in rows}, counting.sent


async def test_interleaved_writes_for_different_keys_go_as_one_statement_each(runtime: Runtime) -> None:
    writes = []
    for visit in range(50):  # checked in, called, helped; then the next visit
        writes += [
            (visit, INSERT, (visit,)),
            (visit, SET_STATUS, (visit, "called")),
            (visit, SET_STATUS, (visit, "helped")),
        ]
    rows, sent = await _visits(runtime, writes)
    assert rows == {visit: "helped" for visit in range(50)}
    assert sent == 2  # the inserts, then the updates (a visit's two in its order, within one executemany)


async def test_writes_for_one_key_keep_their_order(runtime: Runtime) -> None:
    writes = [(1, INSERT, (1,)), (2, INSERT, (2,)), (1, SET_STATUS, (1, "called")), (2, SET_STATUS, (2, "called"))]
    writes += [(1, SET_STATUS, (1, "helped")), (1, SET_STATUS, (1, "called again"))]
    rows, _ = await _visits(runtime, writes)
    assert rows == {1: "called again", 2: "called"}


async def test_a_write_without_a_key_is_a_barrier(runtime: Runtime) -> None:
    writes = [
        (1, INSERT, (1,)),
        (None, EMPTY, ()),
        (2, INSERT, (2,)),
        (1, INSERT, (1,)),
        (2, SET_STATUS, (2, "called")),
    ]
    rows, sent = await _visits(runtime, writes)
    assert rows == {1: "waiting", 2: "called"}  # the second insert of 1 did not move before the DELETE
    assert sent == 4


async def test_without_keys_runs_are_consecutive_only(runtime: Runtime) -> None:
    writes = [(None, INSERT, (n,)) for n in range(3)] + [(None, SET_STATUS, (0, "called")), (None, INSERT, (3,))]
    rows, sent = await _visits(runtime, writes)
    assert rows == {0: "called", 1: "waiting", 2: "waiting", 3: "waiting"}
    assert sent == 3
