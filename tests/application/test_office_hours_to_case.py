"""An office-hours visit that ends in a referral, taken in by the social-legal service."""

from __future__ import annotations

from datetime import date

from domain.case import Case, CaseDomain
from domain.office_hours import RequestCategory, Visit
from domain.referral import Referral, ReferralStatus
from service.application.office_hours import (
    CallVisitor,
    CheckIn,
    RecordHelp,
    ReferVisit,
    call_visitor,
    check_in,
    record_help,
    refer_visit,
)
from service.application.referrals import AcceptReferral, accept_referral
from tests.application.support import register


async def test_visit_ends_in_referral_that_opens_a_case_in_one_append(ctx, runtime, helper, social_worker):
    person_id = await register(ctx, helper, "Amina", "Diallo", "+32 470 12 34 56")
    visit_id = (await check_in(ctx, helper, CheckIn(person_id, date(2026, 9, 1), "Liège"))).visit_id
    await call_visitor(ctx, helper, CallVisitor(visit_id))
    await record_help(
        ctx,
        helper,
        RecordHelp(visit_id, RequestCategory.ONLINE_PROCEDURE, "renew permit online", "filled the form together", 25),
    )
    referred = await refer_visit(ctx, helper, ReferVisit(visit_id, "residence permit expires next month"))
    assert referred.referral_id is not None
    assert set(referred.versions) == {visit_id, referred.referral_id}

    accepted = await accept_referral(
        ctx,
        social_worker,
        AcceptReferral(
            referred.referral_id, CaseDomain.RESIDENCE_IMMIGRATION, social_worker.staff_id, "permit renewal"
        ),
    )
    assert accepted.case_id is not None

    referral = await ctx.repository.get(Referral, referred.referral_id)
    case = await ctx.repository.get(Case, accepted.case_id)
    visit = await ctx.repository.get(Visit, visit_id)
    assert referral.status is ReferralStatus.ACCEPTED
    assert referral.case_id == case.id
    assert case.person_id == person_id
    assert case.referral_id == referral.id
    assert case.social_worker_id == social_worker.staff_id
    assert visit.referral_id == referral.id

    async with runtime.pool.acquire() as connection:
        transactions = await connection.fetch(
            """SELECT DISTINCT transaction_id FROM events
               WHERE (stream_id = $1 AND version = 2) OR (stream_id = $2 AND version = 1)""",
            referral.id,
            case.id,
        )
    assert len(transactions) == 1
