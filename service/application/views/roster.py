"""The roster of a cohort on one day: learners with their attendance, and the waiting list.

Every person shown is opened through the access policy (one access event each); names
appear only for those who may read the person's identity (their trainers, helpers).
A trainer reads the rosters of the cohorts she trains only (``NotYourCohortError``).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import msgspec

from domain.base import Category
from domain.policy import Relation, Role, access
from projections.roster import read_roster
from service.application.cohorts import NotYourCohortError
from service.application.context import Actor, ApplicationContext
from service.application.errors import NotAuthorisedError
from service.application.listing import name_parts, names_of, open_each
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
    attendance_rate: float | None = None
    """Sessions attended (present or late) among all the cohort's sessions, as the training history counts."""
    sessions_attended: int = 0


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
    seats_taken: int = 0
    """Seats held by learners enrolled now (not those who completed or withdrew)."""
    session_count: int = 0


async def roster(
    ctx: ApplicationContext,
    actor: Actor,
    cohort_id: UUID,
    day: date | None = None,
    purpose: ReadPurpose = ReadPurpose.TRAINING,
) -> RosterView:
    """Learners (with the day's attendance, today by default) and the waiting list; each person shown is an access."""
    _ensure_may_read(actor, trains=True)  # the roles alone, before anything is read
    on = day or ctx.clock().date()
    async with ctx.pool.acquire() as db:
        found = await read_roster(db, cohort_id, on)
    if found is None:
        raise AggregateNotFoundError("Cohort", cohort_id)
    _ensure_may_read(actor, trains=actor.staff_id in found.trainer_ids)
    sessions = found.session_count
    people = [line.person_id for line in found.learners] + found.waiting_list
    grants = await open_each(ctx, actor, people, "roster", purpose, Category.TRAINING)
    names = await names_of(ctx, grants)
    learners = [
        Learner(
            line.person_id,
            line.record_id,
            line.status,
            line.attendance,
            *name_parts(names.get(line.person_id)),
            line.sessions_attended / sessions if sessions else None,
            line.sessions_attended,
        )
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
        sum(1 for line in found.learners if line.status == "enrolled"),
        sessions,
    )


def _ensure_may_read(actor: Actor, *, trains: bool) -> None:
    """Trainers read the rosters of the cohorts they train; helpers read every roster; others none."""
    if access(actor.roles, Relation(in_own_cohort=trains))[Category.TRAINING].allows_read():
        return
    if Role.TRAINER in actor.roles and not trains:
        raise NotYourCohortError(action="read")
    raise NotAuthorisedError(Category.TRAINING, action="read")
