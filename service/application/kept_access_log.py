"""The access log after an erasure: kept pseudonymously, for the DPO's accountability (Art. 5(2)).

An erasure drops the person's rows from the read models and makes their events unreadable,
access records included. Who read the file, when, through which view, for what purpose, and
every break-glass access with its reason must still be answerable. So the erasure, before it
destroys the person's key and in the same transaction, copies each of the person's access
records into ``access_log_after_erasure``:

- without the person's id, name or file number: the rows of one erased person share a random
  pseudonym drawn there and then, and consent references are cut from the basis (a consent
  record's id is derived from the person's);
- with the break-glass reason sealed under the access log's own key, which no erasure destroys.

The copy is made from the event log, not from the read model, so an access the projection has
not reached yet is kept too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec

from domain.access import AccessRecord
from service.application.context import ApplicationContext
from service.storage.database import Connection
from service.storage.keys.subject_keys import SubjectKey

_SECRET_NAME = "access-log-after-erasure"  # noqa: S105  (the name of a secret, not a secret)
_SECRET_VERSION = 0


class KeptAccess(msgspec.Struct, frozen=True):
    """One access to a person since erased: who, when, which view and why, never whom."""

    position: int
    access_id: UUID
    pseudonym: UUID
    staff_id: UUID
    accessed_at: datetime
    view: str
    purpose: str
    basis: str
    break_glass: bool
    reason: str | None


async def _key(ctx: ApplicationContext) -> SubjectKey:
    return SubjectKey(await ctx.keys.system_secret(_SECRET_NAME), _SECRET_VERSION)


def _context(position: int) -> bytes:
    return b"access-log-after-erasure:" + position.to_bytes(8, "big")


def pseudonymous_basis(basis: str) -> str:
    """The basis without what points back to the person: ``consent:<record>:<version>`` becomes ``consent_given``."""
    parts = ["consent_given" if part.startswith("consent:") else part for part in basis.split(";") if part]
    return ";".join(dict.fromkeys(parts)) or "role"


@dataclass(frozen=True)
class KeptRows:
    """The copies of one person's access records, made while their key still exists, to write at erasure."""

    rows: list[tuple[Any, ...]]

    async def write(self, db: Connection) -> int:
        """Inside the erasure's transaction, before the key is destroyed. Safe to repeat."""
        if self.rows:
            await db.executemany(
                """INSERT INTO access_log_after_erasure (position, access_id, pseudonym, staff_id, accessed_at, view,
                                                         purpose, basis, break_glass, reason_sealed)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (position) DO NOTHING""",
                self.rows,
            )
        return len(self.rows)


async def copies_of(ctx: ApplicationContext, person_id: UUID) -> KeptRows:
    """The person's access records, read from the log (not the read model, which may lag behind)."""
    topic = ctx.repository.codec.topic_of_class(AccessRecord.Recorded)
    recorded = [s for s in await ctx.repository.store.read_subject(person_id) if s.topic == topic and s.payload]
    if not recorded:
        return KeptRows([])
    key, pseudonym = await _key(ctx), uuid4()
    rows = []
    for stored in recorded:
        assert stored.payload is not None
        event: AccessRecord.Recorded = ctx.repository.codec.decode(
            stored.topic, stored.payload, stored.stream_id, stored.version
        )
        reason = key.encrypt(event.reason.encode(), _context(stored.position)) if event.reason else None
        rows.append(
            (
                stored.position,
                stored.stream_id,
                pseudonym,
                event.staff_id,
                stored.recorded_at,
                event.view,
                event.purpose,
                pseudonymous_basis(event.basis),
                event.break_glass,
                reason,
            )
        )
    return KeptRows(rows)


async def read_kept(
    ctx: ApplicationContext,
    *,
    staff_id: UUID | None = None,
    break_glass_only: bool = False,
    unreviewed_only: bool = False,
    limit: int = 500,
) -> list[KeptAccess]:
    """Newest first, as the live access log reads."""
    async with ctx.pool.acquire() as db:
        rows = await db.fetch(
            """SELECT * FROM access_log_after_erasure k
               WHERE ($1::uuid IS NULL OR staff_id = $1) AND (NOT $2 OR break_glass)
                 AND (NOT $3 OR NOT EXISTS (SELECT 1 FROM rm_access_log.reviews r WHERE r.access_id = k.access_id))
               ORDER BY position DESC LIMIT $4""",
            staff_id,
            break_glass_only,
            unreviewed_only,
            limit,
        )
    key = await _key(ctx) if any(row["reason_sealed"] is not None for row in rows) else None
    return [
        KeptAccess(
            position=row["position"],
            access_id=row["access_id"],
            pseudonym=row["pseudonym"],
            staff_id=row["staff_id"],
            accessed_at=row["accessed_at"],
            view=row["view"],
            purpose=row["purpose"],
            basis=row["basis"],
            break_glass=row["break_glass"],
            reason=(
                key.decrypt(row["reason_sealed"], _context(row["position"])).decode()
                if key is not None and row["reason_sealed"] is not None
                else None
            ),
        )
        for row in rows
    ]


async def is_kept_break_glass(ctx: ApplicationContext, access_id: UUID) -> bool:
    async with ctx.pool.acquire() as db:
        return bool(
            await db.fetchval(
                "SELECT EXISTS (SELECT 1 FROM access_log_after_erasure WHERE access_id = $1 AND break_glass)",
                access_id,
            )
        )
