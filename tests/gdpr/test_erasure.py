"""Erasure: the dry run, legal holds, the DPO alone, crash safety and the 410 answer."""

from __future__ import annotations

import pytest

from domain.case import CaseDomain
from domain.person import LegalBasis, LegalHoldError, Person
from service.application.cases import OpenCase, open_case
from service.application.errors import NotAuthorisedError
from service.application.gdpr import LiftLegalHold, PlaceLegalHold, lift_legal_hold, place_legal_hold
from service.gdpr.erasure import ErasureRefusedError, erase, plan_erasure
from service.gdpr.export import export_person
from service.gdpr.receipts import receipt_for
from service.gdpr.restore import restore_check
from service.storage.erasures import PersonErasedGoneError, ensure_not_erased
from service.storage.repository import AggregateErasedError
from tests.application.support import register
from tests.conftest import catch_up_all


async def test_dry_run_lists_events_by_category_and_read_model_rows_and_changes_nothing(
    ctx, runtime, runner, social_worker, dpo
):
    person_id = await register(ctx, social_worker, "Olga", "Petrenko", "+32 470 11 22 33")
    await open_case(ctx, social_worker, OpenCase(person_id, CaseDomain.WORK, social_worker.staff_id, "job search"))
    await catch_up_all(runner)

    plan = await plan_erasure(ctx, dpo, person_id)

    assert plan.erasable and plan.key_to_destroy and not plan.already_erased
    assert plan.events_by_category["identity"] == 1 and plan.events_by_category["social_legal"] == 1
    assert plan.read_model_rows["directory"] >= 1 and plan.read_model_rows["caseload"] >= 1  # case, and who registered
    assert (await ctx.repository.get(Person, person_id)).details is not None


async def test_legal_hold_refuses_erasure_naming_the_hold_and_its_basis(ctx, social_worker, dpo, tools):
    person_id = await register(ctx, social_worker, "Olga", "Petrenko")
    hold = await place_legal_hold(ctx, dpo, PlaceLegalHold(person_id, LegalBasis.LEGAL_CLAIMS, "labour court appeal"))

    plan = await plan_erasure(ctx, dpo, person_id)
    assert not plan.erasable and [h.hold_id for h in plan.legal_holds] == [hold.hold_id]
    with pytest.raises(ErasureRefusedError, match=f"hold {hold.hold_id} under art_17_3_e_legal_claims") as refused:
        await erase(ctx, dpo, person_id, tools)
    assert isinstance(refused.value, LegalHoldError)
    assert await ctx.repository.get(Person, person_id)
    assert tools.ledger.read() == []

    await lift_legal_hold(ctx, dpo, LiftLegalHold(person_id, hold.hold_id))
    assert (await erase(ctx, dpo, person_id, tools)).person_id == person_id


async def test_only_the_dpo_erases_exports_or_plans(ctx, social_worker, tools):
    person_id = await register(ctx, social_worker, "Olga", "Petrenko")
    with pytest.raises(NotAuthorisedError):
        await erase(ctx, social_worker, person_id, tools)
    with pytest.raises(NotAuthorisedError):
        await export_person(ctx, social_worker, person_id)
    with pytest.raises(NotAuthorisedError):
        await plan_erasure(ctx, social_worker, person_id)


async def test_an_erasure_interrupted_after_the_key_is_destroyed_is_finished_by_restore_check(
    ctx, runtime, clock, social_worker, dpo, tools
):
    person_id = await register(ctx, social_worker, "Olga", "Petrenko")
    async with runtime.pool.acquire() as db, db.transaction():
        await runtime.keys.erase(person_id, clock(), db)  # the process stops here: no tombstone, no receipt
    with pytest.raises(PersonErasedGoneError) as gone:
        await ensure_not_erased(runtime.pool, person_id)
    assert gone.value.receipt_id is None

    report = await restore_check(ctx, tools)

    assert report.erasures_finished == 1 and report.file_entries_added == 1
    receipt = await receipt_for(runtime.pool, person_id)
    assert receipt is not None and receipt.events_made_unreadable == 2
    assert (await runtime.store.read_stream(person_id))[-1].topic.endswith("Person.Erased")
    assert await erase(ctx, dpo, person_id, tools) == receipt
    with pytest.raises(AggregateErasedError):
        await ctx.repository.get(Person, person_id)


async def test_erasure_purges_read_models_at_once_without_waiting_for_projections(
    ctx, runtime, runner, social_worker, dpo, tools
):
    person_id = await register(ctx, social_worker, "Olga", "Petrenko")
    other = await register(ctx, social_worker, "Ivan", "Sokolov")
    await catch_up_all(runner)

    receipt = await erase(ctx, dpo, person_id, tools)

    async with runtime.pool.acquire() as db:
        assert await db.fetchval("SELECT count(*) FROM rm_directory.people WHERE person_id = $1", person_id) == 0
        assert await db.fetchval("SELECT count(*) FROM rm_directory.tokens WHERE person_id = $1", person_id) == 0
        assert await db.fetchval("SELECT count(*) FROM rm_directory.people WHERE person_id = $1", other) == 1
        checkpoint = await db.fetchrow("SELECT position FROM log_checkpoints WHERE id = $1", receipt.checkpoint_id)
    assert checkpoint["position"] >= receipt.tombstone_position
    await catch_up_all(runner)  # the projections see the tombstone later; nothing breaks
