"""The agendas: appointments per staff member and per site, by day, with their status.

Ids, times, places and statuses only. The person's name is not kept here: the views look
names and file numbers up through the directory, and record each read.

:func:`booked_between` is what the reminders read: the appointments still booked (not
cancelled, not yet arrived or absent) that begin in a time range.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from domain.appointment import Appointment, AppointmentKind, AppointmentStatus
from projections.base import ERASED, Db, Envelope, Projection, handles


class AgendaLine(msgspec.Struct, frozen=True):
    appointment_id: UUID
    person_id: UUID
    kind: AppointmentKind
    staff_id: UUID | None
    site: str
    starts_at: datetime
    minutes: int
    status: AppointmentStatus
    visit_id: UUID | None
    version: int


class BookedAppointment(msgspec.Struct, frozen=True):
    """An appointment still to come, as the reminders need it (no staff member: reminders never name one)."""

    appointment_id: UUID
    person_id: UUID
    starts_at: datetime
    site: str
    kind: AppointmentKind
    minutes: int


class AgendaProjection(Projection):
    name = "agenda"
    schema = "rm_agenda"

    @handles(Appointment.Booked)
    async def _booked(self, db: Db, envelope: Envelope) -> None:
        event: Appointment.Booked = envelope.event
        await db.execute(
            """INSERT INTO appointments (appointment_id, person_id, kind, staff_id, site, starts_at, minutes,
                                         status, booked_by, version)
               VALUES ($1, $2, $3, $4, $5, $6, $7, 'booked', $8, $9) ON CONFLICT (appointment_id) DO NOTHING""",
            envelope.stream_id,
            event.person_id,
            str(event.kind),
            event.staff_id,
            event.site,
            event.starts_at,
            event.minutes,
            event.booked_by,
            event.originator_version,
        )

    @handles(Appointment.Moved)
    async def _moved(self, db: Db, envelope: Envelope) -> None:
        event: Appointment.Moved = envelope.event
        await db.execute(
            """UPDATE appointments SET staff_id = $2, site = $3, starts_at = $4, minutes = $5, version = $6
               WHERE appointment_id = $1""",
            envelope.stream_id,
            event.staff_id,
            event.site,
            event.starts_at,
            event.minutes,
            event.originator_version,
        )

    @handles(Appointment.Cancelled)
    async def _cancelled(self, db: Db, envelope: Envelope) -> None:
        await self._status(db, envelope, AppointmentStatus.CANCELLED)

    @handles(Appointment.Arrived)
    async def _arrived(self, db: Db, envelope: Envelope) -> None:
        await self._status(db, envelope, AppointmentStatus.ARRIVED)
        await db.execute(
            "UPDATE appointments SET visit_id = $2 WHERE appointment_id = $1",
            envelope.stream_id,
            envelope.event.visit_id,
        )

    @handles(Appointment.MarkedNoShow)
    async def _no_show(self, db: Db, envelope: Envelope) -> None:
        await self._status(db, envelope, AppointmentStatus.NO_SHOW)

    async def _status(self, db: Db, envelope: Envelope, status: AppointmentStatus) -> None:
        await db.execute(
            "UPDATE appointments SET status = $2, version = $3 WHERE appointment_id = $1",
            envelope.stream_id,
            str(status),
            envelope.event.originator_version,
        )

    @handles(ERASED)
    async def _erased(self, db: Db, envelope: Envelope) -> None:
        await db.execute("DELETE FROM appointments WHERE person_id = $1", envelope.stream_id)


_LINE = """SELECT appointment_id, person_id, kind, staff_id, site, starts_at, minutes, status, visit_id, version
           FROM rm_agenda.appointments"""


def _line(row: object) -> AgendaLine:
    return msgspec.convert(dict(row), AgendaLine)  # type: ignore[call-overload]


async def agenda_of_staff(db: Db, staff_id: UUID, start: datetime, end: datetime) -> list[AgendaLine]:
    """A staff member's appointments beginning in [start, end), cancelled ones included, by time."""
    rows = await db.fetch(
        f"{_LINE} WHERE staff_id = $1 AND starts_at >= $2 AND starts_at < $3 ORDER BY starts_at, appointment_id",
        staff_id,
        start,
        end,
    )
    return [_line(r) for r in rows]


async def agenda_of_site(db: Db, site: str, start: datetime, end: datetime) -> list[AgendaLine]:
    """A site's appointments beginning in [start, end), whoever they are with, by time."""
    rows = await db.fetch(
        f"{_LINE} WHERE site = $1 AND starts_at >= $2 AND starts_at < $3 ORDER BY starts_at, appointment_id",
        site,
        start,
        end,
    )
    return [_line(r) for r in rows]


async def booked_between(db: Db, start: datetime, end: datetime) -> list[BookedAppointment]:
    """The appointments still booked (status ``booked``) that begin in [start, end), by time.

    For the reminders: cancelled appointments, and those already arrived or marked absent, are
    left out; a moved appointment is found at its new time only. ``start`` and ``end`` are aware
    datetimes. The read model may lag the log by a moment: a reminder sender that must not miss
    a booking made a second ago reads after the projection has caught up.
    """
    rows = await db.fetch(
        """SELECT appointment_id, person_id, starts_at, site, kind, minutes FROM rm_agenda.appointments
           WHERE status = 'booked' AND starts_at >= $1 AND starts_at < $2 ORDER BY starts_at, appointment_id""",
        start,
        end,
    )
    return [msgspec.convert(dict(r), BookedAppointment) for r in rows]
