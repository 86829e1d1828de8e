"""A command retried with its idempotency key answers the first result and writes nothing."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.case import Case, CaseDomain
from service.application.case_notes import AddNote, add_note
from service.application.cases import OpenCase, open_case
from service.application.people import RegisterPerson, register_person
from service.storage.eventstore.records import IdempotencyKeyReusedError
from tests.application.support import count_events, details


async def test_retried_registration_returns_the_first_result_and_writes_nothing(ctx, runtime, helper):
    command = RegisterPerson(details("Fatou", "Ndiaye", "+32 485 00 11 22"))
    first = await register_person(ctx, helper, command, idempotency_key="register-1")
    events = await count_events(runtime)

    again = await register_person(ctx, helper, command, idempotency_key="register-1")

    assert again == first
    assert await count_events(runtime) == events
    # No second file number was taken either.
    other = await register_person(ctx, helper, RegisterPerson(details("Other", "Person")))
    assert int(other.file_number[-5:]) == int(first.file_number[-5:]) + 1


async def test_retried_note_returns_the_first_versions(ctx, runtime, social_worker):
    person = await register_person(ctx, social_worker, RegisterPerson(details("Fatou", "Ndiaye")))
    case_id = (
        await open_case(ctx, social_worker, OpenCase(person.person_id, CaseDomain.HEALTH, social_worker.staff_id, "GP"))
    ).case_id
    note = AddNote(case_id, note_id=uuid4(), text="appointment booked")
    first = await add_note(ctx, social_worker, note, idempotency_key="note-1")
    await add_note(ctx, social_worker, AddNote(case_id, note_id=uuid4(), text="second note"))
    events = await count_events(runtime)

    again = await add_note(ctx, social_worker, note, idempotency_key="note-1")

    assert again == first
    assert again.versions[case_id] == 2
    assert await count_events(runtime) == events
    assert len((await ctx.repository.get(Case, case_id)).notes) == 2


async def test_same_key_for_a_different_command_is_refused(ctx, runtime, helper):
    await register_person(ctx, helper, RegisterPerson(details("Fatou", "Ndiaye")), idempotency_key="k")
    events = await count_events(runtime)
    with pytest.raises(IdempotencyKeyReusedError):
        await register_person(ctx, helper, RegisterPerson(details("Awa", "Ndiaye")), idempotency_key="k")
    assert await count_events(runtime) == events


async def test_file_numbers_count_up_per_year(ctx, clock, helper):
    first = await register_person(ctx, helper, RegisterPerson(details("A", "B")))
    second = await register_person(ctx, helper, RegisterPerson(details("C", "D")))
    clock.advance(days=365)
    next_year = await register_person(ctx, helper, RegisterPerson(details("E", "F")))
    assert (first.file_number, second.file_number, next_year.file_number) == ("2026-00001", "2026-00002", "2027-00001")
