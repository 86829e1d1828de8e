"""Catch-up: a new subscriber reads the whole log, decrypting and decoding every event."""

from __future__ import annotations

import asyncio
import contextlib
import time
from uuid import uuid4

import asyncpg

from service.storage.codec import EventCodec
from service.storage.eventstore.records import LogCursor, NewEvent
from service.storage.eventstore.subscription import follow
from service.storage.keys.master_key import MasterKey
from service.storage.runtime import open_runtime
from tests.benchmarks.store_append import ACTOR
from tests.benchmarks.workload import CATEGORY, note

EVENTS_PER_STREAM = 20
STREAMS_PER_SUBJECT = 2
_FILL_TASKS = 8

# The same rows and columns as read_log, with no decryption, no decoding and no snapshot bound.
# ORDER BY names the table: a bare transaction_id would mean the bigint alias, which no index serves.
_RAW_SELECT = """
SELECT position, transaction_id::text::bigint AS transaction_id, stream_id, version, topic,
       category, subject_id, recorded_at, actor_id, key_version, payload
FROM events WHERE (transaction_id, position) > ($1::text::xid8, $2)
ORDER BY events.transaction_id, events.position LIMIT $3
"""


async def fill(url: str, master: MasterKey, total: int) -> float:
    """Append ``total`` personal events through the store (not timed as a result); returns seconds."""
    codec = EventCodec()
    streams = total // EVENTS_PER_STREAM
    subjects = [uuid4() for _ in range(max(1, streams // STREAMS_PER_SUBJECT))]
    started = time.perf_counter()
    async with open_runtime(url, master, pool_size=_FILL_TASKS + 1) as runtime:
        for i in range(0, len(subjects), 1000):
            await runtime.keys.keys_for_writing(subjects[i : i + 1000])

        async def write(task: int) -> None:
            for n in range(task, streams, _FILL_TASKS):
                stream, subject = uuid4(), subjects[n % len(subjects)]
                await runtime.store.append(
                    [
                        NewEvent(stream, v, codec.topic_of(e), CATEGORY, subject, codec.encode(e))
                        for v in range(1, EVENTS_PER_STREAM + 1)
                        for e in [note(stream, v)]
                    ],
                    actor_id=ACTOR,
                )

        await asyncio.gather(*(write(task) for task in range(_FILL_TASKS)))
    return time.perf_counter() - started


async def subscription_rate(url: str, master: MasterKey, total: int, batch_size: int) -> float:
    """Events/s through ``follow`` plus EventCodec.decode, in a fresh runtime (cold key cache)."""
    codec = EventCodec()
    async with open_runtime(url, master, pool_size=2) as runtime:
        count = 0
        started = time.perf_counter()
        batches = follow(runtime.store, runtime.notifier, after=LogCursor(), batch_size=batch_size)
        async with contextlib.aclosing(batches):
            async for batch in batches:
                decode = codec.decode
                for event in batch:
                    assert event.payload is not None
                    decode(event.topic, event.payload, event.stream_id, event.version)
                count += len(batch)
                if count >= total:
                    break
        elapsed = time.perf_counter() - started
    assert count == total, (count, total)
    return count / elapsed


async def read_log_rate(url: str, master: MasterKey, total: int, batch_size: int) -> float:
    """Events/s through ``store.read_log`` alone: decrypted RecordedEvents, not decoded."""
    async with open_runtime(url, master, pool_size=2) as runtime:
        count, cursor = 0, LogCursor()
        started = time.perf_counter()
        while batch := await runtime.store.read_log(cursor, limit=batch_size):
            count += len(batch)
            cursor = batch[-1].cursor
        elapsed = time.perf_counter() - started
    assert count == total, (count, total)
    return count / elapsed


async def raw_select_rate(url: str, total: int, batch_size: int) -> float:
    """The baseline: the same rows in the same batches, straight from asyncpg."""
    connection = await asyncpg.connect(url)
    try:
        statement = await connection.prepare(_RAW_SELECT)
        count, transaction_id, position = 0, 0, 0
        started = time.perf_counter()
        while rows := await statement.fetch(str(transaction_id), position, batch_size):
            count += len(rows)
            transaction_id, position = rows[-1]["transaction_id"], rows[-1]["position"]
        elapsed = time.perf_counter() - started
    finally:
        await connection.close()
    assert count == total, (count, total)
    return count / elapsed
