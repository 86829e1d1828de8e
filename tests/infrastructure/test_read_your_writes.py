"""Read your own writes: a command answers where it wrote, and a read that asks for it waits for the read models.

The projections are paused for real, not mocked: a transaction holds every tracking table, so a
projection can read the log but not commit its batch. The read is shown to wait (the app counts its
waits), the projection is let go, and the read then sees the write. Nothing here is timed.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from functools import partial

import asyncpg
import httpx
import pytest
from litestar import Litestar

from domain.person import PersonDetails
from service.app import create_app
from service.application.people import RegisterPerson, register_person
from service.readmodels.freshness import FreshReads
from service.readmodels.registry import PROJECTION_SCHEMAS, all_projections
from service.readmodels.runner import ProjectionRunner
from service.staff.accounts import StaffAccounts
from service.storage.database import create_pool
from service.storage.eventstore.records import LogCursor
from service.storage.runtime import Runtime, open_runtime
from tests.http.conftest import PASSWORD, ROLES, Api, no_wait
from tests.http.conftest import gdpr as gdpr
from tests.web.conftest import Browserless, sign_in

POSITION = "Suivi-Log-Position"
PATIENCE = 60.0
"""The app's bound in these tests: far longer than any of them needs, so that none depends on speed."""


@pytest.fixture
def app(database_url: str, master_key, clock, gdpr) -> Litestar:
    return create_app(
        partial(open_runtime, database_url, master_key, clock=clock),
        gdpr=gdpr,
        run_projections=False,  # the test's own runner (below) projects, as a separate worker would
        clock=clock,
        secure_cookies=False,
        sign_in_delay=no_wait,
        fresh_reads_within=PATIENCE,
    )


@pytest.fixture
async def staff(app: Litestar, runtime: Runtime, clock) -> AsyncIterator[dict[str, Api]]:
    """Signed-in API clients on the app, served on the test's own event loop (Litestar's test client blocks
    it for the length of each request, which would stop the projections the request waits for)."""
    async with (
        serving(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://testserver.local") as client,
    ):
        signed_in = {}
        for name in ("social_worker", "helper"):
            member = await StaffAccounts(runtime.pool).create(
                name.replace("_", "."), name.title(), PASSWORD, [ROLES[name]], clock()
            )
            answer = await client.post(
                "/auth/sign-in", json={"username": member.username, "password": PASSWORD, "mode": "bearer"}
            )
            signed_in[name] = Api(client, answer.json()["token"], str(member.staff_id))  # type: ignore[arg-type]
        yield signed_in


@contextlib.asynccontextmanager
async def serving(app: Litestar) -> AsyncIterator[None]:
    """The app's lifespan, entered and left by one task of its own (a fixture's teardown runs in another)."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def run() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(run())
    await asyncio.wait([task, asyncio.create_task(started.wait())], return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        task.result()  # the app did not start: say why
    try:
        yield
    finally:
        stop.set()
        await task


def someone(given_name: str = "Nadia") -> dict[str, str]:
    return {"given_name": given_name, "family_name": "Benali", "birth_date": "1988-03-14"}


async def register(api, person: dict[str, str], key: str | None = None) -> tuple[str, str]:
    response = await api.post("/people", json=person, headers={"Idempotency-Key": key or uuid.uuid4().hex})
    assert response.status_code == 201, response.text
    return response.json()["ids"]["person_id"], response.headers[POSITION]


async def eventually(condition, what: str) -> None:
    """Wait for a condition the test cannot be told about (bounded, so a broken one fails, never hangs)."""
    for _ in range(6000):
        if await condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(what)


@contextlib.asynccontextmanager
async def projections_running(runtime: Runtime) -> AsyncIterator[FreshReads]:
    """Every projection kept up to date by a worker of the test's own (it owns their locks)."""
    runner = ProjectionRunner(runtime, await all_projections(runtime.keys))
    task = asyncio.create_task(runner.run_forever())
    reads = FreshReads(runtime.pool, runtime.notifier)
    try:
        await eventually(lambda: _all_running(reads), "the projections did not start")
        yield reads
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _all_running(reads: FreshReads) -> bool:
    return len(await reads.running()) == len(PROJECTION_SCHEMAS)


@contextlib.asynccontextmanager
async def projections_paused(database_url: str) -> AsyncIterator[None]:
    """No projection can commit a batch (reading their tracking rows is still allowed) until the block ends."""
    holder = await asyncpg.connect(database_url)
    transaction = holder.transaction()
    await transaction.start()
    try:
        for schema in PROJECTION_SCHEMAS.values():
            await holder.execute(f"LOCK TABLE {schema}.tracking IN EXCLUSIVE MODE")
        yield
    finally:
        await transaction.rollback()
        await holder.close()


async def in_directory(runtime: Runtime, person_id: str) -> bool:
    async with runtime.pool.acquire() as db:
        return bool(
            await db.fetchval("SELECT count(*) FROM rm_directory.people WHERE person_id = $1", uuid.UUID(person_id))
        )


async def test_a_command_answers_where_it_wrote_and_its_replay_the_same_place(staff, runtime) -> None:
    first_id, first = await register(staff["helper"], someone(), key="read-your-writes-0001")
    again_id, again = await register(staff["helper"], someone(), key="read-your-writes-0001")
    _, later = await register(staff["helper"], someone("Samira"))

    assert again_id == first_id and again == first  # the first attempt's events: committed, safe to wait for
    async with runtime.pool.acquire() as db:
        written = await db.fetchrow(
            """SELECT max(transaction_id::text::bigint) AS txid, max(position) AS position FROM events
               WHERE transaction_id = (SELECT transaction_id FROM events WHERE stream_id = $1)""",
            uuid.UUID(first_id),
        )
    assert first == f"{written['txid']}-{written['position']}"
    txid, position = (int(part) for part in later.split("-"))
    assert LogCursor(txid, position) > LogCursor(written["txid"], written["position"])


async def test_a_read_that_sends_the_position_back_waits_until_the_projections_have_it(
    app, staff, runtime, database_url
) -> None:
    async with projections_running(runtime):
        async with projections_paused(database_url):
            person_id, position = await register(staff["social_worker"], someone())
            reading = asyncio.create_task(
                staff["social_worker"].get(f"/people/{person_id}", headers={POSITION: position})
            )
            await eventually(lambda: _waits(app), "the read did not wait for the read models")
            assert not reading.done()
            assert not await in_directory(runtime, person_id)  # a read now would miss the person
        answer = await reading

    assert answer.status_code == 200, answer.text
    assert answer.json()["given_name"] == "Nadia"


async def _waits(app: Litestar) -> bool:
    return bool(app.state.services.fresh_reads.waiting)


async def test_a_read_without_the_position_answers_at_once_with_what_there_is(staff, runtime, database_url) -> None:
    async with projections_running(runtime), projections_paused(database_url):
        person_id, _ = await register(staff["social_worker"], someone())
        answer = await staff["social_worker"].get(f"/people/{person_id}")
    assert answer.status_code == 404  # not projected yet: the race that the position is there to close


async def test_a_position_nobody_is_projecting_is_not_waited_for(staff, app) -> None:
    """The app's tests project by hand: with no worker owning a projection, nothing waits (the bound is a minute)."""
    person_id, position = await register(staff["social_worker"], someone())
    answer = await staff["social_worker"].get(f"/people/{person_id}", headers={POSITION: position})
    assert answer.status_code == 404
    assert app.state.services.fresh_reads.waited == 0


async def test_a_value_that_is_no_position_is_ignored(app, staff, runtime) -> None:
    """A hint, not data: the read answers with what there is, neither waiting nor refusing."""
    async with projections_running(runtime):
        for value in ["soon", "0", "12-", "-12", "1-2-3", "1234567890123456789-1", "9-9"]:
            answer = await staff["social_worker"].get("/caseload", headers={POSITION: value})
            assert answer.status_code == 200, value
    assert app.state.services.fresh_reads.waited == 0


async def test_waiting_gives_up_after_its_bound_and_never_fails(runtime, ctx, helper, database_url) -> None:
    async with projections_running(runtime) as reads:
        async with projections_paused(database_url):
            await register_person(ctx, helper, RegisterPerson(PersonDetails(given_name="Nadia", family_name="Benali")))
            written = ctx.written.position
            assert written is not None
            quick = FreshReads(runtime.pool, runtime.notifier, within=0.05)
            assert await quick.wait_for(written) is False
            assert quick.waiting == 0 and quick.waited == 1
        assert await reads.wait_for(written) is True  # once let go, the projections get there


async def test_a_position_no_event_is_at_is_not_waited_for(runtime, database_url) -> None:
    """A made-up position (or one from another database) would hold every request up until the bound."""
    async with projections_running(runtime) as reads, projections_paused(database_url):
        assert await reads.wait_for(LogCursor(2**62, 1)) is True
        assert reads.waited == 0


async def test_waiting_on_a_database_that_cannot_be_reached_answers_without_waiting(database_url, runtime) -> None:
    pool = await create_pool(database_url, min_size=1, max_size=1)
    await pool.close()
    assert await FreshReads(pool, runtime.notifier).wait_for(LogCursor(1, 1)) is False


# ---- the pages: the answer to a form leaves once the read models hold what it saved ----


@pytest.fixture
async def social_worker_pages(app: Litestar, runtime: Runtime, clock) -> AsyncIterator[Browserless]:
    """A social worker's page client, as the browser is (session cookie and CSRF token), on the test's loop."""
    async with (
        serving(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://testserver.local") as client,
    ):
        member = await StaffAccounts(runtime.pool).create(
            "social.worker", "Social Worker", PASSWORD, [ROLES["social_worker"]], clock()
        )
        csrf, session = await sign_in(client, member.username)  # type: ignore[arg-type]
        yield Browserless(client, str(member.staff_id), csrf, session)  # type: ignore[arg-type]


REGISTRATION = {"given_name": "Nadia", "family_name": "Benali", "birth_date": "14/03/1988"}


async def test_the_file_after_a_registration_waits_for_the_read_models_and_shows_the_person(
    app, social_worker_pages, runtime, database_url
) -> None:
    async with projections_running(runtime):
        async with projections_paused(database_url):
            saving = asyncio.create_task(social_worker_pages.post("/ui/people/new", REGISTRATION))
            await eventually(lambda: _waits(app), "the answer to the form did not wait for the read models")
            assert not saving.done()
            assert not await _anyone_in_directory(runtime)  # the file now would be "Introuvable"
        saved = await saving
        assert saved.status_code == 303, saved.text
        file = await social_worker_pages.get(saved.headers["location"])

    assert file.status_code == 200, file.text
    assert "Nadia Benali" in file.text


async def _anyone_in_directory(runtime: Runtime) -> bool:
    async with runtime.pool.acquire() as db:
        return bool(await db.fetchval("SELECT count(*) FROM rm_directory.people"))


async def test_a_form_answers_after_the_bound_when_the_read_models_do_not_move(
    app, social_worker_pages, runtime, database_url
) -> None:
    app.state.services.fresh_reads.within = 0.05
    async with projections_running(runtime), projections_paused(database_url):
        saved = await social_worker_pages.post("/ui/people/new", REGISTRATION)
        file = await social_worker_pages.get(saved.headers["location"])
    assert saved.status_code == 303, saved.text
    assert app.state.services.fresh_reads.waited == 1
    assert file.status_code == 404  # what there is, said in French: never a 500, never a hang
    assert "introuvable" in file.text.lower()


async def test_a_form_answers_at_once_when_no_worker_keeps_the_read_models(app, social_worker_pages) -> None:
    saved = await social_worker_pages.post("/ui/people/new", REGISTRATION)
    assert saved.status_code == 303, saved.text
    assert app.state.services.fresh_reads.waited == 0
