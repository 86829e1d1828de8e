"""A trainer's cohorts, as counts (no personal data, so no access event and no role needed), and the
look-up of the person she is about to enrol.

Trainers do not browse the directory. A trainer enrolling someone types the file number the
person brings (written on the registration slip by the helper or the social worker): an exact
number finds at most one person, whose course details she reads to check it is the right one.
That read is an access like any other, for training, on the basis of the enrolment.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec

from domain.base import Category
from domain.cohort import Cohort
from domain.errors import InvalidValueError
from domain.person import FILE_NUMBER
from projections.directory import search
from projections.roster import Roster, cohorts_of_trainer, read_roster
from service.application.cohorts import ensure_trains
from service.application.context import Actor, ApplicationContext
from service.application.reading import ReadPurpose
from service.application.views.learners import CourseDetails, course_details, open_learner


class CohortSummary(msgspec.Struct, frozen=True):
    cohort_id: UUID
    name: str
    site: str
    starts_on: date
    ends_on: date
    capacity: int
    seats_taken: int
    waiting: int


async def my_cohorts(ctx: ApplicationContext, actor: Actor) -> list[CohortSummary]:
    """The cohorts the actor teaches (empty for anyone who trains no cohort)."""
    today = ctx.clock().date()
    summaries = []
    async with ctx.pool.acquire() as db:
        for cohort_id in await cohorts_of_trainer(db, actor.staff_id):
            found = await read_roster(db, cohort_id, today)
            if found is not None:
                summaries.append(_summary(cohort_id, found))
    return summaries


def _summary(cohort_id: UUID, found: Roster) -> CohortSummary:
    seated = sum(1 for line in found.learners if line.status == "enrolled")
    return CohortSummary(
        cohort_id,
        found.name,
        found.site,
        found.starts_on,
        found.ends_on,
        found.capacity,
        seated,
        len(found.waiting_list),
    )


class EnrolmentCandidate(msgspec.Struct, frozen=True):
    """The person found by file number, as the trainer needs her to decide: enrol, put on the waiting list."""

    cohort_id: UUID
    learner: CourseDetails
    in_cohort: str | None
    """``enrolled`` (holds or held a seat), ``waiting``, or null when not in this cohort yet."""
    cohort_full: bool
    restricted: bool
    """Processing is restricted (Art. 18): the person cannot be enrolled."""


def file_number_of(text: str) -> str:
    """The file number as typed (spaces around it left out); refused by name unless it is a whole number."""
    number = text.strip()
    if not FILE_NUMBER.match(number):
        raise InvalidValueError("a file number is written like 2026-00042", field="file_number")
    return number


async def find_for_enrolment(
    ctx: ApplicationContext, actor: Actor, cohort_id: UUID, file_number: str
) -> EnrolmentCandidate | None:
    """The one person with this exact file number, for enrolment in a cohort the actor trains (None: nobody)."""
    number = file_number_of(file_number)
    cohort = await ctx.repository.get(Cohort, cohort_id)
    ensure_trains(actor, cohort, enrolling=True)
    if ctx.index is None:
        raise RuntimeError("finding a person by file number needs a context built with the blind index")
    async with ctx.pool.acquire() as db:
        found = await search(db, ctx.sealer, ctx.index, number, limit=1)
    if not found:
        return None
    listing = found[0]
    grant = await open_learner(
        ctx,
        actor,
        listing.person_id,
        "enrolment_lookup",
        ReadPurpose.TRAINING,
        needs=Category.IDENTITY,
        enrolling_in=cohort_id,
    )
    learner = await course_details(ctx, grant)
    if learner is None:
        return None
    person_id = listing.person_id
    in_cohort = "enrolled" if person_id in cohort.seats else "waiting" if person_id in cohort.waiting_list else None
    return EnrolmentCandidate(cohort_id, learner, in_cohort, cohort.is_full, listing.restricted)
