"""Referrals are answered: declined by the intake, accepted and completed by an outside body, withdrawn."""

from __future__ import annotations

import pytest

from domain.case import CaseDomain
from domain.consent import Body, Evidence, Purpose
from domain.organisations import OrganisationKind
from domain.referral import Referral, ReferralSource, ReferralStateError, ReferralStatus
from service.application.cases import OpenCase, open_case
from service.application.consent import GiveConsent, give_consent
from service.application.errors import NotAuthorisedError
from service.application.referral_answers import (
    CompleteReferral,
    DeclineReferral,
    RecordExternalAcceptance,
    WithdrawReferral,
    complete_referral,
    decline_referral,
    record_external_acceptance,
    withdraw_referral,
)
from service.application.referrals import (
    MakeExternalReferral,
    MakeInternalReferral,
    make_external_referral,
    make_internal_referral,
)
from tests.application.support import register


async def test_social_legal_intake_declines_an_internal_referral_and_the_helper_withdraws_another(
    ctx, helper, social_worker
):
    person_id = await register(ctx, helper, "Ivan", "Horvat")
    first = await make_internal_referral(ctx, helper, MakeInternalReferral(person_id, ReferralSource.OFFICE_HOURS, "a"))
    second = await make_internal_referral(
        ctx, helper, MakeInternalReferral(person_id, ReferralSource.OFFICE_HOURS, "b")
    )

    with pytest.raises(NotAuthorisedError):
        await decline_referral(ctx, helper, DeclineReferral(first.referral_id, "not ours"))
    await decline_referral(ctx, social_worker, DeclineReferral(first.referral_id, "handled by the CPAS already"))
    await withdraw_referral(ctx, helper, WithdrawReferral(second.referral_id, "person solved it"))

    assert (await ctx.repository.get(Referral, first.referral_id)).status is ReferralStatus.DECLINED
    assert (await ctx.repository.get(Referral, second.referral_id)).status is ReferralStatus.WITHDRAWN
    with pytest.raises(ReferralStateError):
        await withdraw_referral(ctx, helper, WithdrawReferral(first.referral_id, "too late"))


async def test_outside_body_accepts_and_the_referral_is_completed_by_the_caseworker(
    ctx, social_worker, other_social_worker
):
    person_id = await register(ctx, social_worker, "Ivan", "Horvat")
    case_id = (
        await open_case(ctx, social_worker, OpenCase(person_id, CaseDomain.WORK, social_worker.staff_id, "job"))
    ).case_id
    await give_consent(
        ctx,
        social_worker,
        GiveConsent(person_id, Purpose.EXTERNAL_REFERRAL, Evidence.SIGNED_FORM, Body(OrganisationKind.FOREM)),
    )
    made = await make_external_referral(
        ctx, social_worker, MakeExternalReferral(person_id, OrganisationKind.FOREM, "Forem Liège", "training", case_id)
    )

    await record_external_acceptance(ctx, social_worker, RecordExternalAcceptance(made.referral_id))
    with pytest.raises(NotAuthorisedError):
        await complete_referral(ctx, other_social_worker, CompleteReferral(made.referral_id, "not mine"))
    await complete_referral(ctx, social_worker, CompleteReferral(made.referral_id, "enrolled in a course"))

    assert (await ctx.repository.get(Referral, made.referral_id)).status is ReferralStatus.COMPLETED
