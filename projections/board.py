"""The office-hours board of a session: the queue, who is being helped, who is done."""

from __future__ import annotations

from collections.abc import Hashable
from datetime import date, datetime
from uuid import UUID

import msgspec

from domain.appointment import Appointment
from domain.office_hours import Visit
from projections.base import ERASED, Db, Envelope, Projection, handles


class BoardLine(msgspec.Struct, frozen=True):
    visit_id: UUID
    person_id: UUID
    status: str
    checked_in_at: datetime
    called_at: datetime | None
    helper_id: UUID | None
    request_category: str | None
    booked: bool = False
    """Checked in from an office-hours appointment (sur rendez-vous)."""


class Board(msgspec.Struct, frozen=True):
    session_on: date
    site: str
    waiting: list[BoardLine]
    being_helped: list[BoardLine]
    done: list[BoardLine]


class BoardProjection(Projection):
    name = "board"
    schema = "rm_board"

    def write_key(self, envelope: Envelope) -> Hashable | None:
        # Each event writes its own visit's row alone; a booked arrival, the visit it checked in.
        if isinstance(envelope.event, Appointment.Arrived):
            return envelope.event.visit_id
        return None if isinstance(envelope.event, ERASED) else envelope.stream_id

    @handles(Visit.CheckedIn)
    async def _checked_in(self, db: Db, envelope: Envelope) -> None:
        event: Visit.CheckedIn = envelope.event
        await db.execute(
            """INSERT INTO visits (visit_id, person_id, session_on, site, status, checked_in_at)
               VALUES ($1, $2, $3, $4, 'waiting', $5) ON CONFLICT (visit_id) DO NOTHING""",
            envelope.stream_id,
            event.person_id,
            event.session_on,
            event.site,
            envelope.recorded_at,
        )

    @handles(Visit.Called)
    async def _called(self, db: Db, envelope: Envelope) -> None:
        await db.execute(
            "UPDATE visits SET status = 'called', called_at = $2, helper_id = $3 WHERE visit_id = $1",
            envelope.stream_id,
            envelope.recorded_at,
            envelope.event.helper_id,
        )

    @handles(Visit.Helped)
    async def _helped(self, db: Db, envelope: Envelope) -> None:
        await db.execute(
            "UPDATE visits SET status = 'helped', done_at = $2, request_category = $3 WHERE visit_id = $1",
            envelope.stream_id,
            envelope.recorded_at,
            str(envelope.event.help.category),
        )

    @handles(Visit.LeftWithoutHelp)
    async def _left(self, db: Db, envelope: Envelope) -> None:
        await db.execute(
            "UPDATE visits SET status = 'left', done_at = $2 WHERE visit_id = $1",
            envelope.stream_id,
            envelope.recorded_at,
        )

    @handles(Appointment.Arrived)
    async def _came_with_a_booking(self, db: Db, envelope: Envelope) -> None:
        # The visit is appended just before, in the same append: its row is there.
        if envelope.event.visit_id is not None:
            await db.execute("UPDATE visits SET booked = true WHERE visit_id = $1", envelope.event.visit_id)

    @handles(ERASED)
    async def _erased(self, db: Db, envelope: Envelope) -> None:
        await db.execute("DELETE FROM visits WHERE person_id = $1", envelope.stream_id)


async def read_board(db: Db, session_on: date, site: str) -> Board:
    rows = await db.fetch(
        """SELECT visit_id, person_id, status, checked_in_at, called_at, helper_id, request_category, booked
           FROM rm_board.visits WHERE session_on = $1 AND site = $2 ORDER BY checked_in_at, visit_id""",
        session_on,
        site,
    )
    lines = [BoardLine(**dict(r)) for r in rows]
    return Board(
        session_on=session_on,
        site=site,
        waiting=[line for line in lines if line.status == "waiting"],
        being_helped=[line for line in lines if line.status == "called"],
        done=[line for line in lines if line.status in ("helped", "left")],
    )
