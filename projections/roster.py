"""Cohort rosters for trainers: learners enrolled, a day's attendance sheet, the waiting list."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date
from uuid import UUID

import msgspec

from domain.cohort import Cohort
from domain.training import TrainingRecord
from projections.base import ERASED, Db, Envelope, Projection, events_of, handles

_COHORT_EVENTS = events_of(Cohort)


class RosterLine(msgspec.Struct, frozen=True):
    person_id: UUID
    record_id: UUID | None
    status: str
    attendance: str | None  # on the day asked for; None when not yet recorded
    sessions_attended: int = 0
    """Session days attended so far (present or late)."""


class Roster(msgspec.Struct, frozen=True):
    cohort_id: UUID
    name: str
    site: str
    starts_on: date
    ends_on: date
    capacity: int
    trainer_ids: list[UUID]
    is_session_day: bool
    learners: list[RosterLine]
    waiting_list: list[UUID]
    session_count: int = 0


class RosterProjection(Projection):
    name = "roster"
    schema = "rm_roster"

    def write_key(self, envelope: Envelope) -> Hashable | None:
        # A cohort's events, and an enrolment in it, write that cohort's rows (its seats, its waiting
        # list); attendance writes the training record's own rows. A seat found by its record (a
        # completion, a withdrawal) and an erasure keep their place among all the writes.
        event = envelope.event
        if isinstance(event, TrainingRecord.Enrolled):
            return ("cohort", event.cohort_id)
        if isinstance(event, TrainingRecord.AttendanceRecorded):
            return ("record", envelope.stream_id)
        if isinstance(event, _COHORT_EVENTS):
            return ("cohort", envelope.stream_id)
        return None

    @handles(Cohort.Scheduled)
    async def _scheduled(self, db: Db, envelope: Envelope) -> None:
        event: Cohort.Scheduled = envelope.event
        await db.execute(
            """INSERT INTO cohorts (cohort_id, name, site, starts_on, ends_on, session_days, hours_per_day,
                                    capacity, trainer_ids)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (cohort_id) DO NOTHING""",
            envelope.stream_id,
            event.name,
            event.site,
            event.starts_on,
            event.ends_on,
            list(event.session_days),
            event.hours_per_day,
            event.capacity,
            list(event.trainer_ids),
        )

    @handles(Cohort.CapacityChanged)
    async def _capacity(self, db: Db, envelope: Envelope) -> None:
        await db.execute(
            "UPDATE cohorts SET capacity = $2 WHERE cohort_id = $1", envelope.stream_id, envelope.event.capacity
        )

    @handles(Cohort.TrainerAssigned)
    async def _trainer(self, db: Db, envelope: Envelope) -> None:
        await db.execute(
            "UPDATE cohorts SET trainer_ids = array_append(array_remove(trainer_ids, $2), $2) WHERE cohort_id = $1",
            envelope.stream_id,
            envelope.event.trainer_id,
        )

    @handles(Cohort.TrainerUnassigned)
    async def _untrainer(self, db: Db, envelope: Envelope) -> None:
        await db.execute(
            "UPDATE cohorts SET trainer_ids = array_remove(trainer_ids, $2) WHERE cohort_id = $1",
            envelope.stream_id,
            envelope.event.trainer_id,
        )

    @handles(Cohort.SeatReserved, Cohort.PromotedFromWaitingList)
    async def _seat(self, db: Db, envelope: Envelope) -> None:
        await db.execute(
            "DELETE FROM waiting WHERE cohort_id = $1 AND person_id = $2", envelope.stream_id, envelope.event.person_id
        )
        await db.execute(
            """INSERT INTO seats (cohort_id, person_id, status) VALUES ($1, $2, 'enrolled')
               ON CONFLICT (cohort_id, person_id) DO UPDATE SET status = 'enrolled'""",
            envelope.stream_id,
            envelope.event.person_id,
        )

    @handles(Cohort.SeatReleased)
    async def _released(self, db: Db, envelope: Envelope) -> None:
        await db.execute(
            "UPDATE seats SET status = 'withdrawn' WHERE cohort_id = $1 AND person_id = $2",
            envelope.stream_id,
            envelope.event.person_id,
        )

    @handles(Cohort.Waitlisted)
    async def _waitlisted(self, db: Db, envelope: Envelope) -> None:
        await db.execute(
            "INSERT INTO waiting (cohort_id, person_id, rank) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            envelope.stream_id,
            envelope.event.person_id,
            envelope.position,
        )

    @handles(Cohort.LeftWaitingList)
    async def _left(self, db: Db, envelope: Envelope) -> None:
        await db.execute(
            "DELETE FROM waiting WHERE cohort_id = $1 AND person_id = $2", envelope.stream_id, envelope.event.person_id
        )

    @handles(TrainingRecord.Enrolled)
    async def _enrolled(self, db: Db, envelope: Envelope) -> None:
        event: TrainingRecord.Enrolled = envelope.event
        await db.execute(
            """INSERT INTO seats (cohort_id, person_id, record_id, status) VALUES ($1, $2, $3, 'enrolled')
               ON CONFLICT (cohort_id, person_id) DO UPDATE SET record_id = $3""",
            event.cohort_id,
            event.person_id,
            envelope.stream_id,
        )

    @handles(TrainingRecord.Completed, TrainingRecord.Withdrawn)
    async def _finished(self, db: Db, envelope: Envelope) -> None:
        status = "completed" if isinstance(envelope.event, TrainingRecord.Completed) else "withdrawn"
        await db.execute("UPDATE seats SET status = $2 WHERE record_id = $1", envelope.stream_id, status)

    @handles(TrainingRecord.AttendanceRecorded)
    async def _attendance(self, db: Db, envelope: Envelope) -> None:
        event: TrainingRecord.AttendanceRecorded = envelope.event
        await db.execute(
            """INSERT INTO attendance (record_id, person_id, day, status, hours) VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (record_id, day) DO UPDATE SET status = $4, hours = $5""",
            envelope.stream_id,
            envelope.subject_id,
            event.day,
            str(event.status),
            event.hours,
        )

    @handles(ERASED)
    async def _erased(self, db: Db, envelope: Envelope) -> None:
        for table in ("seats", "waiting", "attendance"):
            await db.execute(f"DELETE FROM {table} WHERE person_id = $1", envelope.stream_id)


async def read_roster(db: Db, cohort_id: UUID, day: date) -> Roster | None:
    cohort = await db.fetchrow("SELECT * FROM rm_roster.cohorts WHERE cohort_id = $1", cohort_id)
    if cohort is None:
        return None
    learners = await db.fetch(
        """SELECT s.person_id, s.record_id, s.status, a.status AS attendance,
                  (SELECT count(*) FROM rm_roster.attendance t
                   WHERE t.record_id = s.record_id AND t.status IN ('present', 'late')) AS attended
           FROM rm_roster.seats s LEFT JOIN rm_roster.attendance a ON a.record_id = s.record_id AND a.day = $2
           WHERE s.cohort_id = $1 ORDER BY s.status, s.person_id""",
        cohort_id,
        day,
    )
    waiting = await db.fetch("SELECT person_id FROM rm_roster.waiting WHERE cohort_id = $1 ORDER BY rank", cohort_id)
    return Roster(
        cohort_id=cohort_id,
        name=cohort["name"],
        site=cohort["site"],
        starts_on=cohort["starts_on"],
        ends_on=cohort["ends_on"],
        capacity=cohort["capacity"],
        trainer_ids=list(cohort["trainer_ids"]),
        is_session_day=day in cohort["session_days"],
        learners=[
            RosterLine(r["person_id"], r["record_id"], r["status"], r["attendance"], r["attended"]) for r in learners
        ],
        waiting_list=[r["person_id"] for r in waiting],
        session_count=len(cohort["session_days"]),
    )


async def cohorts_of_trainer(db: Db, trainer_id: UUID) -> list[UUID]:
    rows = await db.fetch(
        "SELECT cohort_id FROM rm_roster.cohorts WHERE $1 = ANY(trainer_ids) ORDER BY starts_on", trainer_id
    )
    return [r["cohort_id"] for r in rows]


async def learner_of_trainer(db: Db, trainer_id: UUID, person_id: UUID) -> bool:
    return bool(
        await db.fetchval(
            """SELECT EXISTS (SELECT 1 FROM rm_roster.seats s JOIN rm_roster.cohorts c USING (cohort_id)
                              WHERE s.person_id = $2 AND $1 = ANY(c.trainer_ids))""",
            trainer_id,
            person_id,
        )
    )


async def enrolling_with_trainer(db: Db, trainer_id: UUID, person_id: UUID, cohort_id: UUID | None = None) -> bool:
    """Whether the trainer is enrolling the person: on the waiting list of one of her cohorts, or about to
    be enrolled in ``cohort_id`` (when she trains it: the person was found by file number to be enrolled)."""
    return bool(
        await db.fetchval(
            """SELECT EXISTS (SELECT 1 FROM rm_roster.waiting w JOIN rm_roster.cohorts c USING (cohort_id)
                              WHERE w.person_id = $2 AND $1 = ANY(c.trainer_ids))
                   OR EXISTS (SELECT 1 FROM rm_roster.cohorts WHERE cohort_id = $3 AND $1 = ANY(trainer_ids))""",
            trainer_id,
            person_id,
            cohort_id,
        )
    )


async def trains(db: Db, trainer_id: UUID, cohort_id: UUID) -> bool:
    """Whether the staff member is one of the cohort's trainers."""
    return bool(
        await db.fetchval(
            "SELECT EXISTS (SELECT 1 FROM rm_roster.cohorts WHERE cohort_id = $2 AND $1 = ANY(trainer_ids))",
            trainer_id,
            cohort_id,
        )
    )
