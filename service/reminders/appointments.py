"""The booked appointments a reminder may be due for (the agenda), and each one as it stands now."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from domain.appointment import Appointment
from projections import agenda
from projections.agenda import BookedAppointment
from service.storage.repository import AggregateErasedError, AggregateNotFoundError, Repository


async def booked_between(pool: asyncpg.Pool, start: datetime, end: datetime) -> list[BookedAppointment]:
    """Appointments still booked that start in [start, end), from the agenda read model.

    The read model may lag a moment behind: the scheduler passes again soon, and the sender
    looks at the appointment itself (``current``) before it sends.
    """
    async with pool.acquire() as db:
        return await agenda.booked_between(db, start, end)


async def current(repository: Repository, appointment_id: UUID) -> Appointment | None:
    """The appointment as it stands, or None once it is gone (its person erased)."""
    try:
        return await repository.get(Appointment, appointment_id)
    except (AggregateNotFoundError, AggregateErasedError):
        return None
