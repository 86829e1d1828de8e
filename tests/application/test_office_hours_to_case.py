"""An office-hours visit that ends in a referral, taken in by the social-legal service."""

from __future__ import annotations

from datetime import date

import pytest

from domain.case import Case, CaseDomain
from domain.office_hours import RequestCategory, UnknownSiteError, Visit
from domain.referral import Referral, ReferralStatus
from service.application.office_hours import (
    CallVisitor,
    CheckIn,
    RecordHelp,
    ReferVisit,
    call_visitor,
    check_in,
    own_site,
    record_help,
    refer_visit,
)
from service.application.referrals import AcceptReferral, accept_referral
from service.application.views.visit import office_hours_visit
from tests.application.support import register


async def test_visit_ends_in_referral_that_opens_a_case_in_one_append(ctx, runtime, helper, social_worker):
    person_id = await register(ctx, helper, "Amina", "Diallo", "+32 470 12 34 56")
    visit_id = (await check_in(ctx, helper, CheckIn(person_id, date(2026, 9, 1), "Liège centre"))).visit_id
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


async def test_a_helper_refers_during_the_visit_and_records_the_help_afterwards(ctx, helper) -> None:
    person_id = await register(ctx, helper, "Moussa", "Keita")
    visit_id = (await check_in(ctx, helper, CheckIn(person_id, date(2026, 9, 1), "Liège centre"))).visit_id
    await call_visitor(ctx, helper, CallVisitor(visit_id))
    referred = await refer_visit(ctx, helper, ReferVisit(visit_id, "loyer impayé, menace d'expulsion"))
    assert referred.referral_id is not None
    await record_help(ctx, helper, RecordHelp(visit_id, RequestCategory.WRITING, "lettre", "lettre écrite", 20))
    visit = await ctx.repository.get(Visit, visit_id)
    assert visit.referral_id == referred.referral_id and visit.help is not None


async def test_a_site_outside_the_centres_list_is_refused_naming_the_site(ctx, helper) -> None:
    person_id = await register(ctx, helper, "Awa", "Koné")
    with pytest.raises(UnknownSiteError) as refused:
        await check_in(ctx, helper, CheckIn(person_id, date(2026, 9, 1), "Liege centre"))
    assert refused.value.field == "site"


async def test_the_visit_view_names_the_person_and_is_recorded_as_an_access(ctx, helper) -> None:
    person_id = await register(ctx, helper, "Mariam", "Ouedraogo")
    visit_id = (await check_in(ctx, helper, CheckIn(person_id, date(2026, 9, 1), "Seraing"))).visit_id
    shown = await office_hours_visit(ctx, helper, visit_id)
    assert (shown.given_name, shown.family_name, shown.site, shown.status) == (
        "Mariam",
        "Ouedraogo",
        "Seraing",
        "waiting",
    )
    assert shown.file_number and shown.in_progress and not shown.referred
    views = []
    for recorded in await ctx.repository.store.read_subject(person_id):
        if recorded.category == "access" and recorded.payload is not None:
            event = ctx.repository.codec.decode(recorded.topic, recorded.payload, recorded.stream_id, recorded.version)
            views.append(event.view)
    assert views == ["office_hours_visit"]


async def test_a_helper_works_at_their_own_site_or_the_main_one(ctx) -> None:
    assert own_site(ctx, "Seraing") == "Seraing"
    assert own_site(ctx, None) == own_site(ctx, "Liège") == "Liège centre"
