"""Projections ride out a lost database: they resume by themselves, never write a batch twice, say how far behind."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from uuid import uuid4

import asyncpg
import pytest

from domain.case import Case, CaseDomain
from domain.person import Person, PersonDetails
from service.readmodels.registry import PROJECTION_SCHEMAS, all_projections
from service.readmodels.runner import OwnershipLostError, ProjectionRunner
from service.readmodels.status import projection_states
from service.storage.database import LOST_CONNECTION
from service.storage.eventstore.records import LOG_START
from service.storage.runtime import Runtime
from tests.projections.scenario import START, Staff, build


async def until(condition: Callable[[], Awaitable[bool]], *, deadline: float = 20.0) -> bool:
    ends = time.monotonic() + deadline
    while time.monotonic() < ends:
        try:
            if await condition():
                return True
        except LOST_CONNECTION:
            pass  # a pooled connection killed with the others: the next try gets a fresh one
        await asyncio.sleep(0.05)
    return False


async def kill_other_connections(runtime: Runtime) -> int:
    """What a restarting server does to every session on this database but the caller's."""
    connection = await asyncpg.connect(runtime.url)
    try:
        return int(
            await connection.fetchval(
                """SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                   WHERE datname = current_database() AND pid <> pg_backend_pid()"""
            )
        )
    finally:
        await connection.close()


async def open_case(repository, staff: Staff) -> None:
    person = Person.register(
        uuid4(), f"2026-{uuid4().int % 10**5:05d}", PersonDetails("Awa", "Diallo"), START, staff.helper
    )
    case = Case.open(uuid4(), person.id, CaseDomain.HOUSING, staff.social_worker, "summary", START, staff.social_worker)
    await repository.save(person, case, actor_id=staff.social_worker)


async def test_a_projection_whose_connections_are_killed_resumes_from_its_position(runtime, repository) -> None:
    await build(repository)
    caseload = [p for p in await all_projections(runtime.keys) if p.name == "caseload"]
    task = asyncio.create_task(ProjectionRunner(runtime, caseload).run_forever())

    async def cases_and_state(expected: int) -> bool:
        async with runtime.pool.acquire() as db:
            cases = await db.fetchval("SELECT count(*) FROM rm_caseload.cases")
            state = await db.fetchval("SELECT state FROM projection_status WHERE name = 'caseload'")
            locks = await db.fetchval(
                """SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
                   AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"""
            )
        return bool(cases == expected and state == "running" and locks == 1)

    try:
        assert await until(lambda: cases_and_state(1))
        for round_ in range(2):
            assert await kill_other_connections(runtime) > 0
            assert await until(lambda: _saved(open_case(repository, Staff())))
            assert await until(lambda r=round_: cases_and_state(r + 2)), "the projection did not resume"
        assert not task.done()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _saved(saving: Awaitable[None]) -> bool:
    await saving
    return True


async def test_a_worker_that_lost_its_lock_cannot_write_a_batch_twice(runtime, repository, runner) -> None:
    await build(repository)
    reached = await runner.catch_up("board")
    first_batch = await runtime.store.read_log(LOG_START, limit=50)
    async with runtime.pool.acquire() as db:
        before = await db.fetchval("SELECT count(*) FROM rm_board.visits")
    board = runner.projections["board"]

    with pytest.raises(OwnershipLostError):
        # As a worker would that started from the beginning and never noticed another took over.
        await runner._step(board, board.schema, first_batch, LOG_START)

    async with runtime.pool.acquire() as db:
        assert await db.fetchval("SELECT count(*) FROM rm_board.visits") == before
        assert await db.fetchval("SELECT position FROM rm_board.tracking") == reached.position


async def test_status_measures_how_long_events_have_waited_and_shows_a_stuck_projection(
    runtime, repository, runner, clock
) -> None:
    await build(repository)
    clock.advance(seconds=25)
    waiting = {s.name: s for s in await projection_states(runtime, PROJECTION_SCHEMAS, clock=clock)}
    assert all(s.lag > 0 and s.behind_seconds >= 25 for s in waiting.values())
    assert all(s.state == "stalled" and s.progress_age is None for s in waiting.values())

    await runner.catch_up("caseload")
    caught_up = {s.name: s for s in await projection_states(runtime, PROJECTION_SCHEMAS, clock=clock)}
    assert caught_up["caseload"].lag == 0 and caught_up["caseload"].behind_seconds == 0
    assert caught_up["caseload"].state == "idle"
    assert caught_up["caseload"].progress_age is not None and caught_up["caseload"].progress_age < 60
    assert caught_up["board"].state == "stalled"


async def test_the_listen_connection_comes_back_listens_again_and_wakes_the_followers(runtime) -> None:
    listener = runtime.listener
    assert listener is not None and listener.connected
    woken = await runtime.notifier.waiter()
    heard: list[str] = []
    try:
        await listener.listen("suivi_test_channel", lambda *args: heard.append(args[3]))
        woken.clear()
        assert await kill_other_connections(runtime) > 0
        assert await until(lambda: _true(listener.reconnections == 1 and listener.connected and woken.is_set()))
        async with runtime.pool.acquire() as db:
            await db.execute("NOTIFY suivi_test_channel, 'after'")
        assert await until(lambda: _true(heard == ["after"]))
    finally:
        await runtime.notifier.drop(woken)


async def _true(value: bool) -> bool:
    return value


async def test_reconnecting_is_recorded_but_never_hides_a_pending_rebuild(runtime, runner) -> None:
    async def state() -> str:
        async with runtime.pool.acquire() as db:
            return str(await db.fetchval("SELECT state FROM projection_status WHERE name = 'board'"))

    await runner._try_set_status("board", "reconnecting", "projection board reconnecting after OSError")
    assert await state() == "reconnecting"
    shown = {s.name: s for s in await projection_states(runtime, PROJECTION_SCHEMAS)}
    assert shown["board"].state == "reconnecting" and "OSError" in str(shown["board"].error)
    async with runtime.pool.acquire() as db:
        await db.execute("UPDATE projection_status SET state = 'rebuild_requested' WHERE name = 'board'")
    await runner._try_set_status("board", "reconnecting", "projection board reconnecting after OSError")
    assert await state() == "rebuild_requested"
