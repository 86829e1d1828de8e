"""The case file: one timeline of a person across the three services.

Every entry carries its category, so each view filters it by the reader's role, as
the access policy says. Entry bodies are sealed under the person's key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from domain.case import Case
from domain.consent import ConsentRecord
from domain.office_hours import Visit
from domain.person import Person
from domain.referral import Referral
from domain.training import TrainingRecord
from projections.base import ERASED, Db, Envelope, Projection, Sealer, events_of, handles
from projections.bodies import event_body, event_kind, read_body

PERSONAL_EVENTS = tuple(
    e for e in events_of(Person, ConsentRecord, TrainingRecord, Visit, Case, Referral) if e is not ERASED
)


class CaseFileEntry(msgspec.Struct, frozen=True):
    position: int
    recorded_at: datetime
    category: str
    kind: str
    stream_id: UUID
    actor_id: UUID | None
    body: dict[str, Any]


class CaseFileProjection(Projection):
    name = "case_file"
    schema = "rm_case_file"

    def __init__(self, sealer: Sealer) -> None:
        self._sealer = sealer

    @handles(*PERSONAL_EVENTS)
    async def _entry(self, db: Db, envelope: Envelope) -> None:
        person_id = envelope.subject_id
        if person_id is None:
            return
        cipher = await self._sealer.cipher(person_id)
        if cipher is None:
            return
        sealed = cipher.seal(event_body(envelope.event), _context(envelope.position))
        await db.execute(
            """INSERT INTO entries (position, person_id, stream_id, recorded_at, actor_id, category, kind, body_sealed)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (position) DO NOTHING""",
            envelope.position,
            person_id,
            envelope.stream_id,
            envelope.recorded_at,
            envelope.actor_id,
            envelope.category,
            event_kind(envelope.event),
            sealed,
        )

    @handles(ERASED)
    async def _erased(self, db: Db, envelope: Envelope) -> None:
        await db.execute("DELETE FROM entries WHERE person_id = $1", envelope.stream_id)


async def read_case_file(
    db: Db, sealer: Sealer, person_id: UUID, categories: frozenset[str] | None = None
) -> list[CaseFileEntry]:
    """The timeline, oldest first, limited to ``categories`` when given."""
    rows = await db.fetch(
        """SELECT position, recorded_at, category, kind, stream_id, actor_id, body_sealed
           FROM rm_case_file.entries
           WHERE person_id = $1 AND ($2::text[] IS NULL OR category = ANY($2::text[]))
           ORDER BY position""",
        person_id,
        None if categories is None else sorted(categories),
    )
    cipher = await sealer.cipher(person_id)
    if cipher is None:
        return []
    entries = []
    for row in rows:
        body = cipher.open(row["body_sealed"], _context(row["position"]))
        entries.append(
            CaseFileEntry(
                position=row["position"],
                recorded_at=row["recorded_at"],
                category=row["category"],
                kind=row["kind"],
                stream_id=row["stream_id"],
                actor_id=row["actor_id"],
                body=read_body(body),
            )
        )
    return entries


def _context(position: int) -> bytes:
    return b"case_file:" + position.to_bytes(8, "big")
