"""One reader of the log for every projection: each event decoded once, failures and late starts kept apart."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from domain.case import Case
from projections.base import Db, Envelope, Projection, handles
from service.readmodels.registry import all_projections
from service.readmodels.runner import ProjectionRunner
from service.storage.eventstore.records import LOG_START
from tests.projections.scenario import build
from tests.projections.test_runner import checksum, many_events


class _Fragile(Projection):
    name = "fragile"
    schema = "rm_case_file"

    @handles(Case.NoteAdded)
    async def _explode(self, db: Db, envelope: Envelope) -> None:
        raise ValueError("this projection cannot take a note")


async def _until(check: Callable[[], Awaitable[bool]], tries: int = 400) -> bool:
    for _ in range(tries):
        if await check():
            return True
        await asyncio.sleep(0.05)
    return False


def _count_decodes(runner: ProjectionRunner) -> list[int]:
    """Counts every decode the runner's codec does (a wrapper around the real one)."""
    counted = [0]
    codec = runner._codec
    real = codec.decode

    def decode(*args: object) -> object:
        counted[0] += 1
        return real(*args)  # type: ignore[arg-type]

    codec.decode = decode  # type: ignore[method-assign]
    return counted


async def test_rebuilding_every_projection_at_once_decodes_each_event_once(runtime, repository) -> None:
    await many_events(repository, 20)
    await build(repository)
    runner = ProjectionRunner(runtime, await all_projections(runtime.keys), batch_size=100)
    for name in runner.projections:
        await runner.catch_up(name)
    alone = {name: await checksum(runtime, p.schema) for name, p in runner.projections.items()}
    decodes = _count_decodes(runner)
    async with runtime.pool.acquire() as db:
        handled = await db.fetchval(
            "SELECT count(*) FROM events WHERE topic = ANY($1)",
            list(frozenset().union(*runner._topics.values())),
        )

    reached = await runner.rebuild_all()

    assert decodes[0] == handled, "an event was decoded more than once (or not at all)"
    assert len({cursor for cursor in reached.values()}) == 1
    for name, projection in runner.projections.items():
        assert await checksum(runtime, projection.schema) == alone[name], name


async def test_a_failing_projection_stops_alone_while_the_others_read_on_from_the_shared_reader(
    runtime, repository
) -> None:
    await build(repository)
    projections = [p for p in await all_projections(runtime.keys) if p.name in ("caseload", "board")]
    runner = ProjectionRunner(runtime, [*projections, _Fragile()])
    task = asyncio.create_task(runner.run_forever())

    async def states() -> dict[str, str]:
        async with runtime.pool.acquire() as db:
            return dict(await db.fetch("SELECT name, state FROM projection_status"))

    async def cases(expected: int) -> bool:
        async with runtime.pool.acquire() as db:
            return bool(await db.fetchval("SELECT count(*) FROM rm_caseload.cases") == expected)

    try:
        assert await _until(lambda: _is(states(), {"caseload": "running", "board": "running", "fragile": "failed"}))
        assert await _until(lambda: cases(1))
        assert set(runner._live._members) == {"caseload", "board"}, "the failed projection is still a member"
        async with runtime.pool.acquire() as db:
            before = await db.fetchval("SELECT max(position) FROM events")
        assert await _until(lambda: _at(runtime, before))
        decodes = _count_decodes(runner)
        await build(repository)  # more events, read by the one reader the two left share
        assert await _until(lambda: cases(2))
        async with runtime.pool.acquire() as db:
            head = await db.fetchval("SELECT max(position) FROM events")
        assert await _until(lambda: _at(runtime, head))
        handled = frozenset().union(*(runner._topics[n] for n in ("caseload", "board", "fragile")))
        async with runtime.pool.acquire() as db:
            new = await db.fetchval(
                "SELECT count(*) FROM events WHERE topic = ANY($1) AND position > $2", list(handled), before
            )
        assert 0 < decodes[0] <= new, "the two projections each read the new events on their own"
        assert (await states())["fragile"] == "failed"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_projection_started_late_catches_up_on_its_own_then_joins_the_shared_reader(
    runtime, repository
) -> None:
    await many_events(repository, 30)
    await build(repository)
    projections = {p.name: p for p in await all_projections(runtime.keys)}
    early = ProjectionRunner(runtime, [projections["caseload"]])
    await early.catch_up("caseload")  # at the head; board has read nothing yet
    runner = ProjectionRunner(runtime, [projections["caseload"], projections["board"]], batch_size=50)
    task = asyncio.create_task(runner.run_forever())
    try:
        async with runtime.pool.acquire() as db:
            head = await db.fetchval("SELECT max(position) FROM events")
        assert await _until(lambda: _at(runtime, head))
        assert await _until(lambda: _is_set(set(runner._live._members), {"caseload", "board"}))
        await build(repository)
        async with runtime.pool.acquire() as db:
            head = await db.fetchval("SELECT max(position) FROM events")
        assert await _until(lambda: _at(runtime, head))
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    caught_up = await checksum(runtime, "rm_board")
    await ProjectionRunner(runtime, [projections["board"]]).rebuild("board")
    assert await checksum(runtime, "rm_board") == caught_up


async def _is(got: Awaitable[dict[str, str]], expected: dict[str, str]) -> bool:
    return await got == expected


async def _is_set(got: set[str], expected: set[str]) -> bool:
    return got == expected


async def _at(runtime, head: int) -> bool:
    async with runtime.pool.acquire() as db:
        caseload = await db.fetchval("SELECT position FROM rm_caseload.tracking")
        board = await db.fetchval("SELECT position FROM rm_board.tracking")
    return caseload == head and board == head


async def test_projections_behind_the_live_reader_catch_up_together_on_one_reader(runtime, repository) -> None:
    """After a restart, say: those behind share a reader up to the head, each event decoded once."""
    await many_events(repository, 20)
    await build(repository)
    projections = {p.name: p for p in await all_projections(runtime.keys)}
    runner = ProjectionRunner(runtime, [projections["case_file"], projections["caseload"]], batch_size=50)
    decodes = _count_decodes(runner)
    reached = await asyncio.gather(
        *(runner._catch_up_behind(projections[name], LOG_START) for name in ("case_file", "caseload"))
    )
    async with runtime.pool.acquire() as db:
        handled = await db.fetchval(
            "SELECT count(*) FROM events WHERE topic = ANY($1)", list(frozenset().union(*runner._topics.values()))
        )
        head = await db.fetchval("SELECT max(position) FROM events")
    assert decodes[0] == handled, "the two read the log each on their own"
    assert [cursor.position for cursor in reached] == [head, head]
    together = {name: await checksum(runtime, projections[name].schema) for name in ("case_file", "caseload")}
    for name in together:
        await ProjectionRunner(runtime, [projections[name]]).rebuild(name)
        assert await checksum(runtime, projections[name].schema) == together[name], name
