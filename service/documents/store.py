"""A document's content in PostgreSQL: sealed chunk by chunk under the person's key, streamed in and out.

Each chunk (``CHUNK_BYTES`` of the cleaned content) is encrypted with AES-256-GCM under the
person's data key. The associated data names the document, the version, the chunk's index and
whether it is the last one, so a chunk moved, swapped, dropped or cut off fails to open.

Only one chunk is in memory at a time, in either direction, and no connection is held between
two chunks: a slow client uploading or downloading never keeps a pooled connection (nor a
transaction, nor an old snapshot) for the length of the transfer.

The person's chunks go with their key: the tables' foreign keys to ``subject_keys`` delete
them in the erasure's own transaction (and after a restore, when the ledger is re-applied),
and refuse a chunk written after it. ``purge`` deletes them explicitly too, from the erasure
purge. A version whose document event never landed (the append failed, the process stopped)
is found by ``purge_orphans`` once it is an hour old.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING
from uuid import UUID

import asyncpg
import msgspec

from service.storage.database import LOST_CONNECTION, Connection
from service.storage.keys.subject_keys import DecryptionError, KeyStore, SubjectErasedError, SubjectKey

if TYPE_CHECKING:
    from service.storage.runtime import Runtime

CHUNK_BYTES = 256 * 1024
ORPHANS_AFTER = timedelta(hours=1)
_SWEEP_BATCH = 500
_CONTEXT = b"suivi-document:"  # a document chunk can never pass for an event or a read-model value

DocumentVersion = tuple[UUID, int]
LandedCheck = Callable[[Sequence[DocumentVersion]], Awaitable[set[DocumentVersion]]]
"""Given (document id, version) pairs, those whose document event is in the log."""


class StoredContent(msgspec.Struct, frozen=True):
    size: int
    chunk_count: int
    sha256: str
    """Hex digest of the stored (cleaned) content: for the document's event, never stored in clear."""


class DocumentGoneError(Exception):
    """The content cannot be read any more: the person's key was destroyed, or the chunks purged (410)."""

    def __init__(self, document_id: UUID, version: int) -> None:
        super().__init__(f"document {document_id} version {version} is gone")
        self.document_id = document_id
        self.version = version


class DocumentDamagedError(Exception):
    """A chunk is missing, moved or altered: the content fails to open. Says nothing more."""

    def __init__(self, document_id: UUID, version: int) -> None:
        super().__init__(f"document {document_id} version {version} fails its integrity check")
        self.document_id = document_id
        self.version = version


def _associated_data(document_id: UUID, version: int, index: int, last: bool) -> bytes:
    return _CONTEXT + document_id.bytes + version.to_bytes(4, "big") + index.to_bytes(4, "big") + bytes((last,))


async def _in_chunks(pieces: AsyncIterator[bytes]) -> AsyncIterator[tuple[bytes, bool]]:
    """The content cut into ``CHUNK_BYTES`` chunks, each with whether it is the last.

    A chunk goes once a byte beyond it has arrived, so the last one is known when it goes;
    an empty content is one empty last chunk.
    """
    buffer = bytearray()
    async for piece in pieces:
        buffer += piece
        while len(buffer) > CHUNK_BYTES:
            yield bytes(buffer[:CHUNK_BYTES]), False
            del buffer[:CHUNK_BYTES]
    yield bytes(buffer), True


class DocumentStore:
    def __init__(self, pool: asyncpg.Pool, keys: KeyStore) -> None:
        self._pool = pool
        self._keys = keys

    @classmethod
    def from_runtime(cls, runtime: Runtime) -> DocumentStore:
        return cls(runtime.pool, runtime.keys)

    async def write(
        self, document_id: UUID, version: int, subject_id: UUID, chunks: AsyncIterator[bytes]
    ) -> StoredContent:
        """Seal and store the content, chunk by chunk. Raises ``SubjectErasedError`` for an erased person.

        Whatever fails on the way (the content refused, the person erased meanwhile, the
        database gone), what was written is removed before the error goes up.
        """
        key = (await self._keys.keys_for_writing([subject_id]))[subject_id]
        digest = hashlib.sha256()
        size = count = 0
        try:
            await self._begin(document_id, version, subject_id)
        except asyncpg.ForeignKeyViolationError:
            raise SubjectErasedError(subject_id) from None
        try:
            async for plain, last in _in_chunks(chunks):
                digest.update(plain)
                size += len(plain)
                sealed = key.encrypt(plain, _associated_data(document_id, version, count, last))
                await self._insert(document_id, version, subject_id, key, count, sealed)
                count += 1
        except asyncpg.ForeignKeyViolationError:
            await self._discard_after_failure(document_id, version)
            raise SubjectErasedError(subject_id) from None
        except BaseException:
            await self._discard_after_failure(document_id, version)
            raise
        return StoredContent(size=size, chunk_count=count, sha256=digest.hexdigest())

    async def _begin(self, document_id: UUID, version: int, subject_id: UUID) -> None:
        """Claim the version; a second write of the same version fails here (unique), touching nothing."""
        async with self._pool.acquire() as db:
            await db.execute(
                "INSERT INTO document_contents (document_id, version, subject_id) VALUES ($1, $2, $3)",
                document_id,
                version,
                subject_id,
            )

    async def _insert(
        self, document_id: UUID, version: int, subject_id: UUID, key: SubjectKey, index: int, sealed: bytes
    ) -> None:
        async with self._pool.acquire() as db:
            await db.execute(
                """INSERT INTO document_chunks (document_id, version, chunk_index, subject_id, key_version, sealed)
                   VALUES ($1, $2, $3, $4, $5, $6)""",
                document_id,
                version,
                index,
                subject_id,
                key.version,
                sealed,
            )

    async def read(self, document_id: UUID, version: int, subject_id: UUID) -> AsyncIterator[bytes]:
        """The content, chunk by chunk, decrypted in order.

        Raises ``DocumentGoneError`` before the first chunk when the key or the chunks are gone
        (and during the stream if an erasure purges them meanwhile), ``DocumentDamagedError``
        when a chunk fails to open. Checked at once, not at the first ``anext``, so that a route
        can answer 410 before it starts a response.
        """
        async with self._pool.acquire() as db:
            last_index = await db.fetchval(
                """SELECT max(chunk_index) FROM document_chunks
                   WHERE document_id = $1 AND version = $2 AND subject_id = $3""",
                document_id,
                version,
                subject_id,
            )
        key = (await self._keys.keys_for_reading([subject_id])).get(subject_id)
        if last_index is None or key is None:
            raise DocumentGoneError(document_id, version)
        return self._opened(document_id, version, subject_id, key, last_index)

    async def _opened(
        self, document_id: UUID, version: int, subject_id: UUID, key: SubjectKey, last_index: int
    ) -> AsyncIterator[bytes]:
        for index in range(last_index + 1):
            async with self._pool.acquire() as db:
                sealed = await db.fetchval(
                    """SELECT sealed FROM document_chunks
                       WHERE document_id = $1 AND version = $2 AND chunk_index = $3 AND subject_id = $4""",
                    document_id,
                    version,
                    index,
                    subject_id,
                )
            if sealed is None:
                if await self._gone(document_id, version, subject_id):
                    raise DocumentGoneError(document_id, version)
                raise DocumentDamagedError(document_id, version)
            try:
                yield key.decrypt(sealed, _associated_data(document_id, version, index, index == last_index))
            except DecryptionError:
                raise DocumentDamagedError(document_id, version) from None

    async def _gone(self, document_id: UUID, version: int, subject_id: UUID) -> bool:
        async with self._pool.acquire() as db:
            return not await db.fetchval(
                """SELECT EXISTS (SELECT 1 FROM document_contents WHERE document_id = $1 AND version = $2)
                      AND EXISTS (SELECT 1 FROM subject_keys WHERE subject_id = $3)""",
                document_id,
                version,
                subject_id,
            )

    async def _discard_after_failure(self, document_id: UUID, version: int) -> None:
        """Remove what was written, unless the database is gone too: then the orphan sweep will,
        and the error that stopped the write is the one that goes up."""
        with contextlib.suppress(*LOST_CONNECTION):
            await self.discard(document_id, version)

    async def discard(self, document_id: UUID, version: int) -> None:
        """Remove a version's content, e.g. after its event failed to append: nothing is left half-written."""
        async with self._pool.acquire() as db:
            await db.execute(
                "DELETE FROM document_contents WHERE document_id = $1 AND version = $2", document_id, version
            )

    async def purge_orphans(self, landed: LandedCheck, *, older_than: timedelta = ORPHANS_AFTER) -> int:
        """Delete the content of versions older than ``older_than`` whose event never landed. Returns how many.

        Each version is checked once: those found in the log are marked and never asked about again.
        """
        purged = 0
        while True:
            async with self._pool.acquire() as db:
                rows = await db.fetch(
                    """SELECT document_id, version FROM document_contents
                       WHERE NOT landed AND written_at < now() - $1::interval ORDER BY written_at LIMIT $2""",
                    older_than,
                    _SWEEP_BATCH,
                )
            if not rows:
                return purged
            candidates = [(row["document_id"], row["version"]) for row in rows]
            found = await landed(candidates)
            orphans = [pair for pair in candidates if pair not in found]
            async with self._pool.acquire() as db, db.transaction():
                await db.execute(
                    """UPDATE document_contents c SET landed = true FROM unnest($1::uuid[], $2::int[]) AS t(d, v)
                       WHERE c.document_id = t.d AND c.version = t.v""",
                    [d for d, _ in found],
                    [v for _, v in found],
                )
                await db.execute(
                    """DELETE FROM document_contents c USING unnest($1::uuid[], $2::int[]) AS t(d, v)
                       WHERE c.document_id = t.d AND c.version = t.v AND NOT c.landed""",
                    [d for d, _ in orphans],
                    [v for _, v in orphans],
                )
            purged += len(orphans)
            if len(rows) < _SWEEP_BATCH:
                return purged


async def purge(connection: Connection, person_ids: Sequence[UUID]) -> int:
    """Delete every document chunk of these people (in the caller's transaction). Returns chunks deleted."""
    ids = list(person_ids)
    if not ids:
        return 0
    status = await connection.execute("DELETE FROM document_chunks WHERE subject_id = ANY($1::uuid[])", ids)
    await connection.execute("DELETE FROM document_contents WHERE subject_id = ANY($1::uuid[])", ids)
    return int(status.split()[-1])
