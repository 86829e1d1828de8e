"""A learner's DigComp grid: the levels already assessed (initial, final, self), to fill in or correct.

Read from the training record itself, not from a read model: the grid the trainer saves is
the grid she sees straight after, with nothing to wait for.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec

from domain.cohort import Cohort
from domain.training import AssessmentKind, TrainingRecord
from service.application.context import Actor, ApplicationContext
from service.application.reading import ReadPurpose
from service.application.views.learners import CourseDetails, course_details, open_learner
from service.storage.repository import AggregateNotFoundError


class Assessed(msgspec.Struct, frozen=True):
    """One kind of assessment as it stands: the latest level per competence, and when it was last assessed."""

    kind: AssessmentKind
    levels: dict[str, int]
    last_assessed_on: date | None


class DigCompGrid(msgspec.Struct, frozen=True):
    record_id: UUID
    cohort_id: UUID
    cohort_name: str
    status: str
    learner: CourseDetails | None
    assessments: dict[AssessmentKind, Assessed]


async def digcomp_grid(
    ctx: ApplicationContext, actor: Actor, cohort_id: UUID, record_id: UUID, purpose: ReadPurpose = ReadPurpose.TRAINING
) -> DigCompGrid:
    """Every kind of assessment of one training record of ``cohort_id``; the read is recorded."""
    record = await ctx.repository.get(TrainingRecord, record_id)
    if record.cohort_id != cohort_id or record.person_id is None:
        raise AggregateNotFoundError("TrainingRecord", record_id)
    grant = await open_learner(ctx, actor, record.person_id, "digcomp_grid", purpose)
    cohort = await ctx.repository.get(Cohort, cohort_id)
    assessments = {}
    for kind in AssessmentKind:
        made = [a for a in record.assessments if a.kind == kind]
        last = max((a.assessed_on for a in made), default=None)
        assessments[kind] = Assessed(kind, record.levels(kind), last)
    learner = await course_details(ctx, grant)
    return DigCompGrid(record.id, cohort.id, cohort.name, str(record.status), learner, assessments)
