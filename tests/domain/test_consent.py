from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from domain.base import Category
from domain.consent import (
    Body,
    ConsentMissingError,
    ConsentRecord,
    Evidence,
    Purpose,
    consent_record_id,
)
from domain.errors import InvalidValueError
from domain.organisations import OrganisationKind

STAFF = uuid4()
SHARE = Purpose.SHARE_TRAINING_WITH_SOCIAL_LEGAL


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


def record() -> ConsentRecord:
    return ConsentRecord.open(uuid4(), at(date(2026, 1, 5)), STAFF)


def replay(consents: ConsentRecord) -> ConsentRecord:
    copy = None
    for event in consents.collect_events():
        copy = event.mutate(copy)
    assert isinstance(copy, ConsentRecord)
    return copy


def test_consent_record_id_is_derived_from_the_person() -> None:
    person_id = uuid4()
    consents = ConsentRecord.open(person_id, at(date(2026, 1, 5)), STAFF)
    assert consents.id == consent_record_id(person_id)
    assert consents.subject_of(consents.collect_events()[0]) == person_id
    assert consents.CATEGORY is Category.CONSENT


def test_consent_answerable_for_past_date_after_withdrawal() -> None:
    consents = record()
    consents.give(SHARE, Evidence.SIGNED_FORM, at(date(2026, 2, 1)), STAFF)
    consents.withdraw(SHARE, at(date(2026, 3, 1)), STAFF)
    consents = replay(consents)
    assert not consents.allows(SHARE, date(2026, 1, 31))
    assert consents.allows(SHARE, date(2026, 2, 1))
    assert consents.allows(SHARE, date(2026, 2, 28))
    assert not consents.allows(SHARE, date(2026, 3, 1))


def test_consent_holds_until_its_expiry_date_inclusive() -> None:
    consents = record()
    consents.give(
        Purpose.CONTACT_SMS,
        Evidence.ORAL,
        at(date(2026, 2, 1)),
        STAFF,
        valid_until=date(2026, 6, 30),
    )
    assert consents.allows(Purpose.CONTACT_SMS, date(2026, 6, 30))
    assert not consents.allows(Purpose.CONTACT_SMS, date(2026, 7, 1))


def test_lapsed_consents_are_marked_expired() -> None:
    consents = record()
    consents.give(
        Purpose.CONTACT_EMAIL,
        Evidence.ELECTRONIC,
        at(date(2026, 2, 1)),
        STAFF,
        valid_until=date(2026, 2, 28),
    )
    consents.collect_events()
    consents.expire_lapsed(at(date(2026, 3, 5)))
    (expired,) = consents.collect_events()
    assert isinstance(expired, ConsentRecord.Expired)
    assert expired.expired_on == date(2026, 3, 1)
    consents.expire_lapsed(at(date(2026, 3, 6)))
    assert consents.collect_events() == []


def test_each_purpose_is_separate() -> None:
    consents = record()
    consents.give(SHARE, Evidence.SIGNED_FORM, at(date(2026, 2, 1)), STAFF)
    assert not consents.allows(Purpose.SHARE_OFFICE_HOURS_WITH_TRAINERS, date(2026, 2, 2))


def test_decision_names_the_consent_it_relied_on() -> None:
    consents = record()
    version = consents.give(SHARE, Evidence.SIGNED_FORM, at(date(2026, 2, 1)), STAFF)
    basis = consents.require(SHARE, date(2026, 2, 2))
    assert (basis.consent_record_id, basis.given_version) == (consents.id, version)
    assert isinstance(consents.pending_events[version - 1], ConsentRecord.Given)


def test_regiving_consent_after_withdrawal_relies_on_the_new_grant() -> None:
    consents = record()
    consents.give(SHARE, Evidence.ORAL, at(date(2026, 2, 1)), STAFF)
    consents.withdraw(SHARE, at(date(2026, 2, 10)), STAFF)
    second = consents.give(SHARE, Evidence.SIGNED_FORM, at(date(2026, 3, 1)), STAFF)
    assert not consents.allows(SHARE, date(2026, 2, 20))
    assert consents.require(SHARE, date(2026, 3, 2)).given_version == second


def test_missing_consent_raises_a_clear_error() -> None:
    with pytest.raises(ConsentMissingError):
        record().require(SHARE, date(2026, 2, 2))
    with pytest.raises(ConsentMissingError):
        record().withdraw(SHARE, at(date(2026, 2, 2)), STAFF)


def test_external_referral_consent_names_the_body() -> None:
    consents = record()
    cpas = Body(OrganisationKind.CPAS, "CPAS de Liège")
    consents.give(
        Purpose.EXTERNAL_REFERRAL,
        Evidence.SIGNED_FORM,
        at(date(2026, 2, 1)),
        STAFF,
        body=cpas,
    )
    on = date(2026, 2, 2)
    purpose = Purpose.EXTERNAL_REFERRAL
    assert consents.allows(purpose, on, OrganisationKind.CPAS, "cpas de  liège")
    assert not consents.allows(purpose, on, OrganisationKind.CPAS, "CPAS de Seraing")
    assert not consents.allows(purpose, on, OrganisationKind.FOREM, "Forem Liège")
    with pytest.raises(InvalidValueError):
        consents.allows(purpose, on)


def test_body_is_named_for_external_referrals_only() -> None:
    consents = record()
    when = at(date(2026, 2, 1))
    with pytest.raises(InvalidValueError):
        consents.give(Purpose.EXTERNAL_REFERRAL, Evidence.ORAL, when, STAFF)
    with pytest.raises(InvalidValueError):
        consents.give(SHARE, Evidence.ORAL, when, STAFF, body=Body(OrganisationKind.LAWYER))
