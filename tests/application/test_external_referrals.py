"""External referrals need the person's consent for that body on that date, or a written override."""

from __future__ import annotations

from datetime import date

import pytest

from domain.case import CaseDomain
from domain.consent import Body, Evidence, Purpose
from domain.organisations import OrganisationKind
from domain.referral import ExternalReferralRefusedError, Referral
from service.application.cases import OpenCase, open_case
from service.application.consent import GiveConsent, give_consent
from service.application.referrals import MakeExternalReferral, make_external_referral
from tests.application.support import count_events, register

CPAS = Body(OrganisationKind.CPAS, "CPAS de Liège")


async def test_external_referral_refused_without_consent_on_that_date(ctx, runtime, clock, social_worker):
    person_id = await register(ctx, social_worker, "Nadia", "Haddad")
    case_id = (
        await open_case(
            ctx, social_worker, OpenCase(person_id, CaseDomain.SOCIAL_BENEFITS, social_worker.staff_id, "RIS")
        )
    ).case_id
    refer = MakeExternalReferral(
        person_id, OrganisationKind.CPAS, "CPAS de Liège", "social integration income", case_id
    )

    before = await count_events(runtime)
    with pytest.raises(ExternalReferralRefusedError):
        await make_external_referral(ctx, social_worker, refer)
    assert await count_events(runtime) == before

    given = await give_consent(
        ctx,
        social_worker,
        GiveConsent(person_id, Purpose.EXTERNAL_REFERRAL, Evidence.SIGNED_FORM, CPAS, valid_until=date(2026, 9, 1)),
    )
    allowed = await make_external_referral(ctx, social_worker, refer)
    assert allowed.consent is not None
    assert allowed.consent.given_version == given.given_version

    clock.advance(days=2)  # the consent ended on 1 September
    with pytest.raises(ExternalReferralRefusedError):
        await make_external_referral(ctx, social_worker, refer)


async def test_external_referral_allowed_with_a_written_override_which_is_stored(ctx, social_worker):
    person_id = await register(ctx, social_worker, "Nadia", "Haddad")
    case_id = (
        await open_case(ctx, social_worker, OpenCase(person_id, CaseDomain.HOUSING, social_worker.staff_id, "eviction"))
    ).case_id
    override = "urgent: eviction tomorrow, person agreed orally, no interpreter available"

    made = await make_external_referral(
        ctx,
        social_worker,
        MakeExternalReferral(
            person_id,
            OrganisationKind.LAWYER,
            "Maître Dupont",
            "eviction hearing",
            case_id,
            override_reason=override,
        ),
    )

    referral = await ctx.repository.get(Referral, made.referral_id)
    assert made.consent is None
    assert referral.consent is None
    assert referral.consent_override_reason == override
