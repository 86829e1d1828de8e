"""The access log: who read which person's data, when, through which view, why and on what basis.

It also holds the DPO's reviews of break-glass accesses (``AccessReview``). A review names
no person, so it is not dropped at an erasure; the rows of an erased person are, and the
erasure keeps them pseudonymously outside the read models (``service.gdpr.kept_access_log``).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from domain.access import AccessRecord, AccessReview
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
    access_id: UUID | None = None
    """The access record (None only for rows projected before it was kept)."""


class Review(msgspec.Struct, frozen=True):
    access_id: UUID
    reviewed_by: UUID
    reviewed_at: datetime


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
                                    reason_sealed, access_id)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (position) DO NOTHING""",
            envelope.position,
            event.staff_id,
            event.person_id,
            envelope.recorded_at,
            event.view,
            event.purpose,
            event.basis,
            event.break_glass,
            reason_sealed,
            envelope.stream_id,
        )

    @handles(AccessReview.Reviewed)
    async def _reviewed(self, db: Db, envelope: Envelope) -> None:
        event: AccessReview.Reviewed = envelope.event
        await db.execute(
            """INSERT INTO reviews (access_id, reviewed_by, reviewed_at) VALUES ($1, $2, $3)
               ON CONFLICT (access_id) DO NOTHING""",
            event.access_id,
            event.reviewed_by,
            envelope.recorded_at,
        )

    @handles(ERASED)
    async def _erased(self, db: Db, envelope: Envelope) -> None:
        await db.execute("DELETE FROM entries WHERE person_id = $1", envelope.stream_id)


async def read_access_log(
    db: Db,
    sealer: Sealer,
    *,
    person_id: UUID | None = None,
    staff_id: UUID | None = None,
    break_glass_only: bool = False,
    unreviewed_only: bool = False,
    limit: int = 500,
) -> list[AccessEntry]:
    """Newest first; filtered by person, by staff member, to the break-glass accesses, to those not reviewed."""
    rows = await db.fetch(
        """SELECT * FROM rm_access_log.entries e
           WHERE ($1::uuid IS NULL OR person_id = $1) AND ($2::uuid IS NULL OR staff_id = $2)
             AND (NOT $4 OR break_glass)
             AND (NOT $5 OR NOT EXISTS (SELECT 1 FROM rm_access_log.reviews r WHERE r.access_id = e.access_id))
           ORDER BY position DESC LIMIT $3""",
        person_id,
        staff_id,
        limit,
        break_glass_only,
        unreviewed_only,
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
                access_id=row["access_id"],
            )
        )
    return entries


async def reviews_of(db: Db, access_ids: list[UUID]) -> dict[UUID, Review]:
    rows = await db.fetch(
        "SELECT access_id, reviewed_by, reviewed_at FROM rm_access_log.reviews WHERE access_id = ANY($1::uuid[])",
        access_ids,
    )
    return {row["access_id"]: Review(row["access_id"], row["reviewed_by"], row["reviewed_at"]) for row in rows}


async def is_break_glass(db: Db, access_id: UUID) -> bool:
    return bool(
        await db.fetchval(
            "SELECT EXISTS (SELECT 1 FROM rm_access_log.entries WHERE access_id = $1 AND break_glass)", access_id
        )
    )


def _context(position: int) -> bytes:
    return b"access_log:" + position.to_bytes(8, "big")
