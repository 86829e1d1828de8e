"""Who answers a referral (``may_answer``): only its addressee, or a member of the service it was sent to."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from domain.consent import Body, ConsentRecord, Evidence, Purpose
from domain.errors import InvalidValueError
from domain.organisations import OrganisationKind
from domain.referral import Referral, ReferralSource, may_answer

AT = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
HELPER, SOPHIE, KARIM, PERSON = uuid4(), uuid4(), uuid4(), uuid4()


def _to_the_service(by=HELPER, to=None) -> Referral:
    return Referral.make_internal(
        uuid4(), PERSON, ReferralSource.OFFICE_HOURS, "lettre du CPAS", AT, by, to_social_worker_id=to
    )


def _to_the_cpas(by=SOPHIE) -> Referral:
    consents = ConsentRecord.open(PERSON, AT, by)
    consents.give(Purpose.EXTERNAL_REFERRAL, Evidence.ORAL, AT, by, body=Body(OrganisationKind.CPAS, "CPAS de Liège"))
    return Referral.make_external(
        uuid4(), PERSON, OrganisationKind.CPAS, "CPAS de Liège", "aide sociale", consents, AT, by
    )


def test_any_member_of_the_social_legal_service_answers_a_referral_to_the_service() -> None:
    referral = _to_the_service()
    assert may_answer(referral, SOPHIE, in_social_legal_service=True, follows_its_case=False)
    assert may_answer(referral, KARIM, in_social_legal_service=True, follows_its_case=False)
    assert not may_answer(referral, uuid4(), in_social_legal_service=False, follows_its_case=False)


def test_a_referral_named_to_a_colleague_is_hers_alone_to_answer() -> None:
    referral = _to_the_service(to=SOPHIE)
    assert may_answer(referral, SOPHIE, in_social_legal_service=True, follows_its_case=False)
    assert not may_answer(referral, KARIM, in_social_legal_service=True, follows_its_case=False)


def test_nobody_answers_as_the_addressee_of_their_own_internal_referral() -> None:
    referral = _to_the_service(by=SOPHIE)
    assert not may_answer(referral, SOPHIE, in_social_legal_service=True, follows_its_case=False)
    with pytest.raises(InvalidValueError):
        _to_the_service(by=SOPHIE, to=SOPHIE)


def test_an_outside_bodys_answer_is_recorded_by_who_referred_or_follows_the_case_never_by_anyone_else() -> None:
    referral = _to_the_cpas()
    assert referral.made_by == SOPHIE and referral.reason == "aide sociale"
    assert may_answer(referral, SOPHIE, in_social_legal_service=True, follows_its_case=False)
    assert may_answer(referral, KARIM, in_social_legal_service=True, follows_its_case=True)  # the case is his now
    assert not may_answer(referral, KARIM, in_social_legal_service=True, follows_its_case=False)
