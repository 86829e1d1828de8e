"""A learner's training record: a whole group's attendance, DigComp assessments, completion.

A group's day is usually "everyone present but these few": ``record_group_day`` reads the
roster for whom that means, then records it as one ``RecordAttendance``.

Attendance and assessments are repeated on a concurrency conflict: recording a day
again corrects it (the latest entry wins) and an assessment is a dated fact, so neither
depends on what another writer recorded meanwhile. Completion is not repeated. It needs
the centre's attendance threshold (``ctx.centre.completion_attendance_percent``) or a
written reason, which the event keeps and the training history shows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import msgspec

from domain.base import Category
from domain.cohort import Cohort
from domain.errors import InvalidValueError
from domain.training import AssessmentKind, AttendanceStatus, NotEnrolledError, TrainingRecord
from projections.roster import read_roster
from service.application.authorisation import authorise, person_open_to
from service.application.cohorts import ensure_trains
from service.application.context import Actor, ApplicationContext
from service.application.running import Decision, Outcome, execute, versions_of
from service.storage.repository import AggregateNotFoundError


class AttendanceMark(msgspec.Struct, frozen=True):
    record_id: UUID
    status: AttendanceStatus
    hours: Decimal | None = None
    """Defaults to the full day when present or late, and to zero when away."""


class RecordAttendance(msgspec.Struct, frozen=True):
    """One session day of a whole group, in one command and one append."""

    cohort_id: UUID
    day: date
    marks: tuple[AttendanceMark, ...]


class LearnerMark(msgspec.Struct, frozen=True):
    """One learner whose day differs from the group's, named by training record or else by person."""

    status: AttendanceStatus
    record_id: UUID | None = None
    person_id: UUID | None = None
    hours: Decimal | None = None
    """Defaults to the full day when present or late, and to zero when away."""


class RecordGroupDay(msgspec.Struct, frozen=True):
    """A whole group's day: ``default_status`` for every enrolled learner, except those listed."""

    cohort_id: UUID
    day: date
    default_status: AttendanceStatus | None = AttendanceStatus.PRESENT
    """None records only the exceptions."""
    exceptions: tuple[LearnerMark, ...] = ()


class CompetenceLevel(msgspec.Struct, frozen=True):
    competence: str
    """A DigComp 2.2 competence code, e.g. ``"1.1"``."""
    level: int


class AssessDigComp(msgspec.Struct, frozen=True):
    record_id: UUID
    kind: AssessmentKind
    levels: tuple[CompetenceLevel, ...]


class CompleteTraining(msgspec.Struct, frozen=True):
    record_id: UUID
    certificate_reference: str
    reason: str | None = None
    """Needed when attendance stayed below the centre's threshold: why the course counts as completed."""


class TrainingChanged(Outcome, frozen=True):
    cohort_id: UUID


async def record_attendance(
    ctx: ApplicationContext, actor: Actor, command: RecordAttendance, *, idempotency_key: str | None = None
) -> TrainingChanged:
    """Record the day for every learner marked. A restricted learner refuses the whole command."""
    authorise(actor, Category.TRAINING)
    record_ids = [mark.record_id for mark in command.marks]
    if len(set(record_ids)) != len(record_ids):
        raise InvalidValueError("each learner is marked once per day")

    async def decide(at: datetime) -> Decision[TrainingChanged]:
        return await _decide_day(ctx, actor, command.cohort_id, command.day, command.marks, at)

    return await execute(ctx, actor, command, decide, TrainingChanged, idempotency_key=idempotency_key, repeatable=True)


async def record_group_day(
    ctx: ApplicationContext, actor: Actor, command: RecordGroupDay, *, idempotency_key: str | None = None
) -> TrainingChanged:
    """Record the day of everyone enrolled on the roster, each exception in its place.

    Who "everyone" is is read again at each decision, and the command kept for its
    idempotency is the one sent, so a retry answers what the first attempt answered.
    """
    authorise(actor, Category.TRAINING)

    async def decide(at: datetime) -> Decision[TrainingChanged]:
        marks = await _marks(ctx, command)
        return await _decide_day(ctx, actor, command.cohort_id, command.day, marks, at)

    return await execute(ctx, actor, command, decide, TrainingChanged, idempotency_key=idempotency_key, repeatable=True)


async def _decide_day(
    ctx: ApplicationContext,
    actor: Actor,
    cohort_id: UUID,
    day: date,
    marks: tuple[AttendanceMark, ...],
    at: datetime,
) -> Decision[TrainingChanged]:
    cohort = await ctx.repository.get(Cohort, cohort_id)
    ensure_trains(actor, cohort)
    records = await asyncio.gather(*(ctx.repository.get(TrainingRecord, mark.record_id) for mark in marks))
    await asyncio.gather(*(person_open_to(ctx, actor, record.person_id) for record in records))
    for record, mark in zip(records, marks, strict=True):
        record.record_attendance(cohort, day, mark.status, at, actor.staff_id, mark.hours)
    return Decision(tuple(records), TrainingChanged(versions=versions_of(*records), cohort_id=cohort.id))


async def _marks(ctx: ApplicationContext, command: RecordGroupDay) -> tuple[AttendanceMark, ...]:
    """The default for every enrolled learner on the roster, then each exception in its place."""
    async with ctx.pool.acquire() as db:
        roster = await read_roster(db, command.cohort_id, command.day)
    if roster is None:
        raise AggregateNotFoundError("Cohort", command.cohort_id)
    enrolled = {
        line.person_id: line.record_id
        for line in roster.learners
        if line.status == "enrolled" and line.record_id is not None
    }
    marks: dict[UUID, AttendanceMark] = {}
    if command.default_status is not None:
        marks = {r: AttendanceMark(r, command.default_status) for r in enrolled.values()}
    excepted: set[UUID] = set()
    for exception in command.exceptions:
        record_id = exception.record_id
        if record_id is None and exception.person_id is not None:
            record_id = enrolled.get(exception.person_id)
        if record_id is None:
            raise NotEnrolledError(f"person {exception.person_id} holds no seat in cohort {command.cohort_id}")
        if record_id in excepted:
            raise InvalidValueError("each learner is marked once per day")
        excepted.add(record_id)
        marks[record_id] = AttendanceMark(record_id, exception.status, exception.hours)
    if not marks:
        raise InvalidValueError("no learner to mark on that day")
    return tuple(marks.values())


def competence_levels(levels: Mapping[str, int]) -> tuple[CompetenceLevel, ...]:
    """A DigComp grid as levels in code order: the same grid always makes the same command."""
    return tuple(CompetenceLevel(code, level) for code, level in sorted(levels.items()))


async def _change_record(
    ctx: ApplicationContext,
    actor: Actor,
    command: AssessDigComp | CompleteTraining,
    idempotency_key: str | None,
    *,
    repeatable: bool,
) -> TrainingChanged:
    authorise(actor, Category.TRAINING)

    async def decide(at: datetime) -> Decision[TrainingChanged]:
        record = await ctx.repository.get(TrainingRecord, command.record_id)
        assert record.cohort_id is not None
        cohort = await ctx.repository.get(Cohort, record.cohort_id)
        ensure_trains(actor, cohort)
        await person_open_to(ctx, actor, record.person_id)
        if isinstance(command, AssessDigComp):
            if not command.levels:
                raise InvalidValueError("an assessment needs at least one level", field="levels")
            for level in command.levels:
                record.assess(level.competence, level.level, command.kind, at, actor.staff_id)
        else:
            threshold = ctx.centre.completion_attendance_percent
            record.complete(
                cohort,
                command.certificate_reference,
                at,
                actor.staff_id,
                threshold_percent=threshold,
                reason=command.reason,
            )
        return Decision((record,), TrainingChanged(versions=versions_of(record), cohort_id=cohort.id))

    return await execute(
        ctx, actor, command, decide, TrainingChanged, idempotency_key=idempotency_key, repeatable=repeatable
    )


async def assess_digcomp(
    ctx: ApplicationContext, actor: Actor, command: AssessDigComp, *, idempotency_key: str | None = None
) -> TrainingChanged:
    """Record DigComp levels (initial, final or self-assessment) for one learner."""
    return await _change_record(ctx, actor, command, idempotency_key, repeatable=True)


async def complete_training(
    ctx: ApplicationContext, actor: Actor, command: CompleteTraining, *, idempotency_key: str | None = None
) -> TrainingChanged:
    """Complete with a certificate. Not repeated: the trainer decided on the record as it was."""
    return await _change_record(ctx, actor, command, idempotency_key, repeatable=False)
