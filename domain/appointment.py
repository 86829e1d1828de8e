"""An appointment (rendez-vous): with a social worker, or a slot at office hours.

Its events belong to the category of its service: a social-legal appointment tells that the
person is followed by that service, so it is read, kept and erased as social-legal data; an
office-hours slot as office-hours data. Who may not be booked twice at the same time is the
service's concern (it sees every agenda); this aggregate keeps one appointment's rules.
"""

import enum
from datetime import datetime, timedelta
from uuid import UUID

from eventsourcing.domain import CanMutateAggregate, DomainEvent

from domain.base import Category, SuiviAggregate, aware, required_text
from domain.errors import DomainError, InvalidValueError

LONGEST_MINUTES = 8 * 60


class AppointmentKind(enum.StrEnum):
    SOCIAL_LEGAL = "social_legal"
    """With a social worker of the social-legal service."""
    OFFICE_HOURS = "office_hours"
    """A slot at office hours (permanence), with a helper or whoever is on duty."""


class AppointmentStatus(enum.StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    ARRIVED = "arrived"
    NO_SHOW = "no_show"


class AppointmentStateError(DomainError):
    """The appointment is not at the step this command needs (cancelled, already arrived...)."""


class AppointmentNotBegunError(AppointmentStateError):
    """An absence is noted once the appointment has begun: before, the person may still come."""


class Appointment(SuiviAggregate):
    CATEGORY = Category.SOCIAL_LEGAL  # the default; each appointment's own kind decides (category_of)

    def __init__(self) -> None:
        self.kind = AppointmentKind.SOCIAL_LEGAL
        self.person_id: UUID | None = None
        self.staff_id: UUID | None = None
        self.site = ""
        self.starts_at = datetime.min
        self.minutes = 0
        self.status = AppointmentStatus.BOOKED
        self.booked_by: UUID | None = None
        self.visit_id: UUID | None = None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)

    class Booked(SuiviAggregate.Created):
        kind: AppointmentKind
        person_id: UUID
        staff_id: UUID | None
        site: str
        starts_at: datetime
        minutes: int
        booked_by: UUID

        def apply(self, appointment: "Appointment") -> None:
            appointment.kind = AppointmentKind(self.kind)
            appointment.person_id = self.person_id
            appointment.staff_id = self.staff_id
            appointment.site = self.site
            appointment.starts_at = self.starts_at
            appointment.minutes = self.minutes
            appointment.booked_by = self.booked_by

    class Moved(SuiviAggregate.Event):
        staff_id: UUID | None
        site: str
        starts_at: datetime
        minutes: int
        moved_by: UUID

        def apply(self, appointment: "Appointment") -> None:
            appointment.staff_id = self.staff_id
            appointment.site = self.site
            appointment.starts_at = self.starts_at
            appointment.minutes = self.minutes

    class Cancelled(SuiviAggregate.Event):
        cancelled_by: UUID

        def apply(self, appointment: "Appointment") -> None:
            appointment.status = AppointmentStatus.CANCELLED

    class Arrived(SuiviAggregate.Event):
        """The person came: checked in at the desk (for office hours, they join that day's board)."""

        checked_in_by: UUID
        visit_id: UUID | None = None
        """The office-hours visit opened for them in the same append (None for a social-legal appointment)."""

        def apply(self, appointment: "Appointment") -> None:
            appointment.status = AppointmentStatus.ARRIVED
            appointment.visit_id = self.visit_id

    class MarkedNoShow(SuiviAggregate.Event):
        marked_by: UUID

        def apply(self, appointment: "Appointment") -> None:
            appointment.status = AppointmentStatus.NO_SHOW

    @classmethod
    def book(
        cls,
        appointment_id: UUID,
        kind: AppointmentKind,
        person_id: UUID,
        staff_id: UUID | None,
        site: str,
        starts_at: datetime,
        minutes: int,
        at: datetime,
        by: UUID,
    ) -> "Appointment":
        kind = AppointmentKind(kind)
        if kind is AppointmentKind.SOCIAL_LEGAL and staff_id is None:
            raise InvalidValueError(
                "an appointment with the social-legal service names its social worker", field="staff_id"
            )
        return cls._create(
            cls.Booked,
            id=appointment_id,
            timestamp=aware(at),
            kind=kind,
            person_id=person_id,
            staff_id=staff_id,
            site=required_text(site, "site"),
            starts_at=aware(starts_at),
            minutes=_duration(minutes),
            booked_by=by,
        )

    def subject_id(self) -> UUID | None:
        return self.person_id

    def category_of(self, event: DomainEvent | CanMutateAggregate[UUID]) -> Category:
        if isinstance(event, Appointment.Booked):  # applied only after this question is asked
            return _category(AppointmentKind(event.kind))
        return _category(self.kind)

    def move(self, staff_id: UUID | None, site: str, starts_at: datetime, minutes: int, at: datetime, by: UUID) -> None:
        self._ensure_status(AppointmentStatus.BOOKED)
        if self.kind is AppointmentKind.SOCIAL_LEGAL and staff_id is None:
            raise InvalidValueError(
                "an appointment with the social-legal service names its social worker", field="staff_id"
            )
        self.trigger_event(
            self.Moved,
            timestamp=aware(at),
            staff_id=staff_id,
            site=required_text(site, "site"),
            starts_at=aware(starts_at),
            minutes=_duration(minutes),
            moved_by=by,
        )

    def cancel(self, at: datetime, by: UUID) -> None:
        self._ensure_status(AppointmentStatus.BOOKED)
        self.trigger_event(self.Cancelled, timestamp=aware(at), cancelled_by=by)

    def check_in(self, at: datetime, by: UUID, visit_id: UUID | None = None) -> None:
        """The person arrived. A person marked absent who turns up late is welcome still.

        ``visit_id`` names the office-hours visit that puts them on that day's board.
        """
        self._ensure_status(AppointmentStatus.BOOKED, AppointmentStatus.NO_SHOW)
        self.trigger_event(self.Arrived, timestamp=aware(at), checked_in_by=by, visit_id=visit_id)

    def mark_no_show(self, at: datetime, by: UUID) -> None:
        """Only once the appointment has begun: before, the person may still come."""
        self._ensure_status(AppointmentStatus.BOOKED)
        if aware(at) < self.starts_at:
            raise AppointmentNotBegunError(f"appointment {self.id} has not begun")
        self.trigger_event(self.MarkedNoShow, timestamp=aware(at), marked_by=by)

    def _ensure_status(self, *allowed: AppointmentStatus) -> None:
        if self.status not in allowed:
            raise AppointmentStateError(f"appointment {self.id} is {self.status}")


def _category(kind: AppointmentKind) -> Category:
    return Category.SOCIAL_LEGAL if kind is AppointmentKind.SOCIAL_LEGAL else Category.OFFICE_HOURS


def _duration(minutes: int) -> int:
    if not 5 <= minutes <= LONGEST_MINUTES:
        raise InvalidValueError(f"an appointment lasts 5 to {LONGEST_MINUTES} minutes", field="minutes")
    return minutes
