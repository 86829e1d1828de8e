"""What a printed sheet shows, as the application layer hands it over (already authorised and read)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import msgspec

from domain.training import AttendanceStatus


class SheetLearner(msgspec.Struct, frozen=True):
    given_name: str
    family_name: str
    file_number: str


class SignatureSheet(msgspec.Struct, frozen=True, kw_only=True):
    """The day's signature sheet, printed before the session: one line to sign per learner."""

    centre: str
    cohort_name: str
    site: str
    day: date
    hours_per_day: int
    trainers: list[str]
    """The cohort's trainers, by name (staff, not beneficiaries)."""
    learners: list[SheetLearner]


class Absence(msgspec.Struct, frozen=True):
    day: date
    status: AttendanceStatus
    """Absent (not justified) or excused (justified): the reason the attendance records."""


class LearnerMonth(msgspec.Struct, frozen=True, kw_only=True):
    given_name: str
    family_name: str
    file_number: str
    hours_attended: Decimal
    hours_planned: Decimal
    """The hours of the sessions held so far this month."""
    sessions_attended: int
    """Present or late."""
    sessions_held: int
    sessions_unrecorded: int
    absences: list[Absence]
    days: dict[date, AttendanceStatus]
    """Each session day held with its recorded status (a day not recorded is absent from it)."""

    @property
    def rate(self) -> float | None:
        """Sessions attended among the sessions held (as the training history counts it)."""
        return None if not self.sessions_held else self.sessions_attended / self.sessions_held

    @property
    def excused(self) -> int:
        return sum(1 for a in self.absences if a.status is AttendanceStatus.EXCUSED)

    @property
    def unexcused(self) -> int:
        return sum(1 for a in self.absences if a.status is AttendanceStatus.ABSENT)


class MonthSummary(msgspec.Struct, frozen=True, kw_only=True):
    """A cohort's attendance over one month: hours, absences and their reasons, rates."""

    centre: str
    cohort_name: str
    site: str
    month: date
    """The first day of the month."""
    hours_per_day: int
    session_days: list[date]
    """The cohort's session days in the month."""
    held_until: date
    """Sessions up to this day are counted as held (the end of the month, or today)."""
    learners: list[LearnerMonth]

    @property
    def sessions_held(self) -> list[date]:
        return [d for d in self.session_days if d <= self.held_until]
