"""Commands are authorised through the need-to-know policy before anything is read or written."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.case import CaseDomain
from domain.consent import Evidence, Purpose
from domain.policy import Scope
from domain.referral import ReferralSource
from service.application.case_notes import AddNote, add_note
from service.application.cases import OpenCase, open_case
from service.application.cohorts import ScheduleCohort, schedule_cohort
from service.application.consent import GiveConsent, give_consent
from service.application.errors import NotAuthorisedError
from service.application.gdpr import RestrictProcessing, restrict_processing
from service.application.office_hours import CheckIn, check_in
from service.application.people import RegisterPerson, register_person
from service.application.referrals import MakeInternalReferral, make_internal_referral
from tests.application.support import count_events, details, register


async def test_trainer_cannot_write_social_legal(ctx, runtime, trainer, social_worker):
    person_id = await register(ctx, social_worker, "Samir", "Benali")
    case_id = (
        await open_case(ctx, social_worker, OpenCase(person_id, CaseDomain.DEBT, social_worker.staff_id, "debts"))
    ).case_id
    before = await count_events(runtime)

    with pytest.raises(NotAuthorisedError) as refused:
        await add_note(ctx, trainer, AddNote(case_id, "curious", note_id=uuid4(), text="a note"))
    with pytest.raises(NotAuthorisedError):
        await open_case(ctx, trainer, OpenCase(person_id, CaseDomain.DEBT, trainer.staff_id, "debts"))
    with pytest.raises(NotAuthorisedError):
        await make_internal_referral(
            ctx, trainer, MakeInternalReferral(person_id, ReferralSource.TRAINING, "needs help with debts")
        )

    assert await count_events(runtime) == before
    assert "Benali" not in str(refused.value)
    assert str(person_id) not in str(refused.value)


async def test_admin_cannot_do_anything_with_personal_data(ctx, runtime, admin, social_worker):
    person_id = await register(ctx, social_worker, "Samir", "Benali")
    before = await count_events(runtime)
    refused = [
        register_person(ctx, admin, RegisterPerson(details("Someone", "Else"))),
        give_consent(ctx, admin, GiveConsent(person_id, Purpose.CONTACT_SMS, Evidence.ORAL)),
        check_in(ctx, admin, CheckIn(person_id, date(2026, 9, 1), "Liège")),
        open_case(ctx, admin, OpenCase(person_id, CaseDomain.OTHER, admin.staff_id, "anything")),
        restrict_processing(ctx, admin, RestrictProcessing(person_id, "why not")),
        schedule_cohort(ctx, admin, ScheduleCohort("DigiLab", "Liège", date(2026, 10, 1), date(2026, 10, 30))),
    ]
    for command in refused:
        with pytest.raises(NotAuthorisedError):
            await command
    assert await count_events(runtime) == before


async def test_helper_may_refer_out_but_not_take_a_case_in(ctx, helper):
    person_id = await register(ctx, helper, "Samir", "Benali")
    await make_internal_referral(ctx, helper, MakeInternalReferral(person_id, ReferralSource.OFFICE_HOURS, "housing"))
    with pytest.raises(NotAuthorisedError) as refused:
        await open_case(ctx, helper, OpenCase(person_id, CaseDomain.HOUSING, helper.staff_id, "housing"))
    assert refused.value.scope is Scope.INTAKE_ONLY
