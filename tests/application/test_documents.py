"""Attaching documents through the application: nothing half-written, refusals before any byte is read,
a break-glass upload audited in its own append, reads recorded, and retention counting documents."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from datetime import date
from uuid import UUID

import pytest

from domain.access import AccessRecord
from domain.base import Category, SuiviAggregate
from domain.case import Case, CaseDomain, CaseOutcome
from service.application.cases import CloseCase, OpenCase, close_case, open_case
from service.application.context import Actor, ApplicationContext
from service.application.documents import AttachTo, StoreFile, attach_document
from service.application.errors import NotAuthorisedError
from service.application.views.documents import document_content
from service.gdpr.retention import people_due
from service.storage.eventstore.records import AppendResult, ConcurrencyError, TransientStoreError
from service.storage.repository import Repository
from tests.application.support import register
from tests.conftest import catch_up_all
from tests.gdpr.test_retention import POLICY
from tests.http.test_documents_api import a_pdf

MAX = 1024 * 1024


class Sent:
    """A form as a door would read it: the fields before the file, the file in pieces, the fields after."""

    def __init__(self, content: bytes, before: Mapping[str, str] | None = None, **after: str) -> None:
        self.content, self.before = content, dict(before or {})
        self.after = {"title": "Décision du CPAS", "kind": "decision_letter", **after}
        self.pieces_read = 0

    @property
    def is_form(self) -> bool:
        return True

    async def read(self, store_file: StoreFile) -> Mapping[str, str]:
        async def pieces() -> AsyncIterator[bytes]:
            for start in range(0, len(self.content), 1000):
                self.pieces_read += 1
                yield self.content[start : start + 1000]

        await store_file(self.before, pieces())
        return {**self.before, **self.after}


class HeldOnceStored(Sent):
    """A form whose file is stored, then waits (the request still being read) until released."""

    def __init__(self, content: bytes, stored: asyncio.Event, release: asyncio.Event) -> None:
        super().__init__(content)
        self.stored, self.release = stored, release

    async def read(self, store_file: StoreFile) -> Mapping[str, str]:
        fields = await super().read(store_file)
        self.stored.set()
        await self.release.wait()
        return fields


class FailingAppend(Repository):
    """The store refuses the append (the database gone at the wrong moment)."""

    async def save(self, *aggregates: SuiviAggregate, actor_id: UUID | None, **kwargs: object) -> AppendResult:
        raise TransientStoreError("connection lost")


async def chunks_of(ctx: ApplicationContext) -> tuple[int, int]:
    async with ctx.pool.acquire() as db:
        contents = await db.fetchval("SELECT count(*) FROM document_contents")
        chunks = await db.fetchval("SELECT count(*) FROM document_chunks")
    return contents, chunks


async def a_case(ctx: ApplicationContext, social_worker: Actor) -> tuple[UUID, UUID]:
    person_id = await register(ctx, social_worker, "Mariam", "Sow")
    opening = OpenCase(person_id, CaseDomain.SOCIAL_BENEFITS, social_worker.staff_id, "aide du CPAS")
    return person_id, (await open_case(ctx, social_worker, opening)).case_id


async def test_when_the_append_fails_after_the_chunks_were_written_they_are_discarded(ctx, social_worker) -> None:
    _, case_id = await a_case(ctx, social_worker)
    failing = ApplicationContext(
        FailingAppend(ctx.repository.store, ctx.repository.codec), ctx.pool, ctx.keys, ctx.clock
    )
    sent = Sent(a_pdf())
    with pytest.raises(TransientStoreError):
        await attach_document(failing, social_worker, AttachTo(case_id=case_id), sent, max_bytes=MAX)
    assert sent.pieces_read > 0  # the file was stored before the append was tried
    assert await chunks_of(ctx) == (0, 0)


async def test_a_trainer_is_refused_before_a_byte_is_read(ctx, social_worker, trainer) -> None:
    person_id, case_id = await a_case(ctx, social_worker)
    for to in (AttachTo(case_id=case_id), AttachTo(person_id=person_id)):
        sent = Sent(a_pdf())
        with pytest.raises(NotAuthorisedError):
            await attach_document(ctx, trainer, to, sent, max_bytes=MAX)
        assert sent.pieces_read == 0


async def test_a_colleague_attaches_with_a_written_reason_and_the_audit_is_in_the_same_append(
    ctx, social_worker, other_social_worker
) -> None:
    person_id, case_id = await a_case(ctx, social_worker)
    with pytest.raises(NotAuthorisedError):
        await attach_document(ctx, other_social_worker, AttachTo(case_id=case_id), Sent(a_pdf()), max_bytes=MAX)
    assert await chunks_of(ctx) == (0, 0)
    reason = {"break_glass_reason": "collègue en congé, courrier urgent"}
    outcome = await attach_document(
        ctx, other_social_worker, AttachTo(case_id=case_id), Sent(a_pdf(), reason), max_bytes=MAX
    )
    assert outcome.break_glass
    appended = [e for e in await ctx.repository.store.read_subject(person_id) if e.payload is not None]
    [attached] = [e for e in appended if e.stream_id == outcome.document_id]
    audits = [e for e in appended if e.category == "access" and e.transaction_id == attached.transaction_id]
    assert len(audits) == 1
    audit = ctx.repository.codec.decode(audits[0].topic, audits[0].payload, audits[0].stream_id, audits[0].version)
    assert (
        isinstance(audit, AccessRecord.Recorded) and audit.break_glass and audit.reason == reason["break_glass_reason"]
    )


async def test_a_deadline_on_a_case_is_its_follow_up_in_the_same_append(ctx, social_worker) -> None:
    _, case_id = await a_case(ctx, social_worker)
    outcome = await attach_document(
        ctx, social_worker, AttachTo(case_id=case_id), Sent(a_pdf(), deadline="2026-12-20"), max_bytes=MAX
    )
    case = await ctx.repository.get(Case, case_id)
    assert outcome.follow_up_id is not None
    follow_up = case.follow_ups[outcome.follow_up_id]
    assert (follow_up.due_on, follow_up.description) == (date(2026, 12, 20), "Décision du CPAS")


async def test_a_download_is_a_recorded_read_and_the_trainer_is_refused_unrecorded(
    ctx, runner, social_worker, trainer
) -> None:
    person_id, case_id = await a_case(ctx, social_worker)
    pdf = a_pdf()
    outcome = await attach_document(ctx, social_worker, AttachTo(case_id=case_id), Sent(pdf), max_bytes=MAX)
    await catch_up_all(runner)  # her caseload, which says she reads the person
    content = await document_content(ctx, social_worker, outcome.document_id, 1, case_id=case_id)
    assert b"".join([chunk async for chunk in content.chunks]) == pdf
    with pytest.raises(NotAuthorisedError):
        await document_content(ctx, trainer, outcome.document_id, 1, case_id=case_id)
    reads = []
    for recorded in await ctx.repository.store.read_subject(person_id):
        event = ctx.repository.codec.decode(recorded.topic, recorded.payload, recorded.stream_id, recorded.version)
        if isinstance(event, AccessRecord.Recorded) and event.view == "document":
            reads.append(event.staff_id)
    assert reads == [social_worker.staff_id]


async def test_retention_counts_documents_with_their_category(ctx, clock, social_worker, helper, dpo) -> None:
    person_id, case_id = await a_case(ctx, social_worker)
    await attach_document(ctx, social_worker, AttachTo(case_id=case_id), Sent(a_pdf()), max_bytes=MAX)
    await attach_document(
        ctx, helper, AttachTo(person_id=person_id), Sent(a_pdf(), kind="identity_document"), max_bytes=MAX
    )
    await close_case(ctx, social_worker, CloseCase(case_id, outcome=CaseOutcome.RESOLVED))
    clock.advance(days=366 * 2)  # past the identity-only period: the social-legal paper keeps her
    assert [d.person_id for d in await people_due(ctx, POLICY, clock().date())] == []
    clock.advance(days=366 * 4)
    [due] = await people_due(ctx, POLICY, clock().date())
    assert due.person_id == person_id and due.kept_for == str(Category.SOCIAL_LEGAL)
    assert due.documents == {"social_legal": 1, "identity": 1}


async def test_two_new_versions_at_once_one_is_refused_and_the_others_file_is_kept(ctx, runner, social_worker) -> None:
    _, case_id = await a_case(ctx, social_worker)
    first = await attach_document(ctx, social_worker, AttachTo(case_id=case_id), Sent(a_pdf()), max_bytes=MAX)
    to = AttachTo(case_id=case_id, document_id=first.document_id)
    stored, release = asyncio.Event(), asyncio.Event()
    second_scan = a_pdf("Deuxième scan du même courrier")
    holding = asyncio.create_task(
        attach_document(ctx, social_worker, to, HeldOnceStored(second_scan, stored, release), max_bytes=MAX)
    )
    await stored.wait()  # version 2 is stored, its event not yet appended

    with pytest.raises(ConcurrencyError):
        await attach_document(ctx, social_worker, to, Sent(a_pdf("Troisième scan")), max_bytes=MAX)
    release.set()

    assert (await holding).version == 2
    await catch_up_all(runner)
    content = await document_content(ctx, social_worker, first.document_id, 2, case_id=case_id)
    assert b"".join([chunk async for chunk in content.chunks]) == second_scan
