"""A learner's training record: one per person and cohort.

Attendance and assessments are checked against the cohort, which the service
loads beside the record: only the cohort knows its session days and who holds
a seat. Enrolment itself changes both aggregates (see ``domain.workflows``).
"""

import enum
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import msgspec

from domain import digcomp
from domain.base import Category, SuiviAggregate, aware, required_text
from domain.cohort import Cohort
from domain.errors import DomainError, InvalidValueError


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    LATE = "late"
    ABSENT = "absent"
    EXCUSED = "excused"


class AssessmentKind(enum.StrEnum):
    INITIAL = "initial"
    FINAL = "final"
    SELF = "self"


class RecordStatus(enum.StrEnum):
    ENROLLED = "enrolled"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


_ATTENDED = frozenset({AttendanceStatus.PRESENT, AttendanceStatus.LATE})


class Attendance(msgspec.Struct, frozen=True):
    day: date
    status: AttendanceStatus
    hours: Decimal


class Assessment(msgspec.Struct, frozen=True):
    competence: str
    level: int
    kind: AssessmentKind
    assessed_by: UUID
    assessed_on: date


class NotEnrolledError(DomainError):
    """The person is not (or no longer) an enrolled learner of this cohort."""


class AttendanceBelowThresholdError(InvalidValueError):
    """The learner attended fewer sessions than the centre asks for completion, and no reason was written."""

    def __init__(self, attended: int, sessions: int, threshold_percent: int) -> None:
        super().__init__(
            f"attended {attended} of {sessions} sessions, below the {threshold_percent}% needed to complete"
            " without a written reason",
            field="reason",
        )
        self.attended = attended
        self.sessions = sessions
        self.threshold_percent = threshold_percent


class TrainingRecord(SuiviAggregate):
    CATEGORY = Category.TRAINING

    def __init__(self) -> None:
        self.person_id: UUID | None = None
        self.cohort_id: UUID | None = None
        self.status = RecordStatus.ENROLLED
        self.attendance: dict[date, Attendance] = {}
        self.assessments: tuple[Assessment, ...] = ()
        self.certificate_reference: str | None = None
        self.completion_reason: str | None = None
        self.withdrawal_reason: str | None = None

    class Enrolled(SuiviAggregate.Created):
        person_id: UUID
        cohort_id: UUID
        from_waiting_list: bool
        enrolled_by: UUID

        def apply(self, record: "TrainingRecord") -> None:
            record.person_id = self.person_id
            record.cohort_id = self.cohort_id

    class AttendanceRecorded(SuiviAggregate.Event):
        """Recording a day again corrects it: the latest entry wins."""

        day: date
        status: AttendanceStatus
        hours: Decimal
        recorded_by: UUID

        def apply(self, record: "TrainingRecord") -> None:
            record.attendance[self.day] = Attendance(self.day, self.status, self.hours)

    class Assessed(SuiviAggregate.Event):
        competence: str
        level: int
        kind: AssessmentKind
        assessed_by: UUID

        def apply(self, record: "TrainingRecord") -> None:
            record.assessments += (
                Assessment(
                    self.competence,
                    self.level,
                    self.kind,
                    self.assessed_by,
                    self.timestamp.date(),
                ),
            )

    class Completed(SuiviAggregate.Event):
        certificate_reference: str
        completed_by: UUID
        reason: str | None = None
        """Why the course is completed though attendance stayed below the centre's threshold."""

        def apply(self, record: "TrainingRecord") -> None:
            record.status = RecordStatus.COMPLETED
            record.certificate_reference = self.certificate_reference
            record.completion_reason = self.reason

    class Withdrawn(SuiviAggregate.Event):
        reason: str
        withdrawn_by: UUID

        def apply(self, record: "TrainingRecord") -> None:
            record.status = RecordStatus.WITHDRAWN
            record.withdrawal_reason = self.reason

    @classmethod
    def enrol(
        cls,
        record_id: UUID,
        person_id: UUID,
        cohort_id: UUID,
        at: datetime,
        by: UUID,
        *,
        from_waiting_list: bool = False,
    ) -> "TrainingRecord":
        """Open the record. Use ``domain.workflows.enrol``, which also takes the seat."""
        return cls._create(
            cls.Enrolled,
            id=record_id,
            timestamp=aware(at),
            person_id=person_id,
            cohort_id=cohort_id,
            from_waiting_list=from_waiting_list,
            enrolled_by=by,
        )

    def subject_id(self) -> UUID | None:
        return self.person_id

    def record_attendance(
        self,
        cohort: Cohort,
        day: date,
        status: AttendanceStatus,
        at: datetime,
        by: UUID,
        hours: Decimal | None = None,
    ) -> None:
        """Hours default to the full day when present, and to zero when away."""
        self._ensure_enrolled_in(cohort)
        cohort.ensure_session_day(day)
        if day > aware(at).date():
            raise InvalidValueError("attendance cannot be recorded in advance")
        status = AttendanceStatus(status)
        away = status in (AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED)
        full_day = Decimal(cohort.hours_per_day)
        if hours is None:
            hours = Decimal(0) if away else full_day
        if not Decimal(0) <= hours <= full_day or (away and hours):
            raise InvalidValueError("attendance hours must fit the session day")
        self.trigger_event(
            self.AttendanceRecorded,
            timestamp=at,
            day=day,
            status=status,
            hours=hours,
            recorded_by=by,
        )

    def assess(
        self,
        competence: str,
        level: int,
        kind: AssessmentKind,
        at: datetime,
        by: UUID,
    ) -> None:
        """Record a DigComp level (1 to 8) for one competence code, e.g. ``"1.1"``."""
        self._ensure_active()
        self.trigger_event(
            self.Assessed,
            timestamp=aware(at),
            competence=digcomp.competence(competence).code,
            level=digcomp.check_level(level),
            kind=AssessmentKind(kind),
            assessed_by=by,
        )

    def complete(
        self,
        cohort: Cohort,
        certificate_reference: str,
        at: datetime,
        by: UUID,
        *,
        threshold_percent: int,
        reason: str | None = None,
    ) -> None:
        """Complete with a certificate: attendance must reach the centre's threshold, or a reason is written.

        Attendance counts the sessions attended (present or late) among all the cohort's sessions,
        as the training history shows it.
        """
        self._ensure_active()
        if cohort.id != self.cohort_id:
            raise NotEnrolledError(f"record {self.id} belongs to another cohort")
        reference = required_text(certificate_reference, "certificate reference")
        written = (reason or "").strip() or None
        attended, sessions = self.sessions_attended, len(cohort.session_days)
        if written is None and attended * 100 < threshold_percent * sessions:
            raise AttendanceBelowThresholdError(attended, sessions, threshold_percent)
        self.trigger_event(
            self.Completed,
            timestamp=aware(at),
            certificate_reference=reference,
            completed_by=by,
            reason=written,
        )

    def withdraw(self, reason: str, at: datetime, by: UUID) -> None:
        """Use ``domain.workflows.withdraw``, which also frees the seat."""
        self._ensure_active()
        self.trigger_event(
            self.Withdrawn,
            timestamp=aware(at),
            reason=required_text(reason, "reason for withdrawal"),
            withdrawn_by=by,
        )

    @property
    def sessions_attended(self) -> int:
        return sum(1 for a in self.attendance.values() if a.status in _ATTENDED)

    @property
    def hours_attended(self) -> Decimal:
        return sum((a.hours for a in self.attendance.values()), Decimal(0))

    def levels(self, kind: AssessmentKind) -> dict[str, int]:
        """The latest level per competence for one kind of assessment."""
        return {a.competence: a.level for a in self.assessments if a.kind == kind}

    def _ensure_active(self) -> None:
        if self.status is not RecordStatus.ENROLLED:
            raise NotEnrolledError(f"training record {self.id} is {self.status}")

    def _ensure_enrolled_in(self, cohort: Cohort) -> None:
        self._ensure_active()
        assert self.person_id is not None
        if cohort.id != self.cohort_id or not cohort.holds_seat(self.person_id):
            raise NotEnrolledError(f"record {self.id} holds no seat in {cohort.id}")


def seat_from_waiting_list(cohort: Cohort, person_id: UUID, record_id: UUID, at: datetime, by: UUID) -> TrainingRecord:
    """Give a free seat to a person on the waiting list, chosen by the trainer, and open their record."""
    cohort.seat_from_waiting_list(person_id, at, by)
    return TrainingRecord.enrol(record_id, person_id, cohort.id, at, by, from_waiting_list=True)
