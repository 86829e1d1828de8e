from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from domain.base import Category
from domain.case import CaseDomain
from domain.consent import Body, ConsentRecord, Evidence, Purpose
from domain.errors import InvalidValueError
from domain.office_hours import (
    AlreadyReferredError,
    Help,
    RequestCategory,
    UnknownSiteError,
    Visit,
    VisitStateError,
    VisitStatus,
    known_site,
    queue,
)
from domain.organisations import OrganisationKind
from domain.referral import (
    ExternalReferralRefusedError,
    Referral,
    ReferralSource,
    ReferralStateError,
    ReferralStatus,
)
from domain.workflows import accept_into_case, refer_visit

HELPER = uuid4()
WORKER = uuid4()
SESSION = date(2026, 3, 3)
AT = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
HELP = Help(
    RequestCategory.ONLINE_PROCEDURE,
    "Renew unemployment registration online",
    "Showed the Forem website and filled the form together",
    25,
    HELPER,
    follow_up_needed=True,
)


def visit(minutes_after: int = 0) -> Visit:
    when = AT + timedelta(minutes=minutes_after)
    return Visit.check_in(uuid4(), uuid4(), SESSION, "Liège", when, HELPER)


def test_visit_goes_from_check_in_to_call_to_help() -> None:
    v = visit()
    v.call(HELPER, AT)
    v.record_help(HELP, AT + timedelta(minutes=30))
    assert v.help == HELP
    types = [type(e) for e in v.collect_events()]
    assert types == [Visit.CheckedIn, Visit.Called, Visit.Helped]


def test_visit_events_are_office_hours_data_about_the_person() -> None:
    v = visit()
    (event,) = v.collect_events()
    assert v.subject_of(event) == v.person_id
    assert v.category_of(event) is Category.OFFICE_HOURS


def test_queue_is_first_come_first_served_and_skips_called_visits() -> None:
    late, early, called = visit(10), visit(0), visit(5)
    called.call(HELPER, AT)
    assert queue([late, early, called], SESSION, "Liège") == [early, late]


def test_help_cannot_be_recorded_twice() -> None:
    v = visit()
    v.record_help(HELP, AT)
    with pytest.raises(VisitStateError):
        v.record_help(HELP, AT)


def test_help_needs_a_short_description_and_sane_minutes() -> None:
    import msgspec

    with pytest.raises(InvalidValueError):
        visit().record_help(msgspec.structs.replace(HELP, description="x" * 300), AT)
    with pytest.raises(InvalidValueError):
        visit().record_help(msgspec.structs.replace(HELP, minutes=-1), AT)


def test_visit_ends_in_referral_to_social_legal_which_opens_a_case() -> None:
    v = visit()
    v.record_help(HELP, AT)
    referral = refer_visit(v, uuid4(), "eviction letter received", AT, HELPER)
    assert v.referral_id == referral.id
    assert referral.source is ReferralSource.OFFICE_HOURS
    assert referral.source_id == v.id
    assert not referral.is_external
    case = accept_into_case(referral, uuid4(), CaseDomain.HOUSING, WORKER, "eviction", AT, WORKER)
    assert referral.status is ReferralStatus.ACCEPTED
    assert referral.case_id == case.id
    assert case.referral_id == referral.id
    assert case.person_id == v.person_id


def test_visit_is_referred_only_once_and_only_once_the_person_is_seen() -> None:
    v = visit()
    with pytest.raises(VisitStateError):
        refer_visit(v, uuid4(), "x", AT, HELPER)  # still waiting: nobody has seen them yet
    v.record_help(HELP, AT)
    refer_visit(v, uuid4(), "housing", AT, HELPER)
    with pytest.raises(AlreadyReferredError):
        refer_visit(v, uuid4(), "housing", AT, HELPER)


def test_a_helper_refers_during_the_visit_and_records_the_help_afterwards() -> None:
    v = visit()
    v.call(HELPER, AT)
    referral = refer_visit(v, uuid4(), "eviction letter received", AT, HELPER)
    assert v.referral_id == referral.id and v.status is VisitStatus.CALLED
    v.record_help(HELP, AT + timedelta(minutes=20))
    assert v.status is VisitStatus.HELPED and v.referral_id == referral.id


def test_office_hours_are_held_at_the_centres_sites_only() -> None:
    sites = ("Liège centre", "Seraing")
    assert known_site("Seraing", sites) == "Seraing"
    for typed in ("Liege centre", "Liège", ""):
        with pytest.raises(UnknownSiteError) as refused:
            known_site(typed, sites)
        assert refused.value.field == "site"


def consents_for(person_id: object, given_on: date) -> ConsentRecord:
    assert isinstance(person_id, type(uuid4()))
    consents = ConsentRecord.open(person_id, AT, WORKER)
    consents.give(
        Purpose.EXTERNAL_REFERRAL,
        Evidence.SIGNED_FORM,
        datetime(given_on.year, given_on.month, given_on.day, 9, tzinfo=UTC),
        WORKER,
        body=Body(OrganisationKind.CPAS, "CPAS de Liège"),
    )
    return consents


def external(consents: ConsentRecord, at: datetime, **kwargs: str) -> Referral:
    assert consents.person_id is not None
    return Referral.make_external(
        uuid4(),
        consents.person_id,
        OrganisationKind.CPAS,
        "CPAS de Liège",
        "housing allowance",
        consents,
        at,
        WORKER,
        **kwargs,  # type: ignore[arg-type]
    )


def test_external_referral_refused_without_consent_on_that_date() -> None:
    consents = consents_for(uuid4(), date(2026, 3, 10))
    with pytest.raises(ExternalReferralRefusedError):
        external(consents, AT)  # a week before consent was given
    consents.withdraw(Purpose.EXTERNAL_REFERRAL, datetime(2026, 4, 1, tzinfo=UTC), WORKER)
    with pytest.raises(ExternalReferralRefusedError):
        external(consents, datetime(2026, 4, 2, tzinfo=UTC))


def test_external_referral_records_the_consent_it_relied_on() -> None:
    consents = consents_for(uuid4(), date(2026, 3, 1))
    referral = external(consents, AT)
    assert referral.consent is not None
    assert referral.consent.consent_record_id == consents.id
    assert referral.consent.given_version == 2
    assert referral.consent_override_reason is None


def test_external_referral_override_stores_written_reason() -> None:
    consents = consents_for(uuid4(), date(2026, 3, 10))
    with pytest.raises(ExternalReferralRefusedError):
        external(consents, AT, override_reason="   ")
    referral = external(consents, AT, override_reason="court deadline tomorrow")
    (made,) = referral.collect_events()
    assert isinstance(made, Referral.Made)
    assert made.consent is None
    assert made.consent_override_reason == "court deadline tomorrow"


def test_external_referral_checks_the_consent_of_the_same_person() -> None:
    consents = consents_for(uuid4(), date(2026, 3, 1))
    with pytest.raises(InvalidValueError):
        Referral.make_external(
            uuid4(),
            uuid4(),
            OrganisationKind.CPAS,
            "CPAS de Liège",
            "x",
            consents,
            AT,
            WORKER,
        )


def test_referral_states_made_accepted_completed() -> None:
    referral = Referral.make_internal(uuid4(), uuid4(), ReferralSource.TRAINING, "debt worries", AT, HELPER)
    with pytest.raises(ReferralStateError):
        referral.complete("done", AT, WORKER)
    referral.accept(AT, WORKER)
    referral.complete("debt plan agreed", AT, WORKER)
    assert referral.status is ReferralStatus.COMPLETED
    with pytest.raises(ReferralStateError):
        referral.withdraw("x", AT, WORKER)


def test_declining_a_referral_needs_a_reason() -> None:
    referral = Referral.make_internal(uuid4(), uuid4(), ReferralSource.OFFICE_HOURS, "question", AT, HELPER)
    with pytest.raises(InvalidValueError):
        referral.decline("", AT, WORKER)
    referral.decline("not within our remit", AT, WORKER)
    assert referral.status is ReferralStatus.DECLINED
    with pytest.raises(ReferralStateError):
        referral.accept(AT, WORKER)


def test_referral_can_be_withdrawn_before_completion() -> None:
    referral = Referral.make_internal(uuid4(), uuid4(), ReferralSource.OFFICE_HOURS, "question", AT, HELPER)
    referral.withdraw("person asked to stop", AT, HELPER)
    assert referral.status is ReferralStatus.WITHDRAWN


def test_internal_referrals_come_from_office_hours_or_training() -> None:
    with pytest.raises(InvalidValueError):
        Referral.make_internal(uuid4(), uuid4(), ReferralSource.SOCIAL_LEGAL, "x", AT, WORKER)


def test_referral_is_social_legal_data_about_the_person() -> None:
    referral = Referral.make_internal(uuid4(), uuid4(), ReferralSource.OFFICE_HOURS, "question", AT, HELPER)
    (made,) = referral.collect_events()
    assert referral.subject_of(made) == referral.person_id
    assert referral.category_of(made) is Category.SOCIAL_LEGAL
