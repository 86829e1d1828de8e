"""A document's content, sealed in chunks under the person's key: round trip, tampering, clean-up, erasure."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from uuid import UUID

import pytest

from service.documents.content import RefusedContentError, cleaned
from service.documents.store import (
    CHUNK_BYTES,
    DocumentDamagedError,
    DocumentGoneError,
    DocumentStore,
    DocumentVersion,
)
from service.gdpr.erasure import erase
from service.storage.keys.subject_keys import SubjectErasedError
from service.storage.runtime import Runtime
from tests.application.support import register
from tests.documents.samples import joined, pdf_with, pieces


async def rows(runtime: Runtime, table: str, document_id: UUID | None = None) -> int:
    async with runtime.pool.acquire() as db:
        if document_id is None:
            return int(await db.fetchval(f"SELECT count(*) FROM {table}"))
        return int(await db.fetchval(f"SELECT count(*) FROM {table} WHERE document_id = $1", document_id))


async def stored(documents: DocumentStore, content: bytes, *, subject: UUID | None = None) -> tuple[UUID, UUID]:
    document_id, subject_id = uuid.uuid4(), subject or uuid.uuid4()
    await documents.write(document_id, 1, subject_id, pieces(content, 100_003))
    return document_id, subject_id


async def test_content_comes_back_as_written_in_chunks_of_a_fixed_size(documents: DocumentStore) -> None:
    for size in (0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES, 3 * CHUNK_BYTES + 12_345):
        content = os.urandom(size)
        document_id, subject_id = uuid.uuid4(), uuid.uuid4()

        written = await documents.write(document_id, 1, subject_id, pieces(content, 100_003))

        assert written.size == size
        assert written.chunk_count == max(1, -(-size // CHUNK_BYTES))
        assert written.sha256 == hashlib.sha256(content).hexdigest()
        chunks = [chunk async for chunk in await documents.read(document_id, 1, subject_id)]
        assert b"".join(chunks) == content, size
        assert all(len(chunk) == CHUNK_BYTES for chunk in chunks[:-1])


async def test_each_version_is_its_own_content(documents: DocumentStore) -> None:
    document_id, subject_id = uuid.uuid4(), uuid.uuid4()
    await documents.write(document_id, 1, subject_id, pieces(b"first scan", 4))
    await documents.write(document_id, 2, subject_id, pieces(b"second scan", 4))
    assert await joined(await documents.read(document_id, 1, subject_id)) == b"first scan"
    assert await joined(await documents.read(document_id, 2, subject_id)) == b"second scan"
    with pytest.raises(DocumentGoneError):
        await documents.read(document_id, 3, subject_id)


async def test_a_version_cannot_be_written_twice_and_the_first_stays(documents: DocumentStore) -> None:
    document_id, subject_id = uuid.uuid4(), uuid.uuid4()
    await documents.write(document_id, 1, subject_id, pieces(b"the original", 4))
    with pytest.raises(Exception, match="duplicate key"):
        await documents.write(document_id, 1, subject_id, pieces(b"an impostor", 4))
    assert await joined(await documents.read(document_id, 1, subject_id)) == b"the original"


async def test_the_database_holds_ciphertext_only(documents: DocumentStore, runtime: Runtime) -> None:
    content = b"Residence permit of a known person, " * 20_000
    await stored(documents, content)
    async with runtime.pool.acquire() as db:
        sealed = [row["sealed"] for row in await db.fetch("SELECT sealed FROM document_chunks")]
    assert len(sealed) == 3
    assert not any(b"Residence permit" in chunk for chunk in sealed)


async def read_all(documents: DocumentStore, document_id: UUID, subject_id: UUID) -> bytes:
    return await joined(await documents.read(document_id, 1, subject_id))


def _swap(a: int, b: int) -> str:
    return f"""UPDATE document_chunks c SET sealed = o.sealed FROM document_chunks o
               WHERE c.document_id = $1 AND o.document_id = $1
                 AND ((c.chunk_index = {a} AND o.chunk_index = {b}) OR (c.chunk_index = {b} AND o.chunk_index = {a}))"""


TAMPERINGS = {
    "swapped": _swap(0, 1),
    "dropped": "DELETE FROM document_chunks WHERE document_id = $1 AND chunk_index = 1",
    "truncated": "DELETE FROM document_chunks WHERE document_id = $1 AND chunk_index = 2",
    "moved on": "UPDATE document_chunks SET chunk_index = 5 WHERE document_id = $1 AND chunk_index = 2",
    "altered": "UPDATE document_chunks SET sealed = overlay(sealed placing '\\x00'::bytea from 40) "
    "WHERE document_id = $1 AND chunk_index = 0",
}


async def test_a_tampered_document_fails_to_open(documents: DocumentStore, runtime: Runtime) -> None:
    for tampering in TAMPERINGS.values():
        document_id, subject_id = await stored(documents, os.urandom(2 * CHUNK_BYTES + 10))
        async with runtime.pool.acquire() as db:
            await db.execute(tampering, document_id)
        with pytest.raises(DocumentDamagedError):  # the traceback's ``tampering`` says which, if one opens
            await read_all(documents, document_id, subject_id)


async def test_a_chunk_of_another_document_fails_to_open(documents: DocumentStore, runtime: Runtime) -> None:
    subject_id = uuid.uuid4()
    first, _ = await stored(documents, os.urandom(100), subject=subject_id)
    second, _ = await stored(documents, os.urandom(100), subject=subject_id)
    async with runtime.pool.acquire() as db:  # same person, same key: only the associated data tells them apart
        await db.execute(
            """UPDATE document_chunks SET sealed = (SELECT sealed FROM document_chunks WHERE document_id = $2)
               WHERE document_id = $1""",
            first,
            second,
        )
    with pytest.raises(DocumentDamagedError):
        await joined(await documents.read(first, 1, subject_id))


async def test_content_refused_half_way_leaves_nothing_behind(documents: DocumentStore, runtime: Runtime) -> None:
    _, content = await cleaned(pieces(pdf_with("x") + os.urandom(3 * CHUNK_BYTES), 65_536), max_bytes=2 * CHUNK_BYTES)
    document_id = uuid.uuid4()
    with pytest.raises(RefusedContentError):
        await documents.write(document_id, 1, uuid.uuid4(), content)
    assert await rows(runtime, "document_chunks") == 0
    assert await rows(runtime, "document_contents") == 0


async def test_discard_removes_a_written_version(documents: DocumentStore, runtime: Runtime) -> None:
    document_id, subject_id = await stored(documents, os.urandom(CHUNK_BYTES + 1))
    await documents.discard(document_id, 1)
    assert await rows(runtime, "document_chunks") == 0
    with pytest.raises(DocumentGoneError):
        await documents.read(document_id, 1, subject_id)


async def test_read_refuses_another_persons_id(documents: DocumentStore) -> None:
    document_id, _ = await stored(documents, b"hers")
    with pytest.raises(DocumentGoneError):
        await documents.read(document_id, 1, uuid.uuid4())


async def test_orphans_older_than_an_hour_are_purged_once_their_event_is_known_missing(
    documents: DocumentStore, runtime: Runtime
) -> None:
    landed_one, orphan, recent = (
        await stored(documents, b"a"),
        await stored(documents, b"b"),
        await stored(documents, b"c"),
    )
    async with runtime.pool.acquire() as db:
        await db.execute(
            "UPDATE document_contents SET written_at = now() - interval '2 hours' WHERE document_id = ANY($1)",
            [landed_one[0], orphan[0]],
        )
    asked: list[list[DocumentVersion]] = []

    async def in_the_log(candidates: list[DocumentVersion]) -> set[DocumentVersion]:
        asked.append(sorted(candidates))
        return {(landed_one[0], 1)} & set(candidates)

    assert await documents.purge_orphans(in_the_log) == 1  # type: ignore[arg-type]
    assert asked == [sorted([(landed_one[0], 1), (orphan[0], 1)])]
    assert await rows(runtime, "document_chunks", orphan[0]) == 0
    assert await rows(runtime, "document_chunks", landed_one[0]) == 1
    assert await rows(runtime, "document_chunks", recent[0]) == 1
    assert await documents.purge_orphans(in_the_log) == 0  # type: ignore[arg-type]
    assert len(asked) == 1  # the landed one is never asked about again


async def test_after_an_erasure_the_document_is_gone_and_no_chunk_row_remains(
    documents: DocumentStore, runtime: Runtime, ctx, social_worker, dpo, tools
) -> None:
    person = await register(ctx, social_worker, "Olga", "Petrenko")
    kept = await register(ctx, social_worker, "Ivan", "Sokolov")
    document_id, _ = await stored(documents, os.urandom(2 * CHUNK_BYTES), subject=person)
    other, _ = await stored(documents, b"his", subject=kept)
    opened = await documents.read(document_id, 1, person)

    await erase(ctx, dpo, person, tools)

    with pytest.raises(DocumentGoneError):
        await documents.read(document_id, 1, person)
    with pytest.raises(DocumentGoneError):  # a download under way stops too
        await joined(opened)
    async with runtime.pool.acquire() as db:
        for table in ("document_chunks", "document_contents"):
            assert await db.fetchval(f"SELECT count(*) FROM {table} WHERE subject_id = $1", person) == 0
    assert await joined(await documents.read(other, 1, kept)) == b"his"
    with pytest.raises(SubjectErasedError):
        await documents.write(uuid.uuid4(), 1, person, pieces(b"too late", 3))


async def test_an_upload_under_way_at_the_erasure_leaves_no_chunk(
    documents: DocumentStore, runtime: Runtime, ctx, social_worker, dpo, tools
) -> None:
    person = await register(ctx, social_worker, "Olga", "Petrenko")

    async def erased_half_way() -> AsyncIterator[bytes]:
        yield os.urandom(CHUNK_BYTES + 1)
        await erase(ctx, dpo, person, tools)
        yield os.urandom(CHUNK_BYTES)

    with pytest.raises(SubjectErasedError):
        await documents.write(uuid.uuid4(), 1, person, erased_half_way())
    assert await rows(runtime, "document_chunks") == 0
    assert await rows(runtime, "document_contents") == 0


async def test_the_orphan_sweep_window_is_a_parameter(documents: DocumentStore, runtime: Runtime) -> None:
    await stored(documents, b"fresh")

    async def nothing_landed(candidates: list[DocumentVersion]) -> set[DocumentVersion]:
        return set()

    assert await documents.purge_orphans(nothing_landed, older_than=timedelta(hours=1)) == 0  # type: ignore[arg-type]
    assert await documents.purge_orphans(nothing_landed, older_than=timedelta(0)) == 1  # type: ignore[arg-type]
    assert await rows(runtime, "document_chunks") == 0
