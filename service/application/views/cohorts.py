"""A trainer's cohorts, as counts: no personal data, so no access event and no role needed."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec

from projections.roster import Roster, cohorts_of_trainer, read_roster
from service.application.context import Actor, ApplicationContext


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
