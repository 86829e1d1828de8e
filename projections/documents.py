"""The register of documents: which documents each person and each case has.

Ids, category and dates only: no personal data. What a document is (its title, kind and
versions) is read from its own events, under the person's key, when a reader is allowed.
"""

from __future__ import annotations

from uuid import UUID

import msgspec

from domain.document import Document
from projections.base import ERASED, Db, Envelope, Projection, handles


class Registered(msgspec.Struct, frozen=True):
    document_id: UUID
    person_id: UUID
    case_id: UUID | None
    category: str


class DocumentRegisterProjection(Projection):
    name = "documents"
    schema = "rm_documents"

    @handles(Document.Attached)
    async def _attached(self, db: Db, envelope: Envelope) -> None:
        event: Document.Attached = envelope.event
        await db.execute(
            """INSERT INTO documents (document_id, person_id, case_id, category, attached_at)
               VALUES ($1, $2, $3, $4, $5) ON CONFLICT (document_id) DO NOTHING""",
            envelope.stream_id,
            event.person_id,
            event.case_id,
            str(event.category),
            envelope.recorded_at,
        )

    @handles(Document.Withdrawn)
    async def _withdrawn(self, db: Db, envelope: Envelope) -> None:
        await db.execute("UPDATE documents SET withdrawn = true WHERE document_id = $1", envelope.stream_id)

    @handles(ERASED)
    async def _erased(self, db: Db, envelope: Envelope) -> None:
        await db.execute("DELETE FROM documents WHERE person_id = $1", envelope.stream_id)


async def documents_of(db: Db, person_id: UUID, *, case_id: UUID | None = None) -> list[Registered]:
    """The person's documents still listed (of one case, when given), oldest first."""
    rows = await db.fetch(
        """SELECT document_id, person_id, case_id, category FROM rm_documents.documents
           WHERE person_id = $1 AND NOT withdrawn AND ($2::uuid IS NULL OR case_id = $2)
           ORDER BY attached_at, document_id""",
        person_id,
        case_id,
    )
    return [Registered(r["document_id"], r["person_id"], r["case_id"], r["category"]) for r in rows]
