"""Restriction (Art. 18) blocks all but the DPO; a legal hold (Art. 17(3)) blocks erasure."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.case import CaseDomain
from domain.person import LegalBasis, LegalHoldError, Person, ProcessingRestrictedError
from service.application.case_notes import AddNote, add_note
from service.application.cases import OpenCase, open_case
from service.application.gdpr import (
    LiftLegalHold,
    LiftRestriction,
    PlaceLegalHold,
    RestrictProcessing,
    lift_legal_hold,
    lift_restriction,
    place_legal_hold,
    restrict_processing,
)
from service.application.people import CorrectDetails, correct_details
from service.gdpr.erasure import erase
from service.gdpr.tools import ErasureLedgerFile, ErasureSigner, ErasureTools
from service.storage.repository import AggregateErasedError
from tests.application.support import details, register


async def test_restriction_blocks_a_social_worker_but_not_the_dpo(ctx, social_worker, dpo):
    person_id = await register(ctx, social_worker, "Olga", "Petrenko")
    case_id = (
        await open_case(ctx, social_worker, OpenCase(person_id, CaseDomain.WORK, social_worker.staff_id, "job search"))
    ).case_id

    await restrict_processing(ctx, dpo, RestrictProcessing(person_id, "accuracy contested (Art. 18(1)(a))"))
    with pytest.raises(ProcessingRestrictedError):
        await add_note(ctx, social_worker, AddNote(case_id, note_id=uuid4(), text="follow-up call"))
    with pytest.raises(ProcessingRestrictedError):
        await correct_details(ctx, social_worker, CorrectDetails(person_id, details("Olha", "Petrenko"), "spelling"))

    await correct_details(ctx, dpo, CorrectDetails(person_id, details("Olha", "Petrenko"), "spelling, per passport"))
    person = await ctx.repository.get(Person, person_id)
    assert person.details is not None
    assert person.details.given_name == "Olha"

    await lift_restriction(ctx, dpo, LiftRestriction(person_id))
    await add_note(ctx, social_worker, AddNote(case_id, note_id=uuid4(), text="follow-up call"))


async def test_legal_hold_blocks_erasure_until_lifted(ctx, runtime, social_worker, dpo, master_key, tmp_path):
    tools = ErasureTools(ErasureSigner.from_master_key(master_key), ErasureLedgerFile(tmp_path / "ledger.jsonl"))
    person_id = await register(ctx, social_worker, "Olga", "Petrenko")
    hold = await place_legal_hold(
        ctx, dpo, PlaceLegalHold(person_id, LegalBasis.LEGAL_CLAIMS, "appeal pending before the labour court")
    )

    with pytest.raises(LegalHoldError):
        await erase(ctx, dpo, person_id, tools)
    assert await ctx.repository.get(Person, person_id)

    await lift_legal_hold(ctx, dpo, LiftLegalHold(person_id, hold.hold_id))
    await erase(ctx, dpo, person_id, tools)
    with pytest.raises(AggregateErasedError):
        await ctx.repository.get(Person, person_id)
    tombstone = (await runtime.store.read_stream(person_id))[-1]
    assert tombstone.topic.endswith("Person.Erased")
    assert tombstone.payload is not None  # non-personal: still readable, tells projections to forget
