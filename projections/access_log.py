"""The access log: who read which person's data, when, through which view, why and on what basis."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from domain.access import AccessRecord
from projections.base import ERASED, Db, Envelope, Projection, Sealer, handles


class AccessEntry(msgspec.Struct, frozen=True):
    position: int
    staff_id: UUID
    person_id: UUID
    accessed_at: datetime
    view: str
    purpose: str
    basis: str
    break_glass: bool
    reason: str | None


class AccessLogProjection(Projection):
    name = "access_log"
    schema = "rm_access_log"

    def __init__(self, sealer: Sealer) -> None:
        self._sealer = sealer

    @handles(AccessRecord.Recorded)
    async def _recorded(self, db: Db, envelope: Envelope) -> None:
        event: AccessRecord.Recorded = envelope.event
        reason_sealed = None
        if event.reason:
            cipher = await self._sealer.cipher(event.person_id)
            if cipher is None:
                return
            reason_sealed = cipher.seal(event.reason.encode(), _context(envelope.position))
        await db.execute(
            """INSERT INTO entries (position, staff_id, person_id, accessed_at, view, purpose, basis, break_glass,
                                    reason_sealed)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (position) DO NOTHING""",
            envelope.position,
            event.staff_id,
            event.person_id,
            envelope.recorded_at,
            event.view,
            event.purpose,
            event.basis,
            event.break_glass,
            reason_sealed,
        )

    @handles(ERASED)
    async def _erased(self, db: Db, envelope: Envelope) -> None:
        await db.execute("DELETE FROM entries WHERE person_id = $1", envelope.stream_id)


async def read_access_log(
    db: Db, sealer: Sealer, *, person_id: UUID | None = None, staff_id: UUID | None = None, limit: int = 500
) -> list[AccessEntry]:
    rows = await db.fetch(
        """SELECT * FROM rm_access_log.entries
           WHERE ($1::uuid IS NULL OR person_id = $1) AND ($2::uuid IS NULL OR staff_id = $2)
           ORDER BY position DESC LIMIT $3""",
        person_id,
        staff_id,
        limit,
    )
    entries = []
    ciphers = await sealer.ciphers({row["person_id"] for row in rows if row["reason_sealed"] is not None})
    for row in rows:
        reason = None
        cipher = ciphers.get(row["person_id"])
        if row["reason_sealed"] is not None and cipher is not None:
            reason = cipher.open(row["reason_sealed"], _context(row["position"])).decode()
        entries.append(
            AccessEntry(
                position=row["position"],
                staff_id=row["staff_id"],
                person_id=row["person_id"],
                accessed_at=row["accessed_at"],
                view=row["view"],
                purpose=row["purpose"],
                basis=row["basis"],
                break_glass=row["break_glass"],
                reason=reason,
            )
        )
    return entries


def _context(position: int) -> bytes:
    return b"access_log:" + position.to_bytes(8, "big")
