"""Projections fed hand-written events directly, without the store or the runner."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from domain.case import Case, CaseDomain
from domain.office_hours import Visit
from domain.person import Person
from projections.board import BoardProjection, read_board
from projections.caseload import CaseloadProjection, read_caseload
from service.readmodels.runner import ProjectedEvent

AT = datetime(2026, 10, 5, 10, 0, tzinfo=UTC)


def envelope(position: int, stream_id, event, subject_id=None) -> ProjectedEvent:
    return ProjectedEvent(
        position=position,
        stream_id=stream_id,
        subject_id=subject_id,
        recorded_at=AT,
        actor_id=None,
        category="social_legal",
        topic=type(event).__qualname__,
        event=event,
    )


def made(event_class, stream_id, version: int, **fields):
    event = object.__new__(event_class)
    object.__setattr__(
        event, "__dict__", {"originator_id": stream_id, "originator_version": version, "timestamp": AT, **fields}
    )
    return event


async def feed(runtime, projection, envelopes) -> None:
    async with runtime.pool.acquire() as db, db.transaction():
        await db.execute(f"SET LOCAL search_path TO {projection.schema}, public")
        for item in envelopes:
            await projection.apply(db, item)


async def test_caseload_from_hand_written_events_and_erasure(runtime) -> None:
    person, case, worker, follow_up = uuid4(), uuid4(), uuid4(), uuid4()
    opened = made(
        Case.Opened,
        case,
        1,
        person_id=person,
        domain=CaseDomain.DEBT,
        social_worker_id=worker,
        summary="x",
        referral_id=None,
        opened_by=worker,
        originator_topic="domain.case:Case",
    )
    due = made(
        Case.FollowUpSet, case, 2, follow_up_id=follow_up, due_on=date(2026, 10, 1), description="y", set_by=worker
    )
    await feed(runtime, CaseloadProjection(), [envelope(1, case, opened, person), envelope(2, case, due, person)])
    async with runtime.pool.acquire() as db:
        caseload = await read_caseload(db, worker, date(2026, 10, 5))
    assert [(c.case_id, c.overdue_follow_ups) for c in caseload.cases] == [(case, 1)]

    erased = made(Person.Erased, person, 9, erased_by=uuid4())
    await feed(runtime, CaseloadProjection(), [envelope(3, person, erased)])
    async with runtime.pool.acquire() as db:
        assert (await read_caseload(db, worker, date(2026, 10, 5))).cases == []


async def test_board_moves_a_visit_from_the_queue_to_done(runtime) -> None:
    visit, person, helper = uuid4(), uuid4(), uuid4()
    checked_in = made(
        Visit.CheckedIn,
        visit,
        1,
        person_id=person,
        session_on=AT.date(),
        site="Liège",
        checked_in_by=helper,
        originator_topic="domain.office_hours:Visit",
    )
    called = made(Visit.Called, visit, 2, helper_id=helper)
    projection = BoardProjection()
    await feed(runtime, projection, [envelope(1, visit, checked_in, person)])
    async with runtime.pool.acquire() as db:
        assert [line.visit_id for line in (await read_board(db, AT.date(), "Liège")).waiting] == [visit]
    await feed(runtime, projection, [envelope(2, visit, called, person)])
    async with runtime.pool.acquire() as db:
        board = await read_board(db, AT.date(), "Liège")
    assert board.waiting == [] and [line.helper_id for line in board.being_helped] == [helper]
