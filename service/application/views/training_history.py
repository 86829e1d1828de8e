"""A learner's training history: cohorts, attendance and DigComp progress, and maybe digital help."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import msgspec

from domain.base import Category
from domain.policy import Scope
from projections.training_history import CohortHistory, read_training_history
from service.application.context import Actor, ApplicationContext
from service.application.reading import ReadPurpose, open_for_reading


class Progress(msgspec.Struct, frozen=True):
    competence: str
    initial: int | None
    final: int | None
    gain: int | None


class CohortRecord(msgspec.Struct, frozen=True):
    record_id: UUID
    cohort_id: UUID
    cohort_name: str
    starts_on: date
    ends_on: date
    status: str
    hours_attended: Decimal
    attendance_rate: float | None
    competences: list[Progress]


class HelpTopic(msgspec.Struct, frozen=True):
    session_on: date
    category: str
    minutes: int


class TrainingHistoryView(msgspec.Struct, frozen=True):
    person_id: UUID
    cohorts: list[CohortRecord]
    digital_help: list[HelpTopic] | None
    """Office-hours digital help (topic and minutes only); null when the reader may not see it."""


async def training_history(
    ctx: ApplicationContext, actor: Actor, person_id: UUID, purpose: ReadPurpose = ReadPurpose.TRAINING
) -> TrainingHistoryView:
    """Cohorts, attendance and DigComp progress; digital help only when the reader may see it."""
    grant = await open_for_reading(ctx, actor, person_id, "training_history", purpose, needs=Category.TRAINING)
    with_help = grant.may_read(Category.OFFICE_HOURS, Scope.DIGITAL_HELP_ONLY)
    async with ctx.pool.acquire() as db:
        history = await read_training_history(db, person_id, include_digital_help=with_help)
    helped = (
        None
        if history.digital_help is None
        else [HelpTopic(h.session_on, h.category, h.minutes) for h in history.digital_help]
    )
    return TrainingHistoryView(person_id, [_record(c) for c in history.cohorts], helped)


def _record(cohort: CohortHistory) -> CohortRecord:
    return CohortRecord(
        cohort.record_id,
        cohort.cohort_id,
        cohort.cohort_name,
        cohort.starts_on,
        cohort.ends_on,
        cohort.status,
        cohort.hours_attended,
        cohort.attendance_rate,
        [Progress(p.competence, p.initial, p.final, p.gain) for p in cohort.competences],
    )
