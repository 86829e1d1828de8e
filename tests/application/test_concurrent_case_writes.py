"""Two social workers writing to the same case at once."""

from __future__ import annotations

import asyncio
import dataclasses
from uuid import uuid4

import pytest

from domain.case import Case, CaseDomain, CaseOutcome
from domain.policy import Role
from service.application.case_notes import AddNote, add_note
from service.application.cases import CloseCase, OpenCase, ReassignCase, close_case, open_case, reassign_case
from service.application.errors import NotAuthorisedError
from service.storage.eventstore.records import ConcurrencyError
from tests.application.support import MeetBeforeSaving, register


async def opened_case(ctx, social_worker):
    person_id = await register(ctx, social_worker, "Yusuf", "Kaya")
    opened = await open_case(
        ctx, social_worker, OpenCase(person_id, CaseDomain.HOUSING, social_worker.staff_id, "eviction notice")
    )
    return opened.case_id


async def test_two_social_workers_adding_notes_at_once_lose_neither(ctx, social_worker, other_social_worker):
    case_id = await opened_case(ctx, social_worker)
    racing = dataclasses.replace(ctx, repository=MeetBeforeSaving(ctx.repository, parties=2))
    mine, theirs = uuid4(), uuid4()

    results = await asyncio.gather(
        add_note(racing, social_worker, AddNote(case_id, note_id=mine, text="called the landlord")),
        add_note(
            racing,
            other_social_worker,
            AddNote(case_id, "covering during leave", note_id=theirs, text="tenant came by"),
        ),
    )

    case = await ctx.repository.get(Case, case_id)
    assert {n.note_id for n in case.notes} == {mine, theirs}
    assert case.version == 3
    assert sorted(r.versions[case_id] for r in results) == [2, 3]
    assert [r.break_glass for r in results] == [False, True]


async def test_a_conflicting_command_that_is_not_safe_to_repeat_is_reported(ctx, social_worker, clock):
    case_id = await opened_case(ctx, social_worker)
    colleague = await ctx.accounts.create("colleague", "A Colleague", "a long password", [Role.SOCIAL_WORKER], clock())
    racing = dataclasses.replace(ctx, repository=MeetBeforeSaving(ctx.repository, parties=2))

    outcomes = await asyncio.gather(
        close_case(racing, social_worker, CloseCase(case_id, outcome=CaseOutcome.RESOLVED)),
        reassign_case(
            racing, social_worker, ReassignCase(case_id, social_worker_id=colleague.staff_id, reason="leave")
        ),
        return_exceptions=True,
    )

    conflicts = [o for o in outcomes if isinstance(o, ConcurrencyError)]
    assert len(conflicts) == 1
    assert len(outcomes) - len(conflicts) == 1
    case = await ctx.repository.get(Case, case_id)
    assert case.version == 2


async def test_a_note_without_break_glass_reason_outside_the_caseload_is_refused(
    ctx, social_worker, other_social_worker
):
    case_id = await opened_case(ctx, social_worker)
    with pytest.raises(NotAuthorisedError):
        await add_note(ctx, other_social_worker, AddNote(case_id, note_id=uuid4(), text="not my case"))
