"""One staff member's agenda for one day: which times are taken, by which appointment.

It is what makes a double booking impossible. Every booking, move and cancellation of an
appointment with a named staff member changes this aggregate in the same append as the
appointment, so two bookings of one slot written at the same time conflict in the event
store (optimistic concurrency on this stream), and the one decided again sees the other.

It holds no personal data: appointment ids and times only, under a stream id derived from
the staff member and the day (:func:`agenda_day_id`). Its events belong to the category of
the appointment they concern, like the appointment's own.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID, uuid5

import msgspec
from eventsourcing.domain import CanMutateAggregate, DomainEvent

from domain.appointment import AppointmentKind
from domain.base import Category, SuiviAggregate, aware
from domain.errors import InvalidValueError

_AGENDA_NAMESPACE = UUID("0b8f4a6e-3f57-4d6a-9d1e-5a2c7e9b1f40")


def agenda_day_id(staff_id: UUID, day: date) -> UUID:
    """The stream of a staff member's day: derived, so that every writer of that day finds the same one."""
    return uuid5(_AGENDA_NAMESPACE, f"{staff_id}/{day.isoformat()}")


class Slot(msgspec.Struct, frozen=True):
    appointment_id: UUID
    starts_at: datetime
    ends_at: datetime


class DoubleBookingError(InvalidValueError):
    """The staff member already has an appointment overlapping this time (409)."""

    def __init__(self, taken: Slot) -> None:
        super().__init__(
            f"the staff member already has an appointment from {taken.starts_at.isoformat()} "
            f"to {taken.ends_at.isoformat()}",
            field="starts_at",
        )
        self.taken = taken


class AgendaDay(SuiviAggregate):
    CATEGORY = Category.SOCIAL_LEGAL  # the default; each event's appointment kind decides (category_of)

    def __init__(self) -> None:
        self.staff_id: UUID | None = None
        self.day = date.min
        self.slots: dict[UUID, Slot] = {}

    class Opened(SuiviAggregate.Created):
        PERSONAL = False
        staff_id: UUID
        day: date

        def apply(self, agenda: AgendaDay) -> None:
            agenda.staff_id = self.staff_id
            agenda.day = self.day
            agenda.slots = {}

    class SlotReserved(SuiviAggregate.Event):
        PERSONAL = False
        appointment_id: UUID
        kind: AppointmentKind
        starts_at: datetime
        ends_at: datetime

        def apply(self, agenda: AgendaDay) -> None:
            agenda.slots[self.appointment_id] = Slot(self.appointment_id, self.starts_at, self.ends_at)

    class SlotReleased(SuiviAggregate.Event):
        PERSONAL = False
        appointment_id: UUID
        kind: AppointmentKind

        def apply(self, agenda: AgendaDay) -> None:
            agenda.slots.pop(self.appointment_id, None)

    @classmethod
    def open(cls, staff_id: UUID, day: date, at: datetime) -> AgendaDay:
        return cls._create(cls.Opened, id=agenda_day_id(staff_id, day), timestamp=aware(at), staff_id=staff_id, day=day)

    def subject_id(self) -> UUID | None:
        return None

    def category_of(self, event: DomainEvent | CanMutateAggregate[UUID]) -> Category:
        kind = getattr(event, "kind", AppointmentKind.SOCIAL_LEGAL)
        return Category.SOCIAL_LEGAL if AppointmentKind(kind) is AppointmentKind.SOCIAL_LEGAL else Category.OFFICE_HOURS

    def overlapping(self, starts_at: datetime, ends_at: datetime, but: UUID | None = None) -> Slot | None:
        """The first slot taken (by another appointment than ``but``) that overlaps [starts_at, ends_at)."""
        for slot in sorted(self.slots.values(), key=lambda s: s.starts_at):
            if slot.appointment_id != but and slot.starts_at < ends_at and starts_at < slot.ends_at:
                return slot
        return None

    def take(
        self, appointment_id: UUID, kind: AppointmentKind, starts_at: datetime, ends_at: datetime, at: datetime
    ) -> None:
        """Take [starts_at, ends_at) for the appointment; refused if it overlaps another one's."""
        taken = self.overlapping(aware(starts_at), aware(ends_at), but=appointment_id)
        if taken is not None:
            raise DoubleBookingError(taken)
        self.trigger_event(
            self.SlotReserved,
            timestamp=aware(at),
            appointment_id=appointment_id,
            kind=AppointmentKind(kind),
            starts_at=starts_at,
            ends_at=ends_at,
        )

    def release(self, appointment_id: UUID, kind: AppointmentKind, at: datetime) -> None:
        """Free the appointment's time (moved elsewhere or cancelled); nothing to do if it holds none."""
        if appointment_id in self.slots:
            self.trigger_event(
                self.SlotReleased, timestamp=aware(at), appointment_id=appointment_id, kind=AppointmentKind(kind)
            )
