"""The case file: one timeline of a person across the three services.

Every entry carries its category, so each view filters it by the reader's role, as
the access policy says. Entry bodies are sealed under the person's key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from domain.appointment import Appointment
from domain.case import Case
from domain.consent import ConsentRecord
from domain.document import Document
from domain.office_hours import Visit
from domain.person import Person
from domain.referral import Referral
from domain.training import TrainingRecord
from projections.base import ERASED, Db, Envelope, Projection, Sealer, events_of, handles
from projections.bodies import event_body, event_kind, read_body

PERSONAL_EVENTS = tuple(
    e
    for e in events_of(Person, ConsentRecord, TrainingRecord, Visit, Case, Referral, Appointment, Document)
    if e is not ERASED
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


async def read_entries_of(
    db: Db, sealer: Sealer, person_ids: list[UUID], kinds: frozenset[str]
) -> dict[UUID, list[CaseFileEntry]]:
    """Several people's entries of the given kinds (``Referral.Made``), by the record they belong to.

    For the lists that say a little of each record (a referral's reason, a follow-up's
    description) without reading every timeline. Erased people are absent.
    """
    if not person_ids or not kinds:
        return {}
    rows = await db.fetch(
        """SELECT position, person_id, recorded_at, category, kind, stream_id, actor_id, body_sealed
           FROM rm_case_file.entries WHERE person_id = ANY($1::uuid[]) AND kind = ANY($2::text[])
           ORDER BY position""",
        list(dict.fromkeys(person_ids)),
        sorted(kinds),
    )
    ciphers = await sealer.ciphers({row["person_id"] for row in rows})
    found: dict[UUID, list[CaseFileEntry]] = {}
    for row in rows:
        cipher = ciphers.get(row["person_id"])
        if cipher is None:
            continue
        body = read_body(cipher.open(row["body_sealed"], _context(row["position"])))
        entry = CaseFileEntry(
            row["position"], row["recorded_at"], row["category"], row["kind"], row["stream_id"], row["actor_id"], body
        )
        found.setdefault(row["stream_id"], []).append(entry)
    return found


def _context(position: int) -> bytes:
    return b"case_file:" + position.to_bytes(8, "big")
