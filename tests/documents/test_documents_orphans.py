"""The orphan sweep against the log: content whose Attached or VersionAdded event never landed goes,
an hour on; content the log records stays, whatever happened to the document since."""

from __future__ import annotations

import uuid

from domain.document import Document, DocumentKind
from service.documents import orphans
from service.documents.store import DocumentStore
from service.gdpr.retention import RetentionPolicy, run_retention
from service.storage.runtime import Runtime
from tests.application.support import register
from tests.documents.samples import pieces


async def versions_kept(runtime: Runtime, document_id: uuid.UUID) -> list[int]:
    async with runtime.pool.acquire() as db:
        rows = await db.fetch(
            "SELECT DISTINCT version FROM document_chunks WHERE document_id = $1 ORDER BY version", document_id
        )
    return [row["version"] for row in rows]


async def test_versions_whose_event_never_landed_are_swept_an_hour_on(
    runtime: Runtime, documents: DocumentStore, ctx, social_worker, clock
) -> None:
    person = await register(ctx, social_worker, "Olga", "Petrenko")
    recorded, never_recorded = uuid.uuid4(), uuid.uuid4()
    for version in (1, 2, 3):  # versions 1 and 2 of ``recorded`` land; its 3 and ``never_recorded`` do not
        written = await documents.write(recorded, version, person, pieces(b"scan %d" % version, 3))
    await documents.write(never_recorded, 1, person, pieces(b"lost", 3))
    document = Document.attach(
        recorded,
        person,
        case_id=None,
        title="Carte d'identite",
        kind=DocumentKind.OTHER,
        deadline=None,
        follow_up_id=None,
        media_type="application/pdf",
        size=written.size,
        sha256=written.sha256,
        at=clock(),
        by=social_worker.staff_id,
    )
    document.add_version(2, "application/pdf", written.size, written.sha256, clock(), social_worker.staff_id)
    document.withdraw("wrong person", clock(), social_worker.staff_id)  # a later event: not a version
    await ctx.repository.save(document, actor_id=social_worker.staff_id)

    assert await orphans.sweep(documents, runtime.pool) == 0  # younger than an hour: maybe still on its way
    async with runtime.pool.acquire() as db:
        await db.execute("UPDATE document_contents SET written_at = written_at - interval '61 minutes'")

    assert await orphans.sweep(documents, runtime.pool) == 2
    assert await versions_kept(runtime, recorded) == [1, 2]
    assert await versions_kept(runtime, never_recorded) == []


async def test_the_retention_run_sweeps_the_orphans_and_its_dry_run_does_not(
    runtime: Runtime, documents: DocumentStore, ctx, social_worker, dpo, tools
) -> None:
    person = await register(ctx, social_worker, "Olga", "Petrenko")
    lost = uuid.uuid4()
    await documents.write(lost, 1, person, pieces(b"lost", 3))
    async with runtime.pool.acquire() as db:
        await db.execute("UPDATE document_contents SET written_at = written_at - interval '2 hours'")

    await run_retention(ctx, dpo, tools, RetentionPolicy(), dry_run=True)
    assert await versions_kept(runtime, lost) == [1]
    await run_retention(ctx, dpo, tools, RetentionPolicy(), dry_run=False)
    assert await versions_kept(runtime, lost) == []
