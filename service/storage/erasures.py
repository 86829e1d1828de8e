"""Whether a person was erased: the erasure ledger, and the receipt id to answer 410 Gone with.

Below the GDPR toolkit (which writes the ledger and signs the receipts), so that every
reader, in the application layer or a door, can refuse an erased person the same way.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from service.storage.repository import AggregateErasedError


class PersonErasedGoneError(AggregateErasedError):
    """The person was erased: answer 410 Gone, naming the receipt.

    An ``AggregateErasedError`` like the others, so code that skips erased people skips these too.
    """

    def __init__(self, person_id: UUID, receipt_id: UUID | None) -> None:
        super().__init__(person_id)
        self.args = (f"person {person_id} was erased (receipt {receipt_id})",)
        self.person_id = person_id
        self.receipt_id = receipt_id


async def is_erased(pool: asyncpg.Pool, person_id: UUID) -> bool:
    async with pool.acquire() as connection:
        return bool(
            await connection.fetchval("SELECT EXISTS (SELECT 1 FROM erasure_ledger WHERE subject_id = $1)", person_id)
        )


async def ensure_not_erased(pool: asyncpg.Pool, person_id: UUID) -> None:
    """Raise PersonErasedGoneError (410) when the person was erased."""
    if await is_erased(pool, person_id):
        async with pool.acquire() as connection:
            receipt_id = await connection.fetchval(
                "SELECT receipt_id FROM erasure_receipts WHERE person_id = $1", person_id
            )
        raise PersonErasedGoneError(person_id, receipt_id)
