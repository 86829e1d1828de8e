"""The runner: exactly-once after crashes, isolation of failures, rebuilds, one worker per projection."""

from __future__ import annotations

import asyncio
import contextlib
import random
from uuid import uuid4

from domain.case import Case, CaseDomain
from domain.person import Person, PersonDetails
from projections.base import Db, Envelope, Projection, handles
from projections.case_file import read_case_file
from service.readmodels.registry import all_projections
from service.readmodels.runner import ProjectionRunner
from service.readmodels.status import request_rebuild
from service.storage.sealer import SubjectSealer
from tests.projections.scenario import START, Staff, build

NOTES_PER_CASE = 18


async def many_events(repository, people: int) -> list:
    """people x (registration + case opening + 18 notes) events, one append per person."""
    staff, ids = Staff(), []
    for n in range(people):
        person = Person.register(
            uuid4(), f"2026-{n + 1:05d}", PersonDetails(f"Given{n}", f"Family{n}"), START, staff.helper
        )
        case = Case.open(
            uuid4(), person.id, CaseDomain.HOUSING, staff.social_worker, "summary", START, staff.social_worker
        )
        for k in range(NOTES_PER_CASE):
            case.add_note(uuid4(), f"note {k}", START, staff.social_worker)
        await repository.save(person, case, actor_id=staff.social_worker)
        ids.append(person.id)
    return ids


async def checksum(runtime, schema: str) -> dict[str, tuple[int, str]]:
    """Row count and digest of every table, over the columns that are not sealed (sealing is randomised)."""
    sums = {}
    async with runtime.pool.acquire() as db:
        tables = await db.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> 'tracking'", schema
        )
        for table in (t["tablename"] for t in tables):
            columns = await db.fetch(
                """SELECT column_name FROM information_schema.columns
                   WHERE table_schema = $1 AND table_name = $2 AND column_name NOT LIKE '%sealed'
                   ORDER BY column_name""",
                schema,
                table,
            )
            names = ", ".join(c["column_name"] for c in columns)
            row = await db.fetchrow(
                f"SELECT count(*) AS n, md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) AS digest "
                f"FROM (SELECT {names} FROM {schema}.{table}) AS r"
            )
            sums[table] = (row["n"], row["digest"])
    return sums


async def test_projections_stopped_at_random_points_end_equal_to_a_rebuild(runtime, repository) -> None:
    people = await many_events(repository, 500)  # 10,000 events
    await build(repository)
    rng = random.Random(20261127)
    restarts = 0
    projections = await all_projections(runtime.keys)
    for projection in projections:
        while True:
            runner = ProjectionRunner(
                runtime, await all_projections(runtime.keys), batch_size=rng.choice([50, 200, 700])
            )
            task = asyncio.create_task(runner.catch_up(projection.name))
            await asyncio.sleep(rng.uniform(0.0, 0.08))
            if task.done():
                await task
                break
            task.cancel()  # a crash: whatever transaction was open is lost
            restarts += 1
            with contextlib.suppress(asyncio.CancelledError):
                await task
    assert restarts >= len(projections)
    runner = ProjectionRunner(runtime, await all_projections(runtime.keys))
    for projection in projections:
        resumed = await checksum(runtime, projection.schema)
        await runner.rebuild(projection.name)
        assert await checksum(runtime, projection.schema) == resumed, projection.name
    async with runtime.pool.acquire() as db:
        entries = await read_case_file(db, SubjectSealer(runtime.keys), people[7])
    assert [e.kind for e in entries].count("Case.NoteAdded") == NOTES_PER_CASE


class _Fragile(Projection):
    name = "fragile"
    schema = "rm_case_file"

    @handles(Case.NoteAdded)
    async def _explode(self, db: Db, envelope: Envelope) -> None:
        raise ValueError(envelope.event.text)  # the message holds personal data; it must not leak


async def test_failing_projection_stops_with_a_clear_error_and_the_others_go_on(runtime, repository) -> None:
    written = await build(repository)
    projections = [p for p in await all_projections(runtime.keys) if p.name == "caseload"] + [_Fragile()]
    runner = ProjectionRunner(runtime, projections)
    task = asyncio.create_task(runner.run_forever())
    try:
        for _ in range(200):
            async with runtime.pool.acquire() as db:
                status = dict(await db.fetch("SELECT name, state FROM projection_status"))
                cases = await db.fetchval("SELECT count(*) FROM rm_caseload.cases")
            if status.get("fragile") == "failed" and cases == 1:
                break
            await asyncio.sleep(0.05)
        async with runtime.pool.acquire() as db:
            error = await db.fetchval("SELECT error FROM projection_status WHERE name = 'fragile'")
            fragile_position = await db.fetchval("SELECT position FROM rm_case_file.tracking")
            failing_event = await db.fetchval("SELECT min(position) FROM events WHERE topic LIKE '%Case.NoteAdded'")
        assert status == {"caseload": "running", "fragile": "failed"}
        assert cases == 1
        assert "fragile failed at position" in error and "Case.NoteAdded" in error and "ValueError" in error
        assert all(secret not in error for secret in written.secrets)
        assert f"position {failing_event} " in error
        assert fragile_position is None or fragile_position < failing_event, "the failing event was skipped"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_rebuild_keeps_reads_working_until_the_swap(runtime, repository, runner) -> None:
    written = await build(repository)
    await runner.catch_up("case_file")
    nadia = written.people["Nadia Benali"]
    sealer = SubjectSealer(runtime.keys)
    async with runtime.pool.acquire() as db:
        before = await read_case_file(db, sealer, nadia)
    rebuilding = asyncio.create_task(runner.rebuild("case_file"))
    seen = []
    while not rebuilding.done():
        async with runtime.pool.acquire() as db:
            seen.append(len(await read_case_file(db, sealer, nadia)))
        await asyncio.sleep(0)
    await rebuilding
    async with runtime.pool.acquire() as db:
        after = await read_case_file(db, sealer, nadia)
        shadow = await db.fetchval("SELECT count(*) FROM pg_namespace WHERE nspname = 'rm_case_file_rebuild'")
    assert seen and set(seen) == {len(before)}
    assert [e.position for e in after] == [e.position for e in before]
    assert shadow == 0


async def test_two_workers_never_process_the_same_projection_at_once(runtime, repository) -> None:
    await build(repository)
    first = ProjectionRunner(runtime, [p for p in await all_projections(runtime.keys) if p.name == "board"])
    second = ProjectionRunner(runtime, [p for p in await all_projections(runtime.keys) if p.name == "board"])
    tasks = [asyncio.create_task(r.run_forever()) for r in (first, second)]
    try:
        await asyncio.sleep(0.5)
        async with runtime.pool.acquire() as db:
            holders = await db.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")
            visits = await db.fetchval("SELECT count(*) FROM rm_board.visits")
        assert holders == 1
        assert visits == 1
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class _Misplaced(Projection):
    name = "misplaced"
    schema = "rm_does_not_exist"  # its tracking table cannot be read: not an event's fault


async def test_a_projection_that_cannot_even_start_fails_alone(runtime, repository) -> None:
    await build(repository)
    projections = [p for p in await all_projections(runtime.keys) if p.name == "caseload"] + [_Misplaced()]
    task = asyncio.create_task(ProjectionRunner(runtime, projections).run_forever())
    try:
        for _ in range(200):
            async with runtime.pool.acquire() as db:
                status = dict(await db.fetch("SELECT name, state FROM projection_status"))
                cases = await db.fetchval("SELECT count(*) FROM rm_caseload.cases")
            if status.get("misplaced") == "failed" and cases == 1:
                break
            await asyncio.sleep(0.05)
        assert status == {"caseload": "running", "misplaced": "failed"}
        assert cases == 1 and not task.done()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_rebuild_asked_of_the_running_worker_is_done_and_tailing_goes_on(runtime, repository) -> None:
    await build(repository)
    board = [p for p in await all_projections(runtime.keys) if p.name == "board"]
    task = asyncio.create_task(ProjectionRunner(runtime, board).run_forever())

    async def board_state() -> tuple[str | None, int]:
        async with runtime.pool.acquire() as db:
            state = await db.fetchval("SELECT state FROM projection_status WHERE name = 'board'")
            return state, await db.fetchval("SELECT count(*) FROM rm_board.visits")

    async def until(expected: tuple[str, int]) -> tuple[str | None, int]:
        for _ in range(400):
            if (seen := await board_state()) == expected:
                break
            await asyncio.sleep(0.05)
        return seen

    try:
        assert await until(("running", 1)) == ("running", 1)
        async with runtime.pool.acquire() as db:
            await db.execute("DELETE FROM rm_board.visits")  # a damaged read model, for the rebuild to repair
        answer = await request_rebuild(runtime, ProjectionRunner(runtime, board), "board")
        assert answer == "requested from the running worker"
        assert await until(("running", 1)) == ("running", 1)
        assert not task.done()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


class _CommitWatcher(Projection):
    """Notes how each batch's transaction is set to commit."""

    name = "commit_watcher"
    schema = "rm_case_file"

    def __init__(self) -> None:
        self.seen: list[str] = []

    @handles(Case.NoteAdded)
    async def _watch(self, db: Db, envelope: Envelope) -> None:
        self.seen.append(await db.fetchval("SELECT current_setting('synchronous_commit')"))


async def test_a_projection_commits_without_waiting_for_the_disk_and_the_commands_still_do(runtime, repository) -> None:
    """Its rows and its position commit together, so a lost last batch is applied again from the log."""
    await build(repository)
    async with runtime.pool.acquire() as db:  # the test clusters commit asynchronously: as production, here
        await db.execute(
            "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit TO on', current_database()); END $$"
        )
    await runtime.pool.expire_connections()
    watcher = _CommitWatcher()
    await ProjectionRunner(runtime, [watcher]).catch_up(watcher.name)
    assert watcher.seen and set(watcher.seen) == {"off"}
    async with runtime.pool.acquire() as db:
        assert await db.fetchval("SELECT current_setting('synchronous_commit')") == "on"
