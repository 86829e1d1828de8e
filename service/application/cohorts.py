"""DigiLab cohorts: scheduling, enrolment (seat and record in one append), the waiting list, withdrawal.

A trainer works in the cohorts she trains only: there she enrols people, puts them on the
waiting list, seats one of them when a seat is free, or takes one off the list. Anywhere
else she is refused with ``NotYourCohortError``, before anything is read about the person.

Enrolment and withdrawal are repeated on a concurrency conflict: the seat-or-waiting-list
decision is the system's, not the trainer's, so it is simply made again on the fresh
cohort (twelve people enrolling at once must all end up seated or waiting, in order).
The waiting-list commands are repeated too: decided again on the fresh cohort, they
either still hold (the person is still waiting, a seat is still free) or fail by name.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec

from domain import workflows
from domain.base import Category
from domain.cohort import DEFAULT_CAPACITY, DEFAULT_HOURS_PER_DAY, Cohort
from domain.policy import Relation, Role
from domain.training import NotEnrolledError, TrainingRecord, seat_from_waiting_list
from service.application.authorisation import authorise, person_open_to
from service.application.context import Actor, ApplicationContext
from service.application.errors import NotAuthorisedError
from service.application.running import Decision, Outcome, execute, versions_of


class NotYourCohortError(NotAuthorisedError):
    """A trainer works only in the cohorts she trains (their learners, and the people she enrols there)."""

    def __init__(self, action: str = "write") -> None:
        super().__init__(Category.TRAINING, action=action)


class NotYourLearnerError(NotAuthorisedError):
    """A trainer reads only her own cohorts' learners and the people she is enrolling."""

    def __init__(self) -> None:
        super().__init__(Category.TRAINING, action="read")


def ensure_trains(actor: Actor, cohort: Cohort, *, enrolling: bool = False) -> None:
    """Refuse unless the actor may change this cohort's training (a trainer: only a cohort she trains).

    ``enrolling``: the person is not a learner of the cohort (yet), but waiting or being enrolled.
    """
    trains = actor.staff_id in cohort.trainer_ids
    relation = Relation(in_own_cohort=trains and not enrolling, enrolling_in_own_cohort=trains and enrolling)
    try:
        authorise(actor, Category.TRAINING, relation)
    except NotAuthorisedError:
        if Role.TRAINER in actor.roles:
            raise NotYourCohortError() from None
        raise


class ScheduleCohort(msgspec.Struct, frozen=True):
    name: str
    site: str
    starts_on: date
    ends_on: date
    trainer_ids: tuple[UUID, ...] | None = None
    """Defaults to the trainer who schedules the cohort (to nobody when someone else does)."""
    session_days: tuple[date, ...] | None = None
    """Defaults to the weekdays from start to end."""
    hours_per_day: int = DEFAULT_HOURS_PER_DAY
    capacity: int = DEFAULT_CAPACITY


class CohortScheduled(Outcome, frozen=True):
    cohort_id: UUID


class Enrol(msgspec.Struct, frozen=True):
    cohort_id: UUID
    person_id: UUID


class Enrolment(Outcome, frozen=True):
    cohort_id: UUID
    person_id: UUID
    record_id: UUID | None
    """None when the person went on the waiting list."""
    waiting_list_place: int | None = None


class JoinWaitingList(msgspec.Struct, frozen=True):
    """Put the person at the end of the waiting list, even while seats are free (not sure yet, a later start)."""

    cohort_id: UUID
    person_id: UUID


class WaitingListPlace(Outcome, frozen=True):
    cohort_id: UUID
    person_id: UUID
    place: int


class SeatFromWaitingList(msgspec.Struct, frozen=True):
    """Give a free seat to this person waiting, whatever their place in line (the trainer reached them first)."""

    cohort_id: UUID
    person_id: UUID


class LeaveWaitingList(msgspec.Struct, frozen=True):
    cohort_id: UUID
    person_id: UUID


class LeftWaitingList(Outcome, frozen=True):
    cohort_id: UUID
    person_id: UUID


class WithdrawFromCohort(msgspec.Struct, frozen=True):
    record_id: UUID
    reason: str
    cohort_id: UUID | None = None
    """When given, the record must belong to this cohort (the HTTP path names it)."""


class Withdrawal(Outcome, frozen=True):
    record_id: UUID
    promoted_person_id: UUID | None = None
    promoted_record_id: UUID | None = None


async def schedule_cohort(
    ctx: ApplicationContext, actor: Actor, command: ScheduleCohort, *, idempotency_key: str | None = None
) -> CohortScheduled:
    authorise(actor, Category.TRAINING)
    command = _with_defaults(command, actor)

    async def decide(at: datetime) -> Decision[CohortScheduled]:
        cohort = Cohort.schedule(
            ctx.new_id(),
            command.name,
            command.site,
            command.starts_on,
            command.ends_on,
            at,
            actor.staff_id,
            session_days=command.session_days,
            hours_per_day=command.hours_per_day,
            capacity=command.capacity,
            trainer_ids=command.trainer_ids or (),
        )
        return Decision((cohort,), CohortScheduled(versions=versions_of(cohort), cohort_id=cohort.id))

    return await execute(
        ctx, actor, command, decide, CohortScheduled, idempotency_key=idempotency_key, repeatable=False
    )


def _with_defaults(command: ScheduleCohort, actor: Actor) -> ScheduleCohort:
    """The plan as decided, before its fingerprint is taken: the same plan, sent twice, is one command."""
    trainers = command.trainer_ids
    if trainers is None:
        trainers = (actor.staff_id,) if Role.TRAINER in actor.roles else ()
    days = None if command.session_days is None else tuple(sorted(set(command.session_days)))
    return msgspec.structs.replace(command, trainer_ids=trainers, session_days=days)


async def enrol(
    ctx: ApplicationContext, actor: Actor, command: Enrol, *, idempotency_key: str | None = None
) -> Enrolment:
    """Take a seat and open the training record in ONE append, or join the waiting list."""
    authorise(actor, Category.TRAINING)

    async def decide(at: datetime) -> Decision[Enrolment]:
        cohort = await ctx.repository.get(Cohort, command.cohort_id)
        ensure_trains(actor, cohort, enrolling=True)
        await person_open_to(ctx, actor, command.person_id)
        record = workflows.enrol(cohort, command.person_id, ctx.new_id(), at, actor.staff_id)
        if record is None:
            place = cohort.waiting_list.index(command.person_id) + 1
            result = Enrolment(
                versions=versions_of(cohort),
                cohort_id=cohort.id,
                person_id=command.person_id,
                record_id=None,
                waiting_list_place=place,
            )
            return Decision((cohort,), result)
        result = Enrolment(
            versions=versions_of(cohort, record),
            cohort_id=cohort.id,
            person_id=command.person_id,
            record_id=record.id,
        )
        return Decision((cohort, record), result)

    return await execute(ctx, actor, command, decide, Enrolment, idempotency_key=idempotency_key, repeatable=True)


async def withdraw_from_cohort(
    ctx: ApplicationContext, actor: Actor, command: WithdrawFromCohort, *, idempotency_key: str | None = None
) -> Withdrawal:
    """Withdraw a learner; the freed seat and a new record go to the first person waiting."""
    authorise(actor, Category.TRAINING)

    async def decide(at: datetime) -> Decision[Withdrawal]:
        record = await ctx.repository.get(TrainingRecord, command.record_id)
        assert record.cohort_id is not None
        if command.cohort_id not in (None, record.cohort_id):
            raise NotEnrolledError(f"record {record.id} belongs to another cohort")
        cohort = await ctx.repository.get(Cohort, record.cohort_id)
        ensure_trains(actor, cohort)
        await person_open_to(ctx, actor, record.person_id)
        promoted = workflows.withdraw(cohort, record, command.reason, at, actor.staff_id, ctx.new_id())
        changed = (cohort, record) if promoted is None else (cohort, record, promoted)
        result = Withdrawal(
            versions=versions_of(*changed),
            record_id=record.id,
            promoted_person_id=None if promoted is None else promoted.person_id,
            promoted_record_id=None if promoted is None else promoted.id,
        )
        return Decision(changed, result)

    return await execute(ctx, actor, command, decide, Withdrawal, idempotency_key=idempotency_key, repeatable=True)


async def join_waiting_list(
    ctx: ApplicationContext, actor: Actor, command: JoinWaitingList, *, idempotency_key: str | None = None
) -> WaitingListPlace:
    """Put the person at the end of the cohort's waiting list; their place is returned."""
    authorise(actor, Category.TRAINING)

    async def decide(at: datetime) -> Decision[WaitingListPlace]:
        cohort = await ctx.repository.get(Cohort, command.cohort_id)
        ensure_trains(actor, cohort, enrolling=True)
        await person_open_to(ctx, actor, command.person_id)
        place = cohort.join_waiting_list(command.person_id, at, actor.staff_id)
        result = WaitingListPlace(
            versions=versions_of(cohort), cohort_id=cohort.id, person_id=command.person_id, place=place
        )
        return Decision((cohort,), result)

    return await execute(
        ctx, actor, command, decide, WaitingListPlace, idempotency_key=idempotency_key, repeatable=True
    )


async def seat_waiting_person(
    ctx: ApplicationContext, actor: Actor, command: SeatFromWaitingList, *, idempotency_key: str | None = None
) -> Enrolment:
    """Seat a person from the waiting list and open their training record, in ONE append."""
    authorise(actor, Category.TRAINING)

    async def decide(at: datetime) -> Decision[Enrolment]:
        cohort = await ctx.repository.get(Cohort, command.cohort_id)
        ensure_trains(actor, cohort, enrolling=True)
        await person_open_to(ctx, actor, command.person_id)
        record = seat_from_waiting_list(cohort, command.person_id, ctx.new_id(), at, actor.staff_id)
        result = Enrolment(
            versions=versions_of(cohort, record),
            cohort_id=cohort.id,
            person_id=command.person_id,
            record_id=record.id,
        )
        return Decision((cohort, record), result)

    return await execute(ctx, actor, command, decide, Enrolment, idempotency_key=idempotency_key, repeatable=True)


async def leave_waiting_list(
    ctx: ApplicationContext, actor: Actor, command: LeaveWaitingList, *, idempotency_key: str | None = None
) -> LeftWaitingList:
    """Take the person off the cohort's waiting list (no longer interested, enrolled elsewhere)."""
    authorise(actor, Category.TRAINING)

    async def decide(at: datetime) -> Decision[LeftWaitingList]:
        cohort = await ctx.repository.get(Cohort, command.cohort_id)
        ensure_trains(actor, cohort, enrolling=True)
        await person_open_to(ctx, actor, command.person_id)
        cohort.leave_waiting_list(command.person_id, at, actor.staff_id)
        result = LeftWaitingList(versions=versions_of(cohort), cohort_id=cohort.id, person_id=command.person_id)
        return Decision((cohort,), result)

    return await execute(ctx, actor, command, decide, LeftWaitingList, idempotency_key=idempotency_key, repeatable=True)
