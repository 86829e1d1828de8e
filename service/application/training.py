"""A learner's training record: a whole group's attendance, DigComp assessments, completion.

Attendance and assessments are repeated on a concurrency conflict: recording a day
again corrects it (the latest entry wins) and an assessment is a dated fact, so neither
depends on what another writer recorded meanwhile. Completion is not repeated.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import msgspec

from domain.base import Category
from domain.cohort import Cohort
from domain.errors import InvalidValueError
from domain.training import AssessmentKind, AttendanceStatus, TrainingRecord
from service.application.authorisation import authorise, person_open_to, relation_to
from service.application.context import Actor, ApplicationContext
from service.application.running import Decision, Outcome, execute, versions_of


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
        cohort = await ctx.repository.get(Cohort, command.cohort_id)
        authorise(actor, Category.TRAINING, relation_to(actor, cohort=cohort))
        records = await asyncio.gather(*(ctx.repository.get(TrainingRecord, r) for r in record_ids))
        await asyncio.gather(*(person_open_to(ctx, actor, record.person_id) for record in records))
        for record, mark in zip(records, command.marks, strict=True):
            record.record_attendance(cohort, command.day, mark.status, at, actor.staff_id, mark.hours)
        return Decision(tuple(records), TrainingChanged(versions=versions_of(*records), cohort_id=cohort.id))

    return await execute(ctx, actor, command, decide, TrainingChanged, idempotency_key=idempotency_key, repeatable=True)


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
        authorise(actor, Category.TRAINING, relation_to(actor, cohort=cohort))
        await person_open_to(ctx, actor, record.person_id)
        if isinstance(command, AssessDigComp):
            for level in command.levels:
                record.assess(level.competence, level.level, command.kind, at, actor.staff_id)
        else:
            record.complete(command.certificate_reference, at, actor.staff_id)
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
