"""Retention: who is due after each category's period, dry run and real run, legal holds reported."""

from __future__ import annotations

from datetime import date

from domain.case import CaseDomain
from domain.case_values import CaseOutcome
from domain.person import LegalBasis
from service.application.cases import CloseCase, OpenCase, close_case, open_case
from service.application.gdpr import PlaceLegalHold, place_legal_hold
from service.application.office_hours import CheckIn, check_in
from service.gdpr.receipts import receipt_for
from service.gdpr.retention import RetentionPolicy, run_retention
from tests.application.support import register

POLICY = RetentionPolicy(social_legal_years=5, training_years=3, office_hours_years=2, identity_only_years=1)


async def test_retention_lists_then_erases_the_people_past_their_period_and_reports_legal_holds(
    ctx, runtime, clock, tools, helper, social_worker, dpo
):
    identity_only = await register(ctx, helper, "Anna", "Only")
    visitor = await register(ctx, helper, "Bela", "Visitor")
    await check_in(ctx, helper, CheckIn(visitor, date(2026, 9, 1), "Liège centre"))
    open_case_person = await register(ctx, social_worker, "Chen", "Open")
    await open_case(ctx, social_worker, OpenCase(open_case_person, CaseDomain.DEBT, social_worker.staff_id, "debt"))
    closed_case_person = await register(ctx, social_worker, "Dora", "Closed")
    case_id = (
        await open_case(ctx, social_worker, OpenCase(closed_case_person, CaseDomain.WORK, social_worker.staff_id, "cv"))
    ).case_id
    await close_case(ctx, social_worker, CloseCase(case_id, outcome=CaseOutcome.RESOLVED))
    held = await register(ctx, helper, "Emil", "Held")
    hold = await place_legal_hold(ctx, dpo, PlaceLegalHold(held, LegalBasis.LEGAL_OBLIGATION, "tax inspection"))

    clock.advance(days=366)
    dry = await run_retention(ctx, dpo, tools, POLICY, dry_run=True)
    assert {d.person_id for d in dry.due} == {identity_only, held}
    assert [(h.person_id, [x.hold_id for x in h.legal_holds]) for h in dry.held] == [(held, [hold.hold_id])]
    assert dry.erased == [] and await receipt_for(runtime.pool, identity_only) is None

    clock.advance(days=4 * 365 + 2)  # five years and a few days after everything
    run = await run_retention(ctx, dpo, tools, POLICY, dry_run=False)

    assert set(run.erased) == {identity_only, visitor, closed_case_person}
    assert [h.person_id for h in run.held] == [held]
    for person_id in run.erased:
        assert await receipt_for(runtime.pool, person_id) is not None
    assert await receipt_for(runtime.pool, open_case_person) is None
    again = await run_retention(ctx, dpo, tools, POLICY, dry_run=True)
    assert {d.person_id for d in again.due} == {held}
