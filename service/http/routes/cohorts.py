"""DigiLab cohorts: scheduling, a trainer's cohorts, enrolment and withdrawal (the roster is in roster.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.cohort import DEFAULT_CAPACITY, DEFAULT_HOURS_PER_DAY
from domain.policy import Role
from projections.roster import cohorts_of_trainer, read_roster
from service.application.cohorts import Enrol, ScheduleCohort, WithdrawFromCohort, enrol, schedule_cohort
from service.application.cohorts import withdraw_from_cohort as withdraw_learner
from service.application.context import ApplicationContext
from service.http.deps import Services
from service.http.headers import IdempotencyKey, IfMatch, expecting, idempotency_key
from service.http.security import Principal
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


class EnrolmentChanged(Changed, frozen=True):
    """A seat (``seated``, with the new record's id) or a place on the waiting list."""

    seated: bool
    waiting_list_place: int | None


class CohortSummary(msgspec.Struct, frozen=True):
    cohort_id: UUID
    name: str
    site: str
    starts_on: date
    ends_on: date
    capacity: int
    seats_taken: int
    waiting: int


@post("/cohorts", tags=["training"])
async def schedule(
    data: JSONBody[CohortPlan],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
) -> Response[Changed]:
    trainers = data.trainer_ids
    if trainers is None:
        trainers = [principal.staff.staff_id] if Role.TRAINER in principal.staff.roles else []
    command = ScheduleCohort(
        name=data.name,
        site=data.site,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        trainer_ids=tuple(trainers),
        session_days=None if data.session_days is None else tuple(sorted(set(data.session_days))),
        hours_per_day=data.hours_per_day,
        capacity=data.capacity,
    )
    outcome = await schedule_cohort(ctx, principal.actor, command, idempotency_key=idempotency_key(key))
    return changed(outcome, 201, etag_of=outcome.cohort_id)


@get("/cohorts/mine", tags=["training"])
async def my_cohorts(services: NamedDependency[Services], principal: NamedDependency[Principal]) -> list[CohortSummary]:
    """The cohorts the signed-in trainer teaches (no personal data: counts only)."""
    today = services.clock().date()
    summaries = []
    async with services.runtime.pool.acquire() as db:
        for cohort_id in await cohorts_of_trainer(db, principal.staff.staff_id):
            roster = await read_roster(db, cohort_id, today)
            if roster is None:
                continue
            seated = sum(1 for line in roster.learners if line.status == "enrolled")
            summaries.append(
                CohortSummary(
                    cohort_id,
                    roster.name,
                    roster.site,
                    roster.starts_on,
                    roster.ends_on,
                    roster.capacity,
                    seated,
                    len(roster.waiting_list),
                )
            )
    return summaries


@post("/cohorts/{cohort_id:uuid}/enrolments", tags=["training"])
async def enrolment(
    cohort_id: FromPath[UUID],
    data: JSONBody[Enrolling],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
) -> Response[EnrolmentChanged]:
    """Take a seat (and open the training record), or join the waiting list when the cohort is full."""
    outcome = await enrol(ctx, principal.actor, Enrol(cohort_id, data.person_id), idempotency_key=idempotency_key(key))
    base = changed(outcome).content
    result = EnrolmentChanged(
        base.versions, base.ids, seated=outcome.record_id is not None, waiting_list_place=outcome.waiting_list_place
    )
    return Response(result, status_code=201)


@post("/cohorts/{cohort_id:uuid}/withdrawals", tags=["training"])
async def withdrawal(
    cohort_id: FromPath[UUID],
    data: JSONBody[Leaving],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response[Changed]:
    """Withdraw a learner; the first person waiting takes the seat. If-Match names the record's version."""
    ctx = expecting(ctx, data.record_id, if_match)
    command = WithdrawFromCohort(data.record_id, data.reason, cohort_id)
    outcome = await withdraw_learner(ctx, principal.actor, command, idempotency_key=idempotency_key(key))
    return changed(outcome, etag_of=data.record_id)


ROUTES = [schedule, my_cohorts, enrolment, withdrawal]
