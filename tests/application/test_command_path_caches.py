"""The command path's memory (streams a process loaded lately, sessions) never gives a wrong answer.

Two runtimes on one database stand for two Suivi processes: each has its own memory, and only
the database (the append's (stream, version) check, the erasure and session notices) links them.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from domain.case import Case, CaseDomain, CaseOutcome
from domain.person import Person
from service.application.case_notes import AddNote, add_note
from service.application.cases import CloseCase, OpenCase, close_case, open_case
from service.application.context import ApplicationContext
from service.staff.accounts import StaffAccounts
from service.staff.sessions import Sessions
from service.storage.eventstore.records import ConcurrencyError, IdempotencyKeyReusedError
from service.storage.repository import AggregateErasedError, deciding
from service.storage.runtime import Runtime, open_runtime
from tests.application.support import register


@pytest.fixture
async def elsewhere(database_url, master_key, clock) -> AsyncIterator[Runtime]:
    """A second process on the same database."""
    async with open_runtime(database_url, master_key, clock=clock, poll_interval=0.2) as opened:
        yield opened


@pytest.fixture
def other_ctx(elsewhere, clock) -> ApplicationContext:
    return ApplicationContext.from_runtime(elsewhere, clock=clock)


async def a_case(ctx, social_worker) -> tuple[UUID, UUID]:
    person_id = await register(ctx, social_worker, "Yusuf", "Kaya")
    opened = await open_case(
        ctx, social_worker, OpenCase(person_id, CaseDomain.HOUSING, social_worker.staff_id, "avis d'expulsion")
    )
    return person_id, opened.case_id


async def until(condition: Callable[[], bool]) -> None:
    """Until a notice sent by the database has been heard here (bounded: the test fails if it never is)."""
    async with asyncio.timeout(10):
        while not condition():  # noqa: ASYNC110 (the notice lands in another object: nothing to wait on)
            await asyncio.sleep(0.01)


async def test_a_command_is_served_from_memory_without_reading_its_stream(ctx, runtime, social_worker) -> None:
    _, case_id = await a_case(ctx, social_worker)
    hits = runtime.store.recent.hits

    await add_note(ctx, social_worker, AddNote(case_id, note_id=uuid4(), text="appel au propriétaire"))

    assert runtime.store.recent.hits == hits + 2  # the case and its person, both remembered from the opening


async def test_a_note_decided_on_a_stale_stream_is_decided_again_and_both_notes_are_kept(
    ctx, other_ctx, runtime, social_worker
) -> None:
    _, case_id = await a_case(ctx, social_worker)  # this process remembers the case at version 1
    theirs, mine = uuid4(), uuid4()
    await add_note(other_ctx, social_worker, AddNote(case_id, note_id=theirs, text="écrit ailleurs"))

    result = await add_note(ctx, social_worker, AddNote(case_id, note_id=mine, text="écrit ici"))

    case = await other_ctx.repository.get(Case, case_id)
    assert [n.note_id for n in case.notes] == [theirs, mine]
    assert result.versions[case_id] == case.version == 3
    assert runtime.store.recent.get(case_id).version == 3  # remembered again, as it is now


async def test_a_command_not_safe_to_repeat_is_not_refused_for_a_stream_only_this_process_had_out_of_date(
    ctx, other_ctx, social_worker
) -> None:
    _, case_id = await a_case(ctx, social_worker)
    await add_note(other_ctx, social_worker, AddNote(case_id, note_id=uuid4(), text="écrit ailleurs"))

    closed = await close_case(ctx, social_worker, CloseCase(case_id, outcome=CaseOutcome.RESOLVED))

    case = await other_ctx.repository.get(Case, case_id)
    assert case.closed and len(case.notes) == 1
    assert closed.versions[case_id] == 3


async def test_a_version_check_is_decided_on_the_stream_as_the_database_has_it(ctx, other_ctx, social_worker) -> None:
    _, case_id = await a_case(ctx, social_worker)
    await add_note(other_ctx, social_worker, AddNote(case_id, note_id=uuid4(), text="écrit ailleurs"))
    closing = CloseCase(case_id, outcome=CaseOutcome.RESOLVED)

    with pytest.raises(ConcurrencyError):  # the caller saw version 1: it has moved on (memory says 1 too)
        await close_case(
            dataclasses.replace(ctx, repository=ctx.repository.expecting({case_id: 1})), social_worker, closing
        )
    closed = await close_case(
        dataclasses.replace(ctx, repository=ctx.repository.expecting({case_id: 2})), social_worker, closing
    )

    assert closed.versions[case_id] == 3


async def test_concurrent_writers_in_two_processes_lose_no_note(ctx, other_ctx, social_worker) -> None:
    _, case_id = await a_case(ctx, social_worker)
    await other_ctx.repository.get(Case, case_id)
    sent = [uuid4() for _ in range(16)]

    await asyncio.gather(
        *(
            add_note(ctx if n % 2 else other_ctx, social_worker, AddNote(case_id, note_id=note, text=f"note {n}"))
            for n, note in enumerate(sent)
        )
    )

    case = await ctx.repository.get(Case, case_id)
    assert sorted(n.note_id for n in case.notes) == sorted(sent)
    assert case.version == 1 + len(sent)


async def erase(runtime: Runtime, person_id: UUID, clock) -> None:
    async with runtime.pool.acquire() as connection, connection.transaction():
        await runtime.keys.erase(person_id, clock(), connection)


async def test_a_person_erased_by_another_process_is_never_served_from_memory(
    ctx, runtime, elsewhere, social_worker, clock
) -> None:
    person_id, case_id = await a_case(ctx, social_worker)
    assert runtime.store.recent.get(case_id) is not None

    await erase(elsewhere, person_id, clock)
    await until(lambda: person_id not in runtime.keys._cache)  # the erasure notice has arrived here

    with pytest.raises(AggregateErasedError), deciding():
        await ctx.repository.get(Case, case_id)
    with pytest.raises(AggregateErasedError), deciding():
        await ctx.repository.get(Person, person_id)
    assert runtime.store.recent.get(case_id) is None


async def test_a_person_erased_here_is_not_served_from_memory_even_before_any_notice(
    ctx, runtime, social_worker, clock
) -> None:
    person_id, case_id = await a_case(ctx, social_worker)

    await erase(runtime, person_id, clock)

    with pytest.raises(AggregateErasedError):
        await add_note(ctx, social_worker, AddNote(case_id, note_id=uuid4(), text="trop tard"))


# --- sessions -------------------------------------------------------------------------------------------


class Ticking:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def member(runtime, clock) -> UUID:
    created = await StaffAccounts(runtime.pool).create("nadia", "Nadia B.", "a long password", [], clock())
    return created.staff_id


async def watched(runtime: Runtime, monotonic: Callable[[], float] | None = None) -> Sessions:
    sessions = Sessions(runtime.pool, timedelta(minutes=30), **({} if monotonic is None else {"monotonic": monotonic}))
    assert runtime.listener is not None
    await sessions.watch(runtime.listener)
    return sessions


async def test_a_session_signed_out_in_one_process_stops_working_in_the_other(
    runtime, elsewhere, member, clock
) -> None:
    here, there = await watched(runtime), await watched(elsewhere)
    opened = await here.open(member, "bearer", clock())
    assert await there.find(opened.token, clock()) is not None  # now kept in memory there

    await here.close(opened.token)

    assert await here.find(opened.token, clock()) is None  # at once here
    await until(lambda: not there._sessions)  # the notice has arrived there
    assert await there.find(opened.token, clock()) is None


async def test_a_deactivated_account_stops_working_at_once_here_and_on_the_notice_elsewhere(
    runtime, elsewhere, member, clock
) -> None:
    here, there = await watched(runtime), await watched(elsewhere)
    opened = await here.open(member, "bearer", clock())
    for sessions in (here, there):
        assert await sessions.find(opened.token, clock()) is not None
        assert (await sessions.staff.get(member)).active

    current = await StaffAccounts(runtime.pool).get(member)
    await StaffAccounts(runtime.pool).update(member, current.version, active=False)

    assert await here.find(opened.token, clock()) is None
    await until(lambda: not there._sessions)
    assert await there.find(opened.token, clock()) is None
    assert not (await there.staff.get(member)).active


async def test_a_session_kept_in_memory_is_given_up_after_the_bound_even_if_the_notice_is_lost(
    runtime, member, clock
) -> None:
    ticking = Ticking()
    sessions = await watched(runtime, ticking)
    opened = await sessions.open(member, "bearer", clock())
    assert await sessions.find(opened.token, clock()) is not None
    async with runtime.pool.acquire() as connection:  # a sign-out whose notice never arrives
        await connection.execute("ALTER TABLE staff_sessions DISABLE TRIGGER staff_sessions_ended")
        await connection.execute("DELETE FROM staff_sessions")
        await connection.execute("ALTER TABLE staff_sessions ENABLE TRIGGER staff_sessions_ended")

    ticking.now += 1.0
    assert await sessions.find(opened.token, clock()) is not None  # within the documented bound
    ticking.now += 1.5
    assert await sessions.find(opened.token, clock()) is None


async def test_without_the_notices_nothing_is_kept_in_memory(runtime, member, clock) -> None:
    sessions = Sessions(runtime.pool, timedelta(minutes=30))  # never watching: no notices reach it
    opened = await sessions.open(member, "bearer", clock())
    assert await sessions.find(opened.token, clock()) is not None
    async with runtime.pool.acquire() as connection:
        await connection.execute("ALTER TABLE staff_sessions DISABLE TRIGGER staff_sessions_ended")
        await connection.execute("DELETE FROM staff_sessions")
        await connection.execute("ALTER TABLE staff_sessions ENABLE TRIGGER staff_sessions_ended")

    assert await sessions.find(opened.token, clock()) is None


# --- the idempotency check folded into the append -------------------------------------------------------


async def test_a_repeated_note_answers_the_first_result_and_writes_nothing(ctx, runtime, social_worker) -> None:
    _, case_id = await a_case(ctx, social_worker)
    adding = AddNote(case_id, note_id=uuid4(), text="appel au CPAS")
    first = await add_note(ctx, social_worker, adding, idempotency_key="note-1")
    count = await _events(runtime)

    again = await add_note(ctx, social_worker, adding, idempotency_key="note-1")

    assert again == first
    assert await _events(runtime) == count


async def test_a_repeat_whose_version_check_now_fails_still_answers_the_first_result(ctx, social_worker) -> None:
    _, case_id = await a_case(ctx, social_worker)
    pinned = dataclasses.replace(ctx, repository=ctx.repository.expecting({case_id: 1}))
    adding = AddNote(case_id, note_id=uuid4(), text="appel au CPAS")
    first = await add_note(pinned, social_worker, adding, idempotency_key="note-2")

    again = await add_note(pinned, social_worker, adding, idempotency_key="note-2")  # the case is at 2 now

    assert again == first


async def test_a_key_reused_for_another_note_is_refused(ctx, social_worker) -> None:
    _, case_id = await a_case(ctx, social_worker)
    await add_note(ctx, social_worker, AddNote(case_id, note_id=uuid4(), text="un"), idempotency_key="note-3")

    with pytest.raises(IdempotencyKeyReusedError):
        await add_note(ctx, social_worker, AddNote(case_id, note_id=uuid4(), text="deux"), idempotency_key="note-3")


async def _events(runtime: Runtime) -> int:
    async with runtime.pool.acquire() as connection:
        return int(await connection.fetchval("SELECT count(*) FROM events"))
