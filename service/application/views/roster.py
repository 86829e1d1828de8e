"""The roster of a cohort on one day: learners with their attendance, and the waiting list.

Every person shown is opened through the access policy (one access event each); names
appear only for those who may read the person's identity (their trainers, helpers).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec

from domain.base import Category
from projections.roster import read_roster
from service.application.context import Actor, ApplicationContext
from service.application.listing import ensure_role_may_read, name_parts, names_of, open_each
from service.application.reading import ReadPurpose
from service.storage.repository import AggregateNotFoundError


class Learner(msgspec.Struct, frozen=True):
    person_id: UUID
    record_id: UUID | None
    status: str
    attendance: str | None
    """On the day asked for; null when not recorded yet."""
    given_name: str | None
    family_name: str | None
    """Names are shown only to those who may read the learner's identity (their trainers, helpers)."""


class Waiting(msgspec.Struct, frozen=True):
    place: int
    person_id: UUID
    given_name: str | None
    family_name: str | None


class RosterView(msgspec.Struct, frozen=True):
    cohort_id: UUID
    name: str
    site: str
    starts_on: date
    ends_on: date
    capacity: int
    trainer_ids: list[UUID]
    day: date
    is_session_day: bool
    learners: list[Learner]
    waiting_list: list[Waiting]


async def roster(
    ctx: ApplicationContext,
    actor: Actor,
    cohort_id: UUID,
    day: date | None = None,
    purpose: ReadPurpose = ReadPurpose.TRAINING,
) -> RosterView:
    """Learners (with the day's attendance, today by default) and the waiting list; each person shown is an access."""
    ensure_role_may_read(actor, Category.TRAINING)
    on = day or ctx.clock().date()
    async with ctx.pool.acquire() as db:
        found = await read_roster(db, cohort_id, on)
    if found is None:
        raise AggregateNotFoundError("Cohort", cohort_id)
    people = [line.person_id for line in found.learners] + found.waiting_list
    grants = await open_each(ctx, actor, people, "roster", purpose, Category.TRAINING)
    names = await names_of(ctx, grants)
    learners = [
        Learner(line.person_id, line.record_id, line.status, line.attendance, *name_parts(names.get(line.person_id)))
        for line in found.learners
        if line.person_id in grants
    ]
    # Alphabetical, as on a paper register: a trainer finds a name at a glance.
    learners.sort(key=lambda learner: ((learner.family_name or "").casefold(), (learner.given_name or "").casefold()))
    waiting = [
        Waiting(place, person_id, *name_parts(names.get(person_id)))
        for place, person_id in enumerate(found.waiting_list, start=1)
        if person_id in grants
    ]
    return RosterView(
        cohort_id,
        found.name,
        found.site,
        found.starts_on,
        found.ends_on,
        found.capacity,
        found.trainer_ids,
        on,
        found.is_session_day,
        learners,
        waiting,
    )
