from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from domain.base import Category
from domain.errors import DomainError, InvalidValueError, NaiveTimestampError
from domain.person import (
    LegalBasis,
    LegalHoldError,
    MergeRefusedError,
    Person,
    PersonDetails,
    PersonErasedError,
    ProcessingRestrictedError,
)

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STAFF = uuid4()
DPO = uuid4()
DETAILS = PersonDetails("Amina", "Diallo", birth_date=date(1990, 5, 17))


def registered() -> Person:
    return Person.register(uuid4(), "2026-00042", DETAILS, AT, STAFF)


def test_registration_records_file_number_details_and_the_given_time() -> None:
    person = registered()
    (event,) = person.collect_events()
    assert isinstance(event, Person.Registered)
    assert event.timestamp == AT
    assert person.file_number == "2026-00042"
    assert person.details == DETAILS


def test_file_number_must_look_like_year_and_sequence() -> None:
    with pytest.raises(InvalidValueError):
        Person.register(uuid4(), "42", DETAILS, AT, STAFF)


def test_commands_refuse_naive_times() -> None:
    with pytest.raises(NaiveTimestampError):
        Person.register(uuid4(), "2026-00042", DETAILS, datetime(2026, 3, 2), STAFF)


def test_details_correction_replaces_details_with_a_reason() -> None:
    person = registered()
    fixed = PersonDetails("Aminata", "Diallo")
    person.correct_details(fixed, "spelling on ID card", AT, STAFF)
    assert person.details == fixed
    with pytest.raises(InvalidValueError):
        person.correct_details(fixed, "  ", AT, STAFF)


def test_restricted_person_blocks_processing_except_dpo() -> None:
    person = registered()
    person.restrict_processing("accuracy contested", AT, DPO)
    with pytest.raises(ProcessingRestrictedError):
        person.ensure_processing_allowed(actor_is_dpo=False)
    with pytest.raises(ProcessingRestrictedError):
        person.correct_details(DETAILS, "x", AT, STAFF)
    person.ensure_processing_allowed(actor_is_dpo=True)
    person.correct_details(DETAILS, "checked", AT, DPO, actor_is_dpo=True)
    person.lift_restriction(AT, DPO)
    person.ensure_processing_allowed(actor_is_dpo=False)


def test_legal_hold_blocks_erasure_naming_basis() -> None:
    person = registered()
    person.place_legal_hold(uuid4(), LegalBasis.LEGAL_CLAIMS, "pending appeal", AT, DPO)
    with pytest.raises(LegalHoldError, match="art_17_3_e_legal_claims"):
        person.erase(AT, DPO)
    assert not person.erased


def test_lifting_the_last_hold_allows_erasure() -> None:
    person = registered()
    hold_id = uuid4()
    person.place_legal_hold(hold_id, LegalBasis.LEGAL_OBLIGATION, "tax audit", AT, DPO)
    person.lift_legal_hold(hold_id, AT + timedelta(days=1), DPO)
    person.erase(AT + timedelta(days=2), DPO)
    assert person.erased
    assert person.details is None


def test_erasure_tombstone_is_non_personal_gdpr_event_without_personal_data() -> None:
    person = registered()
    person.collect_events()
    person.erase(AT, DPO)
    (tombstone,) = person.collect_events()
    assert isinstance(tombstone, Person.Erased)
    assert person.subject_of(tombstone) is None
    assert person.category_of(tombstone) is Category.GDPR
    personal = {"Amina", "Diallo", "2026-00042"}
    assert not personal & {str(v) for v in vars(tombstone).values()}


def test_person_events_are_about_the_person_in_identity_or_gdpr() -> None:
    person = registered()
    person.restrict_processing("contested", AT, DPO)
    registered_event, restricted = person.collect_events()
    assert person.subject_of(registered_event) == person.id
    assert person.category_of(registered_event) is Category.IDENTITY
    assert person.subject_of(restricted) == person.id
    assert person.category_of(restricted) is Category.GDPR


def test_nothing_is_recorded_about_an_erased_person() -> None:
    person = registered()
    person.erase(AT, DPO)
    with pytest.raises(PersonErasedError):
        person.ensure_processing_allowed(actor_is_dpo=True)


def test_error_messages_carry_no_personal_data() -> None:
    person = registered()
    person.restrict_processing("contested", AT, DPO)
    with pytest.raises(DomainError) as caught:
        person.ensure_processing_allowed(actor_is_dpo=False)
    assert "Amina" not in str(caught.value)
    assert "Diallo" not in str(caught.value)


def test_person_replays_from_its_events() -> None:
    person = registered()
    person.restrict_processing("contested", AT, DPO)
    copy = None
    for event in person.collect_events():
        copy = event.mutate(copy)
    assert isinstance(copy, Person)
    assert copy.restricted
    assert copy.details == DETAILS


# ---- registration as a Belgian centre needs it, and merging two records of one person ----


def test_a_birth_date_in_the_future_or_more_than_120_years_ago_is_refused_naming_the_field() -> None:
    for born in (date(2026, 3, 3), date(1906, 3, 1)):
        with pytest.raises(InvalidValueError) as refused:
            Person.register(uuid4(), "2026-00042", PersonDetails("Amina", "Diallo", birth_date=born), AT, STAFF)
        assert refused.value.field == "birth_date"
    for born in (date(2026, 3, 2), date(1906, 3, 2)):  # today, and exactly 120 years ago
        Person.register(uuid4(), "2026-00042", PersonDetails("Amina", "Diallo", birth_date=born), AT, STAFF)
    person = registered()
    with pytest.raises(InvalidValueError):
        person.correct_details(PersonDetails("Amina", "Diallo", birth_date=date(2027, 1, 1)), "typo", AT, STAFF)


def test_a_merge_is_an_event_on_both_records() -> None:
    kept, duplicate = registered(), Person.register(uuid4(), "2026-00043", DETAILS, AT, STAFF)
    kept.collect_events(), duplicate.collect_events()
    kept.merge(duplicate, AT, STAFF)
    (on_kept,) = kept.collect_events()
    (on_duplicate,) = duplicate.collect_events()
    assert isinstance(on_kept, Person.DuplicateMerged) and on_kept.duplicate_id == duplicate.id
    assert on_kept.duplicate_file_number == "2026-00043" and on_kept.merged_by == STAFF
    assert isinstance(on_duplicate, Person.MergedInto) and on_duplicate.kept_id == kept.id
    assert on_duplicate.kept_file_number == "2026-00042"
    assert kept.merged == (duplicate.id,) and duplicate.merged_into == kept.id


def test_a_merge_is_refused_for_one_record_a_merged_record_a_held_or_restricted_or_erased_one() -> None:
    kept = registered()
    with pytest.raises(MergeRefusedError):
        kept.merge(kept, AT, STAFF)
    duplicate = registered()
    kept.merge(duplicate, AT, STAFF)
    with pytest.raises(MergeRefusedError):
        registered().merge(duplicate, AT, STAFF)  # already merged into another
    with pytest.raises(MergeRefusedError):
        duplicate.merge(registered(), AT, STAFF)  # a record merged away keeps nothing new
    held = registered()
    held.place_legal_hold(uuid4(), LegalBasis.LEGAL_CLAIMS, "appeal", AT, DPO)
    with pytest.raises(MergeRefusedError):
        kept.merge(held, AT, STAFF)
    restricted = registered()
    restricted.restrict_processing("accuracy contested", AT, DPO)
    with pytest.raises(MergeRefusedError):
        kept.merge(restricted, AT, STAFF)
    erased = registered()
    erased.erase(AT, DPO)
    with pytest.raises(MergeRefusedError):
        kept.merge(erased, AT, STAFF)
