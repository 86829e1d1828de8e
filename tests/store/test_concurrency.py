"""Concurrent writers and a tailing reader: nothing lost, nothing duplicated, no lost updates."""

from __future__ import annotations

import asyncio
from uuid import uuid4

from service.storage.eventstore.records import ConcurrencyError, LogCursor, NewEvent
from service.storage.eventstore.subscription import follow
from service.storage.keys.master_key import MasterKey
from service.storage.runtime import Runtime, open_runtime


async def test_many_writers_on_one_stream_exactly_one_wins_each_version(runtime: Runtime) -> None:
    stream, person = uuid4(), uuid4()
    writers, rounds = 12, 15
    for version in range(1, rounds + 1):

        async def write(writer: int, version: int = version) -> None:
            await runtime.store.append(
                [NewEvent(stream, version, "t:NoteAdded", "social_legal", person, f"{writer}".encode())]
            )

        outcomes = await asyncio.gather(*(write(w) for w in range(writers)), return_exceptions=True)
        refused = [o for o in outcomes if isinstance(o, ConcurrencyError)]
        assert outcomes.count(None) == 1 and len(refused) == writers - 1
        assert {(e.stream_id, e.expected) for e in refused} == {(stream, version - 1)}
    assert [e.version for e in await runtime.store.read_stream(stream)] == list(range(1, rounds + 1))


async def test_eight_writers_and_a_tailing_subscriber_miss_and_repeat_nothing(
    runtime: Runtime, database_url: str, master_key: MasterKey
) -> None:
    writers, commands_per_writer, events_per_command = 8, 250, 10
    total = writers * commands_per_writer * events_per_command
    written: set[tuple] = set()

    async def writer() -> None:
        for _ in range(commands_per_writer):
            stream, person = uuid4(), uuid4()
            batch = [
                NewEvent(stream, v, "t:Happened", "identity", person, b"p") for v in range(1, events_per_command + 1)
            ]
            await runtime.store.append(batch)
            written.update((stream, v) for v in range(1, events_per_command + 1))

    # The reader lives in another runtime, as another process would: it learns of appends by NOTIFY.
    async with open_runtime(database_url, master_key, poll_interval=0.5) as reader:
        received: list[tuple] = []
        positions: list[tuple[int, int]] = []

        async def tail() -> None:
            async for batch in follow(reader.store, reader.notifier, poll_interval=0.5):
                received.extend((e.stream_id, e.version) for e in batch)
                positions.extend((e.transaction_id, e.position) for e in batch)
                if len(received) >= total:
                    return

        tailing = asyncio.create_task(tail())
        await asyncio.gather(*(writer() for _ in range(writers)))
        await asyncio.wait_for(tailing, timeout=60)

    assert len(received) == total
    assert len(set(received)) == total, "an event was delivered twice"
    assert set(received) == written, "an event was missed"
    assert positions == sorted(positions), "events were delivered out of log order"


async def test_late_commit_with_a_lower_position_is_not_skipped(runtime: Runtime) -> None:
    async with runtime.pool.acquire() as slow:
        transaction = slow.transaction()
        await transaction.start()
        # A slow writer takes a position, then holds its transaction open.
        await slow.execute(
            """INSERT INTO events (stream_id, version, topic, category, recorded_at, key_version, payload, chain_hash)
               VALUES ($1, 1, 't:Slow', 'training', now(), 0, 'slow', '\\x00')""",
            uuid4(),
        )
        await runtime.store.append([NewEvent(uuid4(), 1, "t:Fast", "training", None, b"fast")])
        seen_early = await runtime.store.read_log(LogCursor())
        assert seen_early == [], "the fast event must wait: handing it out now would let the slow one be skipped"

        delivered: list[bytes] = []

        async def tail() -> None:
            async for batch in follow(runtime.store, runtime.notifier, poll_interval=0.1):
                delivered.extend(e.payload or b"" for e in batch)
                if len(delivered) == 2:
                    return

        tailing = asyncio.create_task(tail())
        await asyncio.sleep(0.2)
        await transaction.commit()
        await asyncio.wait_for(tailing, timeout=10)
    assert sorted(delivered) == [b"fast", b"slow"]


async def test_subscription_catches_up_then_tails_new_events(runtime: Runtime) -> None:
    for _ in range(3):
        await runtime.store.append([NewEvent(uuid4(), 1, "t:Old", "training", None, b"old")])
    seen: list[bytes] = []

    async def tail() -> None:
        async for batch in follow(runtime.store, runtime.notifier, batch_size=2, poll_interval=5):
            seen.extend(e.payload or b"" for e in batch)
            if len(seen) == 4:
                return

    tailing = asyncio.create_task(tail())
    await asyncio.sleep(0.1)
    await runtime.store.append([NewEvent(uuid4(), 1, "t:New", "training", None, b"new")])
    # The poll interval is 5 s: finishing well before it proves the local wake-up worked.
    await asyncio.wait_for(tailing, timeout=3)
    assert seen == [b"old", b"old", b"old", b"new"]


async def test_following_until_caught_up_waits_for_an_older_open_transaction(runtime: Runtime) -> None:
    for _ in range(5):
        await runtime.store.append([NewEvent(uuid4(), 1, "t:Old", "training", None, b"old")])
    async with runtime.pool.acquire() as slow:
        transaction = slow.transaction()
        await transaction.start()
        await slow.execute(
            """INSERT INTO events (stream_id, version, topic, category, recorded_at, key_version, payload, chain_hash)
               VALUES ($1, 1, 't:Slow', 'training', now(), 0, 'slow', '\\x00')""",
            uuid4(),
        )
        # Committed, but behind the slow transaction: the head is not reached until that one ends.
        await runtime.store.append([NewEvent(uuid4(), 1, "t:Fast", "training", None, b"fast")])

        async def read_to_the_head() -> list[bytes]:
            # poll_interval is never waited for: catching up does not tail.
            batches = follow(runtime.store, runtime.notifier, batch_size=2, poll_interval=3600, until_caught_up=True)
            return [e.payload or b"" async for batch in batches for e in batch]

        reading = asyncio.create_task(read_to_the_head())
        await asyncio.sleep(0.2)
        assert not reading.done(), "caught up while a committed event was still waiting behind an open transaction"
        await transaction.commit()
        delivered = await asyncio.wait_for(reading, timeout=30)
    assert delivered[:5] == [b"old"] * 5
    assert sorted(delivered[5:]) == [b"fast", b"slow"]


async def test_following_stops_when_asked_to(runtime: Runtime) -> None:
    await runtime.store.append([NewEvent(uuid4(), 1, "t:Old", "training", None, b"old")])
    asked = asyncio.Event()

    async def stop_if() -> bool:
        return asked.is_set()

    seen: list[bytes] = []
    async for batch in follow(runtime.store, runtime.notifier, poll_interval=0.05, stop_if=stop_if):
        seen.extend(e.payload or b"" for e in batch)
        asked.set()
    assert seen == [b"old"]
