"""Referrals in and out of a social worker's caseload: only the addressee answers one, her own are
never shown to her as incoming, and an incoming card says why, by whom and when."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.case import CaseDomain, CaseOutcome
from domain.consent import Body, Evidence, Purpose
from domain.organisations import OrganisationKind
from domain.policy import Role
from domain.referral import Referral, ReferralSource, ReferralStatus
from service.application.case_notes import SetFollowUp, set_follow_up
from service.application.cases import CloseCase, OpenCase, close_case, open_case
from service.application.consent import GiveConsent, give_consent
from service.application.context import Actor
from service.application.errors import NotAuthorisedError
from service.application.referral_answers import (
    DeclineReferral,
    RecordExternalAcceptance,
    decline_referral,
    record_external_acceptance,
)
from service.application.referrals import (
    AcceptReferral,
    MakeExternalReferral,
    MakeInternalReferral,
    NotTheAddresseeError,
    accept_referral,
    make_external_referral,
    make_internal_referral,
)
from service.application.views.caseload import caseload
from service.staff.accounts import StaffAccounts
from tests.application.support import register
from tests.conftest import catch_up_all

REASON = "Courrier du CPAS incompris, expulsion possible"


async def _account(ctx, clock, name: str, *roles: Role) -> Actor:
    member = await StaffAccounts(ctx.pool).create(name.lower(), name, "a long enough password 2026", roles, clock())
    return Actor(member.staff_id, frozenset(roles))


async def _referred_to_the_cpas(ctx, sophie: Actor) -> tuple[object, object]:
    person_id = await register(ctx, sophie, "Amina", "Diallo")
    case_id = (
        await open_case(ctx, sophie, OpenCase(person_id, CaseDomain.SOCIAL_BENEFITS, sophie.staff_id, "RIS"))
    ).case_id
    cpas = Body(OrganisationKind.CPAS, "CPAS de Liège")
    await give_consent(ctx, sophie, GiveConsent(person_id, Purpose.EXTERNAL_REFERRAL, Evidence.ORAL, cpas))
    referring = MakeExternalReferral(person_id, OrganisationKind.CPAS, "CPAS de Liège", REASON, case_id)
    return person_id, (await make_external_referral(ctx, sophie, referring)).referral_id


async def test_karim_with_no_link_may_not_decline_nor_accept_sophies_referral(
    ctx, social_worker, other_social_worker
) -> None:
    _, referral_id = await _referred_to_the_cpas(ctx, social_worker)

    with pytest.raises(NotTheAddresseeError) as refused:
        await decline_referral(ctx, other_social_worker, DeclineReferral(referral_id, "pas pour nous"))
    assert isinstance(refused.value, NotAuthorisedError)  # 403 in the API
    with pytest.raises(NotTheAddresseeError):
        await record_external_acceptance(ctx, other_social_worker, RecordExternalAcceptance(referral_id))

    await decline_referral(ctx, social_worker, DeclineReferral(referral_id, "le CPAS a refusé"))
    assert (await ctx.repository.get(Referral, referral_id)).status is ReferralStatus.DECLINED


async def test_she_may_not_accept_as_addressee_a_referral_she_made_herself(ctx, helper) -> None:
    both = Actor(uuid4(), frozenset({Role.SOCIAL_WORKER, Role.OFFICE_HOURS_HELPER}))
    person_id = await register(ctx, helper, "Ivan", "Horvat")
    made = await make_internal_referral(ctx, both, MakeInternalReferral(person_id, ReferralSource.OFFICE_HOURS, "x"))

    with pytest.raises(NotTheAddresseeError):
        await accept_referral(ctx, both, AcceptReferral(made.referral_id, CaseDomain.WORK, both.staff_id, "emploi"))
    with pytest.raises(NotTheAddresseeError):
        await decline_referral(ctx, both, DeclineReferral(made.referral_id, "c'est moi"))


async def test_her_referral_to_the_cpas_is_shown_as_sent_never_as_incoming(ctx, runner, social_worker) -> None:
    _, referral_id = await _referred_to_the_cpas(ctx, social_worker)
    await catch_up_all(runner)

    load = await caseload(ctx, social_worker)

    assert load.referrals_waiting == []
    [sent] = load.referrals_sent
    assert (sent.referral_id, sent.person.given_name, sent.organisation_kind, sent.status) == (
        referral_id,
        "Amina",
        "cpas",
        "made",
    )
    assert sent.organisation_name == "CPAS de Liège"


async def test_an_incoming_referral_says_why_who_referred_and_when(ctx, clock, runner) -> None:
    ines = await _account(ctx, clock, "Inès Carvalho", Role.OFFICE_HOURS_HELPER)
    sophie = await _account(ctx, clock, "Sophie Lambert", Role.SOCIAL_WORKER)
    karim = await _account(ctx, clock, "Karim Haddad", Role.SOCIAL_WORKER)
    person_id = await register(ctx, ines, "Mariam", "Ouedraogo")
    to_the_service = MakeInternalReferral(person_id, ReferralSource.OFFICE_HOURS, REASON)
    await make_internal_referral(ctx, ines, to_the_service)
    named = MakeInternalReferral(
        person_id, ReferralSource.OFFICE_HOURS, "pour Karim", to_social_worker_id=karim.staff_id
    )
    for_karim = await make_internal_referral(ctx, ines, named)
    await catch_up_all(runner)

    [card] = (await caseload(ctx, sophie)).referrals_waiting
    assert (card.given_name, card.reason, card.referred_by, card.made_at) == (
        "Mariam",
        REASON,
        "Inès Carvalho",
        clock(),
    )
    assert not card.addressed_to_me
    karims = {r.referral_id: r for r in (await caseload(ctx, karim)).referrals_waiting}
    assert len(karims) == 2 and karims[for_karim.referral_id].addressed_to_me
    with pytest.raises(NotTheAddresseeError):
        await decline_referral(ctx, sophie, DeclineReferral(for_karim.referral_id, "pas à moi"))


async def test_her_caseload_lists_pending_follow_ups_overdue_first_and_her_closed_cases(
    ctx, clock, runner, social_worker, helper
) -> None:
    first = await register(ctx, helper, "Giorgi", "Beridze")
    second = await register(ctx, helper, "Nour", "Haddad")
    case_of = {}
    for person_id in (first, second):
        opening = OpenCase(person_id, CaseDomain.HOUSING, social_worker.staff_id, "logement")
        case_of[person_id] = (await open_case(ctx, social_worker, opening)).case_id
    today = clock().date()
    later, overdue = uuid4(), uuid4()
    await set_follow_up(
        ctx,
        social_worker,
        SetFollowUp(
            case_of[first], follow_up_id=later, due_on=today.replace(day=20), description="Rappeler le propriétaire"
        ),
    )
    clock.advance(days=-10)
    await set_follow_up(
        ctx,
        social_worker,
        SetFollowUp(case_of[second], follow_up_id=overdue, due_on=clock().date(), description="Envoyer le recours"),
    )
    clock.advance(days=10)
    closed_person = await register(ctx, helper, "Paulo", "Santos")
    closed_case = (
        await open_case(ctx, social_worker, OpenCase(closed_person, CaseDomain.DEBT, social_worker.staff_id, "dettes"))
    ).case_id
    await close_case(ctx, social_worker, CloseCase(closed_case, outcome=CaseOutcome.RESOLVED))
    await catch_up_all(runner)

    load = await caseload(ctx, social_worker)

    assert [(f.follow_up_id, f.person.given_name, f.overdue) for f in load.follow_ups] == [
        (overdue, "Nour", True),
        (later, "Giorgi", False),
    ]
    assert load.follow_ups[0].description == "Envoyer le recours"
    assert [(c.case_id, c.person.family_name) for c in load.closed_cases] == [(closed_case, "Santos")]
    assert closed_case not in {c.case_id for c in load.cases}
