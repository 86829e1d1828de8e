"""A learner's training history: cohorts, attendance rate, DigComp levels and gains, digital help.

Office-hours digital help is kept here by category and minutes only (no free text);
whether a trainer may see it depends on the person's consent, checked when reading.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from domain.cohort import Cohort
from domain.office_hours import RequestCategory, Visit
from domain.training import AttendanceStatus, TrainingRecord
from projections.base import ERASED, Db, Envelope, Projection, handles

_DIGITAL = {
    RequestCategory.SOFTWARE,
    RequestCategory.TECHNICAL_PROBLEM,
    RequestCategory.ONLINE_PROCEDURE,
    RequestCategory.WRITING,
}
_ATTENDED = {AttendanceStatus.PRESENT, AttendanceStatus.LATE}


class CompetenceProgress(msgspec.Struct, frozen=True):
    competence: str
    initial: int | None
    final: int | None

    @property
    def gain(self) -> int | None:
        return None if self.initial is None or self.final is None else self.final - self.initial


class CohortHistory(msgspec.Struct, frozen=True):
    record_id: UUID
    cohort_id: UUID
    cohort_name: str
    starts_on: date
    ends_on: date
    status: str
    hours_attended: Decimal
    attendance_rate: float | None
    competences: list[CompetenceProgress]


class DigitalHelp(msgspec.Struct, frozen=True):
    session_on: date
    category: str
    minutes: int


class TrainingHistory(msgspec.Struct, frozen=True):
    person_id: UUID
    cohorts: list[CohortHistory]
    digital_help: list[DigitalHelp] | None  # None: the person did not consent to share it


class TrainingHistoryProjection(Projection):
    name = "training_history"
    schema = "rm_training"

    def __init__(self) -> None:
        self.begin()

    def begin(self) -> None:
        self._attendance_changed: set[UUID] = set()
        self._gathered: dict[str, list[tuple[Any, ...]]] = {}
        """Rows to insert or upsert, per statement, in the order they came: each table's rows are
        independent of the other tables', so a statement's rows go together (one executemany each)."""

    def _gather(self, statement: str, *row: Any) -> None:
        self._gathered.setdefault(statement, []).append(row)

    async def _write(self, db: Db) -> None:
        """Send what was gathered (before a statement that depends on it, and at the end of the batch)."""
        gathered, self._gathered = self._gathered, {}
        for statement, rows in gathered.items():
            await db.executemany(statement, rows)

    async def flush(self, db: Db) -> None:
        """Totals are recomputed from the day rows once per batch, so a corrected day never counts twice."""
        await self._write(db)
        if not self._attendance_changed:
            return
        await db.execute(
            """UPDATE records r SET hours_attended = t.hours, days_present = t.present, days_recorded = t.recorded
               FROM (SELECT record_id, coalesce(sum(hours), 0) AS hours,
                            count(*) FILTER (WHERE status = ANY($2::text[])) AS present,
                            count(*) AS recorded
                     FROM attendance WHERE record_id = ANY($1::uuid[]) GROUP BY record_id) AS t
               WHERE r.record_id = t.record_id""",
            sorted(self._attendance_changed),
            sorted(str(s) for s in _ATTENDED),
        )
        self._attendance_changed = set()

    @handles(Cohort.Scheduled)
    async def _scheduled(self, db: Db, envelope: Envelope) -> None:
        event: Cohort.Scheduled = envelope.event
        self._gather(
            """INSERT INTO cohorts (cohort_id, name, starts_on, ends_on, session_days) VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (cohort_id) DO NOTHING""",
            envelope.stream_id,
            event.name,
            event.starts_on,
            event.ends_on,
            len(event.session_days),
        )

    @handles(TrainingRecord.Enrolled)
    async def _enrolled(self, db: Db, envelope: Envelope) -> None:
        self._gather(
            """INSERT INTO records (record_id, person_id, cohort_id, status) VALUES ($1, $2, $3, 'enrolled')
               ON CONFLICT (record_id) DO NOTHING""",
            envelope.stream_id,
            envelope.event.person_id,
            envelope.event.cohort_id,
        )

    @handles(TrainingRecord.AttendanceRecorded)
    async def _attendance(self, db: Db, envelope: Envelope) -> None:
        event: TrainingRecord.AttendanceRecorded = envelope.event
        self._gather(
            """INSERT INTO attendance (record_id, day, status, hours) VALUES ($1, $2, $3, $4)
               ON CONFLICT (record_id, day) DO UPDATE SET status = $3, hours = $4""",
            envelope.stream_id,
            event.day,
            str(event.status),
            event.hours,
        )
        self._attendance_changed.add(envelope.stream_id)

    @handles(TrainingRecord.Assessed)
    async def _assessed(self, db: Db, envelope: Envelope) -> None:
        event: TrainingRecord.Assessed = envelope.event
        self._gather(
            """INSERT INTO assessments (record_id, person_id, competence, kind, level) VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (record_id, competence, kind) DO UPDATE SET level = $5""",
            envelope.stream_id,
            envelope.subject_id,
            event.competence,
            str(event.kind),
            event.level,
        )

    @handles(TrainingRecord.Completed, TrainingRecord.Withdrawn)
    async def _finished(self, db: Db, envelope: Envelope) -> None:
        status = "completed" if isinstance(envelope.event, TrainingRecord.Completed) else "withdrawn"
        await self._write(db)  # the record's row may be waiting
        await db.execute("UPDATE records SET status = $2 WHERE record_id = $1", envelope.stream_id, status)

    @handles(Visit.Helped)
    async def _helped(self, db: Db, envelope: Envelope) -> None:
        help_ = envelope.event.help
        if help_.category not in _DIGITAL or envelope.subject_id is None:
            return
        self._gather(
            """INSERT INTO digital_help (visit_id, person_id, session_on, category, minutes)
               VALUES ($1, $2, $3::timestamptz::date, $4, $5) ON CONFLICT (visit_id) DO NOTHING""",
            envelope.stream_id,
            envelope.subject_id,
            envelope.recorded_at,
            str(help_.category),
            help_.minutes,
        )

    @handles(ERASED)
    async def _erased(self, db: Db, envelope: Envelope) -> None:
        await self._write(db)  # their rows gathered in this batch are erased too
        await db.execute(
            "DELETE FROM attendance WHERE record_id IN (SELECT record_id FROM records WHERE person_id = $1)",
            envelope.stream_id,
        )
        for table in ("assessments", "records", "digital_help"):
            await db.execute(f"DELETE FROM {table} WHERE person_id = $1", envelope.stream_id)


async def read_training_history(db: Db, person_id: UUID, *, include_digital_help: bool) -> TrainingHistory:
    records = await db.fetch(
        """SELECT r.*, c.name, c.starts_on, c.ends_on, c.session_days
           FROM rm_training.records r JOIN rm_training.cohorts c USING (cohort_id)
           WHERE r.person_id = $1 ORDER BY c.starts_on""",
        person_id,
    )
    assessments = await db.fetch(
        "SELECT record_id, competence, kind, level FROM rm_training.assessments WHERE person_id = $1", person_id
    )
    levels: dict[UUID, dict[str, dict[str, int]]] = {}
    for row in assessments:
        levels.setdefault(row["record_id"], {}).setdefault(row["competence"], {})[row["kind"]] = row["level"]
    cohorts = [
        CohortHistory(
            record_id=r["record_id"],
            cohort_id=r["cohort_id"],
            cohort_name=r["name"],
            starts_on=r["starts_on"],
            ends_on=r["ends_on"],
            status=r["status"],
            hours_attended=r["hours_attended"],
            attendance_rate=(r["days_present"] / r["session_days"]) if r["session_days"] else None,
            competences=[
                CompetenceProgress(code, kinds.get("initial"), kinds.get("final"))
                for code, kinds in sorted(levels.get(r["record_id"], {}).items())
            ],
        )
        for r in records
    ]
    help_rows = []
    if include_digital_help:
        help_rows = await db.fetch(
            """SELECT session_on, category, minutes FROM rm_training.digital_help
               WHERE person_id = $1 ORDER BY session_on""",
            person_id,
        )
    return TrainingHistory(
        person_id=person_id,
        cohorts=cohorts,
        digital_help=[DigitalHelp(**dict(r)) for r in help_rows] if include_digital_help else None,
    )
