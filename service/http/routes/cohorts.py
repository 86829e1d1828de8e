"""DigiLab cohorts: scheduling, a trainer's cohorts, finding and enrolling a person, the waiting list and
withdrawal (the roster is in roster.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody

from domain.cohort import DEFAULT_CAPACITY, DEFAULT_HOURS_PER_DAY
from domain.policy import Role
from service.application.cohorts import (
    Enrol,
    JoinWaitingList,
    LeaveWaitingList,
    ScheduleCohort,
    SeatFromWaitingList,
    WithdrawFromCohort,
    enrol,
    join_waiting_list,
    leave_waiting_list,
    schedule_cohort,
    seat_waiting_person,
)
from service.application.cohorts import withdraw_from_cohort as withdraw_learner
from service.application.context import Actor, ApplicationContext
from service.application.views import cohorts as views
from service.application.views.cohorts import CohortSummary, EnrolmentCandidate
from service.http.deps import Command
from service.http.guards import requires
from service.http.headers import IfMatch
from service.http.openapi import area
from service.http.wire import Changed, Name, Request, ShortText, changed


class CohortPlan(Request, frozen=True):
    name: Name
    site: Name
    starts_on: date
    ends_on: date
    trainer_ids: Annotated[list[UUID], msgspec.Meta(max_length=10)] | None = None
    """Defaults to the trainer who schedules the cohort."""
    session_days: Annotated[list[date], msgspec.Meta(max_length=100)] | None = None
    """Defaults to the weekdays from start to end."""
    hours_per_day: Annotated[int, msgspec.Meta(ge=1, le=12)] = DEFAULT_HOURS_PER_DAY
    capacity: Annotated[int, msgspec.Meta(ge=1, le=40)] = DEFAULT_CAPACITY


class Enrolling(Request, frozen=True):
    person_id: UUID


class Leaving(Request, frozen=True):
    record_id: UUID
    reason: ShortText


class FileNumber(Request, frozen=True):
    file_number: Annotated[str, msgspec.Meta(min_length=1, max_length=20, examples=["2026-00042"])]


class WaitingListChanged(Changed, frozen=True):
    place: int
    """The person's place on the waiting list, from 1."""


class EnrolmentChanged(Changed, frozen=True):
    """A seat (``seated``, with the new record's id) or a place on the waiting list."""

    seated: bool
    waiting_list_place: int | None


@post("/")
async def schedule(data: JSONBody[CohortPlan], command: NamedDependency[Command]) -> Response[Changed]:
    """Schedule a cohort, taught by ``trainer_ids`` (the signed-in trainer by default).

    ``ends_on`` must not be before ``starts_on``, and every session day must fall between the two
    (the weekdays from start to end by default): otherwise 422, naming ``ends_on`` or ``session_days``.
    """
    plan = ScheduleCohort(
        name=data.name,
        site=data.site,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        trainer_ids=None if data.trainer_ids is None else tuple(data.trainer_ids),
        session_days=None if data.session_days is None else tuple(data.session_days),
        hours_per_day=data.hours_per_day,
        capacity=data.capacity,
    )
    outcome = await schedule_cohort(command.ctx, command.actor, plan, idempotency_key=command.idempotency_key)
    return changed(outcome, 201, etag_of=outcome.cohort_id)


@get("/")
async def my_cohorts(ctx: NamedDependency[ApplicationContext], actor: NamedDependency[Actor]) -> list[CohortSummary]:
    """The cohorts the signed-in trainer teaches (no personal data: counts only)."""
    return await views.my_cohorts(ctx, actor)


@post("/{cohort_id:uuid}/enrolments")
async def enrolment(
    cohort_id: FromPath[UUID], data: JSONBody[Enrolling], command: NamedDependency[Command]
) -> Response[EnrolmentChanged]:
    """Take a seat (and open the training record), or join the waiting list when the cohort is full."""
    seat = Enrol(cohort_id, data.person_id)
    outcome = await enrol(command.ctx, command.actor, seat, idempotency_key=command.idempotency_key)
    base = changed(outcome).content
    result = EnrolmentChanged(
        base.versions, base.ids, seated=outcome.record_id is not None, waiting_list_place=outcome.waiting_list_place
    )
    return Response(result, status_code=201)


@post("/{cohort_id:uuid}/enrolment-lookup", status_code=200)
async def enrolment_lookup(
    cohort_id: FromPath[UUID],
    data: JSONBody[FileNumber],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
) -> EnrolmentCandidate:
    """The person with this exact file number, to enrol in a cohort the trainer trains (404: nobody has it).

    A narrow look-up, recorded as an access for training; trainers do not search the directory.
    """
    found = await views.find_for_enrolment(ctx, actor, cohort_id, data.file_number)
    if found is None:
        raise NotFoundException("no person has this file number")
    return found


@post("/{cohort_id:uuid}/waiting-list")
async def waiting_list(
    cohort_id: FromPath[UUID], data: JSONBody[Enrolling], command: NamedDependency[Command]
) -> Response[WaitingListChanged]:
    """Put the person at the end of the waiting list (even while seats are free)."""
    joining = JoinWaitingList(cohort_id, data.person_id)
    outcome = await join_waiting_list(command.ctx, command.actor, joining, idempotency_key=command.idempotency_key)
    base = changed(outcome).content
    return Response(WaitingListChanged(base.versions, base.ids, place=outcome.place), status_code=201)


@post("/{cohort_id:uuid}/waiting-list/{person_id:uuid}/seat")
async def seat_from_waiting_list(
    cohort_id: FromPath[UUID], person_id: FromPath[UUID], command: NamedDependency[Command]
) -> Response[EnrolmentChanged]:
    """Give a free seat to this person waiting, whatever their place, and open the training record."""
    seating = SeatFromWaitingList(cohort_id, person_id)
    outcome = await seat_waiting_person(command.ctx, command.actor, seating, idempotency_key=command.idempotency_key)
    base = changed(outcome).content
    return Response(EnrolmentChanged(base.versions, base.ids, seated=True, waiting_list_place=None), status_code=201)


@post("/{cohort_id:uuid}/waiting-list/{person_id:uuid}/removal", status_code=200)
async def waiting_list_removal(
    cohort_id: FromPath[UUID], person_id: FromPath[UUID], command: NamedDependency[Command]
) -> Response[Changed]:
    """Take the person off the waiting list."""
    leaving = LeaveWaitingList(cohort_id, person_id)
    outcome = await leave_waiting_list(command.ctx, command.actor, leaving, idempotency_key=command.idempotency_key)
    return changed(outcome)


@post("/{cohort_id:uuid}/withdrawals", status_code=200)
async def withdrawal(
    cohort_id: FromPath[UUID], data: JSONBody[Leaving], command: NamedDependency[Command], if_match: IfMatch = None
) -> Response[Changed]:
    """Withdraw a learner; the first person waiting takes the seat. If-Match names the record's version."""
    leaving = WithdrawFromCohort(data.record_id, data.reason, cohort_id)
    ctx = command.on(data.record_id, if_match)
    outcome = await withdraw_learner(ctx, command.actor, leaving, idempotency_key=command.idempotency_key)
    return changed(outcome, etag_of=data.record_id)


ROUTES = [
    # Trainers run cohorts; which learners, the access policy decides.
    Router(
        "/cohorts",
        route_handlers=[
            schedule,
            enrolment_lookup,
            enrolment,
            waiting_list,
            seat_from_waiting_list,
            waiting_list_removal,
            withdrawal,
        ],
        guards=[requires(Role.TRAINER)],
        tags=["training"],
        opt=area(people=True, restricted=True),
    ),
    # Anyone may ask: counts only, and empty for whoever trains no cohort.
    Router("/cohorts/mine", route_handlers=[my_cohorts], tags=["training"]),
]
