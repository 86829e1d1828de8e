"""A write outside one's caseload and its break-glass audit commit together, once, or not at all.

The audit (an ``AccessRecord`` flagged ``break_glass``, with the written reason) is added
to the command's own append (``service.application.cases.change_case``), so the store
holds both or neither: an interruption between deciding and committing loses both, and
an idempotent replay writes neither again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.access import AccessRecord
from domain.base import SuiviAggregate
from domain.case import Case, CaseDomain, CaseOutcome
from service.application.case_notes import AddNote, add_note
from service.application.cases import CloseCase, OpenCase, close_case, open_case
from service.application.context import Actor, ApplicationContext
from service.storage.eventstore.records import AppendResult, ConcurrencyError, RecordedEvent
from service.storage.repository import Repository
from tests.application.support import count_events, register

REASON = "covering for a colleague on leave"


async def a_case_of(ctx: ApplicationContext, social_worker: Actor) -> tuple[UUID, UUID]:
    person_id = await register(ctx, social_worker, "Yusuf", "Kaya")
    opening = OpenCase(person_id, CaseDomain.HOUSING, social_worker.staff_id, "eviction notice")
    return person_id, (await open_case(ctx, social_worker, opening)).case_id


async def break_glass_audits(ctx: ApplicationContext, person_id: UUID) -> list[tuple[RecordedEvent, Any]]:
    """Every break-glass access record about the person, read back from the store, with its event."""
    found = []
    for recorded in await ctx.repository.store.read_subject(person_id):
        if recorded.category != "access" or recorded.payload is None:
            continue
        event = ctx.repository.codec.decode(recorded.topic, recorded.payload, recorded.stream_id, recorded.version)
        if isinstance(event, AccessRecord.Recorded) and event.break_glass:
            found.append((recorded, event))
    return found


class InterruptedBeforeAppend(Repository):
    """Lets ``interloper`` write to the store after the command has decided and before it appends.

    What the command meant to append is kept, to show that the audit was part of it.
    """

    def __init__(self, repository: Repository, interloper: Callable[[], Awaitable[None]], times: int = 1) -> None:
        super().__init__(repository.store, repository.codec)
        self._interloper = interloper
        self._times = times
        self.attempted: list[tuple[SuiviAggregate, ...]] = []

    async def save(
        self,
        *aggregates: SuiviAggregate,
        actor_id: UUID | None,
        idempotency_key: str | None = None,
        fingerprint: bytes = b"",
        response: bytes = b"",
    ) -> AppendResult:
        self.attempted.append(aggregates)
        if self._times > 0:
            self._times -= 1
            await self._interloper()
        return await super().save(
            *aggregates,
            actor_id=actor_id,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            response=response,
        )


async def test_a_break_glass_note_and_its_audit_are_written_in_one_append(ctx, social_worker, other_social_worker):
    person_id, case_id = await a_case_of(ctx, social_worker)
    note_id = uuid4()

    outcome = await add_note(ctx, other_social_worker, AddNote(case_id, REASON, note_id=note_id, text="tenant came by"))

    assert outcome.break_glass
    case = await ctx.repository.get(Case, case_id)
    assert [n.note_id for n in case.notes] == [note_id]
    [(audit, recorded)] = await break_glass_audits(ctx, person_id)
    assert (recorded.staff_id, recorded.view, recorded.basis, recorded.reason) == (
        other_social_worker.staff_id,
        "case_note",
        "break_glass",
        REASON,
    )
    [note] = [e for e in await ctx.repository.store.read_stream(case_id) if e.topic.endswith("NoteAdded")]
    # One append is one INSERT statement: one transaction, adjacent positions, one timestamp and actor.
    assert audit.transaction_id == note.transaction_id
    assert abs(audit.position - note.position) == 1
    assert (audit.recorded_at, audit.actor_id) == (note.recorded_at, note.actor_id)
    assert outcome.versions == {case_id: note.version}


async def test_an_append_that_fails_stores_neither_the_change_nor_its_audit(
    ctx, runtime, social_worker, other_social_worker
):
    person_id, case_id = await a_case_of(ctx, social_worker)

    async def the_case_worker_writes_meanwhile() -> None:
        await add_note(ctx, social_worker, AddNote(case_id, note_id=uuid4(), text="called the landlord"))

    interrupted = InterruptedBeforeAppend(ctx.repository, the_case_worker_writes_meanwhile)
    racing = dataclasses.replace(ctx, repository=interrupted)
    before = await count_events(runtime) + 1  # the interloper's note

    with pytest.raises(ConcurrencyError):
        await close_case(racing, other_social_worker, CloseCase(case_id, REASON, outcome=CaseOutcome.RESOLVED))

    # The decision held both the closure and a break-glass audit of it ...
    [attempt] = interrupted.attempted
    closure, audit = attempt
    assert isinstance(closure, Case) and isinstance(audit, AccessRecord)
    # ... and the store kept neither: the audit's stream is new, only the one append keeps it out.
    assert await ctx.repository.store.read_stream(audit.id) == []
    assert await break_glass_audits(ctx, person_id) == []
    case = await ctx.repository.get(Case, case_id)
    assert case.version == 2 and not any(e.topic.endswith("Closed") for e in await runtime.store.read_stream(case_id))
    assert await count_events(runtime) == before


async def test_a_forced_version_conflict_stores_neither_the_closure_nor_an_audit(
    ctx, runtime, social_worker, other_social_worker
):
    person_id, case_id = await a_case_of(ctx, social_worker)
    before = await count_events(runtime)
    stale = dataclasses.replace(ctx, repository=ctx.repository.expecting({case_id: 7}))

    with pytest.raises(ConcurrencyError):
        await close_case(stale, other_social_worker, CloseCase(case_id, REASON, outcome=CaseOutcome.RESOLVED))

    assert await break_glass_audits(ctx, person_id) == []
    assert (await ctx.repository.get(Case, case_id)).version == 1
    assert await count_events(runtime) == before


async def test_a_note_retried_after_a_conflict_is_audited_once(ctx, social_worker, other_social_worker):
    person_id, case_id = await a_case_of(ctx, social_worker)

    async def the_case_worker_writes_meanwhile() -> None:
        await add_note(ctx, social_worker, AddNote(case_id, note_id=uuid4(), text="called the landlord"))

    interrupted = InterruptedBeforeAppend(ctx.repository, the_case_worker_writes_meanwhile)
    racing = dataclasses.replace(ctx, repository=interrupted)
    note_id = uuid4()

    outcome = await add_note(racing, other_social_worker, AddNote(case_id, REASON, note_id=note_id, text="came by"))

    assert len(interrupted.attempted) == 2  # the first append conflicted; the note commutes, so it was decided again
    assert outcome.break_glass and outcome.versions[case_id] == 3
    [(audit, _)] = await break_glass_audits(ctx, person_id)
    [note] = [e for e in await ctx.repository.store.read_stream(case_id) if e.version == 3]
    assert audit.transaction_id == note.transaction_id


async def test_an_idempotent_replay_writes_the_audit_only_once(ctx, runtime, social_worker, other_social_worker):
    person_id, case_id = await a_case_of(ctx, social_worker)
    note = AddNote(case_id, REASON, note_id=uuid4(), text="tenant came by")
    first = await add_note(ctx, other_social_worker, note, idempotency_key="break-glass-note-1")
    events = await count_events(runtime)

    again = await add_note(ctx, other_social_worker, note, idempotency_key="break-glass-note-1")

    assert again == first and again.break_glass
    assert await count_events(runtime) == events
    assert len(await break_glass_audits(ctx, person_id)) == 1
    assert len((await ctx.repository.get(Case, case_id)).notes) == 1


async def test_a_replayed_break_glass_closure_is_audited_once(ctx, runtime, social_worker, other_social_worker):
    person_id, case_id = await a_case_of(ctx, social_worker)
    closing = CloseCase(case_id, REASON, outcome=CaseOutcome.RESOLVED)
    first = await close_case(ctx, other_social_worker, closing, idempotency_key="break-glass-closure-1")
    events = await count_events(runtime)

    again = await close_case(ctx, other_social_worker, closing, idempotency_key="break-glass-closure-1")

    assert again == first and again.break_glass
    assert await count_events(runtime) == events
    [(_, recorded)] = await break_glass_audits(ctx, person_id)
    assert (recorded.view, recorded.reason) == ("case_closure", REASON)
