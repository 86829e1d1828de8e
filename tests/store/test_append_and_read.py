"""The event store's contract: atomic multi-stream appends, reads, conflicts, idempotency."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from service.storage.eventstore.records import (
    ConcurrencyError,
    IdempotencyKeyReusedError,
    InvalidAppendError,
    LogCursor,
    NewEvent,
)
from service.storage.runtime import Runtime


def event(
    stream: UUID, version: int, subject: UUID | None, payload: bytes = b"x", topic: str = "t:Happened"
) -> NewEvent:
    return NewEvent(stream, version, topic, "identity" if subject else "training", subject, payload)


async def count_rows(runtime: Runtime) -> int:
    async with runtime.pool.acquire() as connection:
        return int(await connection.fetchval("SELECT count(*) FROM events"))


async def test_events_of_several_streams_are_appended_and_read_back(runtime: Runtime) -> None:
    person, cohort, record = uuid4(), uuid4(), uuid4()
    result = await runtime.store.append(
        [
            event(cohort, 1, None, b"seat"),
            event(record, 1, person, b"enrolled"),
            event(record, 2, person, b"present"),
        ],
        actor_id=uuid4(),
    )
    assert result.stream_versions == {cohort: 1, record: 2}
    assert [e.payload for e in await runtime.store.read_stream(record)] == [b"enrolled", b"present"]
    assert [e.payload for e in await runtime.store.read_subject(person)] == [b"enrolled", b"present"]
    log = await runtime.store.read_log(LogCursor())
    assert [e.payload for e in log] == [b"seat", b"enrolled", b"present"]
    assert [e.version for e in await runtime.store.read_stream(record, after_version=1)] == [2]


async def test_recorded_event_carries_the_design_columns(runtime: Runtime, clock) -> None:
    person, actor = uuid4(), uuid4()
    await runtime.store.append([event(uuid4(), 1, person)], actor_id=actor)
    (recorded,) = await runtime.store.read_subject(person)
    assert recorded.actor_id == actor
    assert recorded.recorded_at == clock.now
    assert recorded.category == "identity"
    assert recorded.key_version == 1
    assert recorded.position >= 1 and recorded.transaction_id > 0


async def test_conflict_names_the_stream_and_both_versions(runtime: Runtime) -> None:
    stream, person = uuid4(), uuid4()
    await runtime.store.append([event(stream, 1, person), event(stream, 2, person)])
    with pytest.raises(ConcurrencyError) as raised:
        await runtime.store.append([event(stream, 2, person)])
    assert (raised.value.stream_id, raised.value.expected, raised.value.actual) == (stream, 1, 2)
    assert str(stream) in str(raised.value) and "version 2" in str(raised.value)


async def test_conflict_on_one_stream_writes_nothing_on_the_others(runtime: Runtime) -> None:
    taken, fresh, person = uuid4(), uuid4(), uuid4()
    await runtime.store.append([event(taken, 1, None)])
    before = await count_rows(runtime)
    with pytest.raises(ConcurrencyError):
        await runtime.store.append([event(fresh, 1, person), event(taken, 1, None)])
    assert await count_rows(runtime) == before
    assert await runtime.store.read_stream(fresh) == []


async def test_expected_version_ahead_of_the_stream_is_a_conflict(runtime: Runtime) -> None:
    stream = uuid4()
    await runtime.store.append([event(stream, 1, None)])
    with pytest.raises(ConcurrencyError) as raised:
        await runtime.store.append([event(stream, 5, None)])
    assert (raised.value.expected, raised.value.actual) == (4, 1)


async def test_retried_command_returns_first_result_and_writes_nothing(runtime: Runtime) -> None:
    stream, person = uuid4(), uuid4()
    command = [event(stream, 1, person, b"registered")]
    first = await runtime.store.append(command, idempotency_key="cmd-1", fingerprint=b"f", response=b"person-1")
    again = await runtime.store.append(command, idempotency_key="cmd-1", fingerprint=b"f", response=b"ignored")
    assert not first.replayed and again.replayed
    assert again.stream_versions == first.stream_versions and again.response == b"person-1"
    assert await count_rows(runtime) == 1


async def test_idempotency_key_reused_for_another_command_is_refused(runtime: Runtime) -> None:
    await runtime.store.append([event(uuid4(), 1, None)], idempotency_key="cmd-2", fingerprint=b"a")
    with pytest.raises(IdempotencyKeyReusedError):
        await runtime.store.append([event(uuid4(), 1, None)], idempotency_key="cmd-2", fingerprint=b"b")
    assert await count_rows(runtime) == 1


@pytest.mark.parametrize("versions", [[1, 3], [2, 2], [0]])
async def test_versions_within_an_append_must_be_consecutive(runtime: Runtime, versions: list[int]) -> None:
    stream = uuid4()
    with pytest.raises(InvalidAppendError):
        await runtime.store.append([event(stream, v, None) for v in versions])


async def test_read_log_resumes_after_a_cursor(runtime: Runtime) -> None:
    for _ in range(5):
        await runtime.store.append([event(uuid4(), 1, None)])
    first = await runtime.store.read_log(LogCursor(), limit=2)
    rest = await runtime.store.read_log(first[-1].cursor)
    assert len(first) == 2 and len(rest) == 3
    assert {e.position for e in first}.isdisjoint(e.position for e in rest)
