"""A learner's training history: who (course details), cohorts, attendance and DigComp progress, maybe digital help.

A trainer reads the history of her own cohorts' learners and of the people she is enrolling;
anyone else's is refused (``NotYourLearnerError``) before anything is read or recorded.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import msgspec

from domain.base import Category
from domain.policy import Scope
from domain.training import TrainingRecord
from projections.training_history import CohortHistory, read_training_history
from service.application.context import Actor, ApplicationContext
from service.application.reading import ReadPurpose
from service.application.views.learners import CourseDetails, course_details, open_learner


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
    completion_reason: str | None = None
    """Why the course was completed though attendance stayed below the centre's threshold."""


class HelpTopic(msgspec.Struct, frozen=True):
    session_on: date
    category: str
    minutes: int


class TrainingHistoryView(msgspec.Struct, frozen=True):
    person_id: UUID
    cohorts: list[CohortRecord]
    digital_help: list[HelpTopic] | None
    """Office-hours digital help (topic and minutes only); null when the reader may not see it."""
    learner: CourseDetails | None = None
    """Name, file number, preferred language, phone; null when the reader may not read the identity."""


async def training_history(
    ctx: ApplicationContext, actor: Actor, person_id: UUID, purpose: ReadPurpose = ReadPurpose.TRAINING
) -> TrainingHistoryView:
    """Cohorts, attendance and DigComp progress; digital help only when the reader may see it."""
    grant = await open_learner(ctx, actor, person_id, "training_history", purpose)
    with_help = grant.may_read(Category.OFFICE_HOURS, Scope.DIGITAL_HELP_ONLY)
    async with ctx.pool.acquire() as db:
        history = await read_training_history(db, person_id, include_digital_help=with_help)
    helped = (
        None
        if history.digital_help is None
        else [HelpTopic(h.session_on, h.category, h.minutes) for h in history.digital_help]
    )
    cohorts = [_record(c, await _completion_reason(ctx, c)) for c in history.cohorts]
    return TrainingHistoryView(person_id, cohorts, helped, await course_details(ctx, grant))


async def _completion_reason(ctx: ApplicationContext, cohort: CohortHistory) -> str | None:
    """Read from the record itself: the reason is free text, which the read model does not keep."""
    if cohort.status != "completed":
        return None
    return (await ctx.repository.get(TrainingRecord, cohort.record_id)).completion_reason


def _record(cohort: CohortHistory, completion_reason: str | None) -> CohortRecord:
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
        completion_reason,
    )
