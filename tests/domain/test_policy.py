import pytest

from domain.base import Category
from domain.consent import Purpose
from domain.policy import TRAINING_PURPOSES, Relation, Role, Scope, access, may_read, may_write

NOBODY = Relation()
EVERYTHING = Relation(
    in_own_caseload=True,
    in_own_cohort=True,
    enrolling_in_own_cohort=True,
    break_glass_reason="emergency",
    shares_training_with_social_legal=True,
    shares_office_hours_with_trainers=True,
)


@pytest.mark.parametrize("relation", [NOBODY, EVERYTHING])
def test_trainer_never_reads_social_legal(relation: Relation) -> None:
    assert not may_read([Role.TRAINER], relation, Category.SOCIAL_LEGAL)
    assert not may_write([Role.TRAINER], relation, Category.SOCIAL_LEGAL)
    grant = access([Role.TRAINER], relation)[Category.SOCIAL_LEGAL]
    assert grant.is_empty


def test_admin_sees_no_personal_data() -> None:
    assert all(g.is_empty for g in access([Role.ADMIN], EVERYTHING).values())


def test_social_worker_reads_own_caseload_without_flag() -> None:
    grant = access([Role.SOCIAL_WORKER], Relation(in_own_caseload=True))[Category.SOCIAL_LEGAL]
    assert grant.allows_read()
    assert grant.allows_write()
    assert not grant.break_glass


def test_social_worker_outside_caseload_needs_break_glass_reason_flagged() -> None:
    assert not may_read([Role.SOCIAL_WORKER], NOBODY, Category.SOCIAL_LEGAL)
    blank = Relation(break_glass_reason="  ")
    assert not may_read([Role.SOCIAL_WORKER], blank, Category.SOCIAL_LEGAL)
    grant = access([Role.SOCIAL_WORKER], Relation(break_glass_reason="crisis call"))[Category.SOCIAL_LEGAL]
    assert grant.allows_read()
    assert grant.break_glass


def test_social_worker_may_take_in_referrals_outside_caseload() -> None:
    assert may_write([Role.SOCIAL_WORKER], NOBODY, Category.SOCIAL_LEGAL, Scope.INTAKE_ONLY)


def test_social_worker_reads_training_only_with_consent_to_share() -> None:
    assert not may_read([Role.SOCIAL_WORKER], NOBODY, Category.TRAINING)
    shared = Relation(shares_training_with_social_legal=True)
    assert may_read([Role.SOCIAL_WORKER], shared, Category.TRAINING)
    assert not may_write([Role.SOCIAL_WORKER], shared, Category.TRAINING)


def test_trainer_reads_only_digital_help_of_own_learners_with_consent() -> None:
    office = Category.OFFICE_HOURS
    digital = Scope.DIGITAL_HELP_ONLY
    learner = Relation(in_own_cohort=True)
    consenting = Relation(in_own_cohort=True, shares_office_hours_with_trainers=True)
    assert not may_read([Role.TRAINER], learner, office, digital)
    assert may_read([Role.TRAINER], consenting, office, digital)
    assert not may_read([Role.TRAINER], consenting, office)


LEARNER = Relation(in_own_cohort=True)
ENROLLING = Relation(enrolling_in_own_cohort=True)


@pytest.mark.parametrize("relation", [LEARNER, ENROLLING])
def test_trainer_reads_only_the_course_details_of_learners_and_people_being_enrolled(relation: Relation) -> None:
    identity = access([Role.TRAINER], relation)[Category.IDENTITY]
    assert identity.allows_read(Scope.COURSE_DETAILS)
    assert not identity.allows_read()  # never the address, the email, the national register number
    assert not identity.allows_write()


@pytest.mark.parametrize("relation", [LEARNER, ENROLLING])
def test_trainer_reads_only_the_consents_that_concern_training(relation: Relation) -> None:
    consent = access([Role.TRAINER], relation)[Category.CONSENT]
    assert consent.allows_read(Scope.TRAINING_CONSENTS)
    assert not consent.allows_read()
    assert not consent.allows_write()


def test_the_training_consents_never_include_an_external_referral_nor_contact_channels() -> None:
    assert Purpose.SHARE_OFFICE_HOURS_WITH_TRAINERS in TRAINING_PURPOSES
    assert not TRAINING_PURPOSES & {Purpose.EXTERNAL_REFERRAL, Purpose.CONTACT_SMS, Purpose.CONTACT_EMAIL}


@pytest.mark.parametrize("relation", [LEARNER, ENROLLING])
def test_trainer_reads_and_writes_the_training_of_learners_and_people_being_enrolled(relation: Relation) -> None:
    assert may_read([Role.TRAINER], relation, Category.TRAINING)
    assert may_write([Role.TRAINER], relation, Category.TRAINING)


def test_trainer_reads_nothing_of_anyone_else() -> None:
    grants = access([Role.TRAINER], NOBODY)
    for category in (Category.IDENTITY, Category.CONSENT, Category.TRAINING, Category.OFFICE_HOURS):
        assert grants[category].is_empty, category
    assert not may_read([Role.TRAINER], Relation(break_glass_reason="colleague off sick"), Category.TRAINING)


def test_trainer_sees_digital_help_of_own_learners_only_not_of_people_being_enrolled() -> None:
    consenting = Relation(enrolling_in_own_cohort=True, shares_office_hours_with_trainers=True)
    assert not may_read([Role.TRAINER], consenting, Category.OFFICE_HOURS, Scope.DIGITAL_HELP_ONLY)


def test_a_trainer_who_is_also_a_helper_reads_the_whole_identity() -> None:
    assert may_read([Role.TRAINER, Role.OFFICE_HOURS_HELPER], LEARNER, Category.IDENTITY)


def test_helper_refers_out_but_reads_no_social_legal() -> None:
    helper = [Role.OFFICE_HOURS_HELPER]
    assert not may_read(helper, EVERYTHING, Category.SOCIAL_LEGAL)
    assert may_write(helper, NOBODY, Category.SOCIAL_LEGAL, Scope.REFERRAL_OUT_ONLY)
    assert not may_write(helper, NOBODY, Category.SOCIAL_LEGAL)
    assert may_write(helper, NOBODY, Category.OFFICE_HOURS)


def test_dpo_reads_personal_categories_only_through_export() -> None:
    dpo = [Role.DPO]
    for category in (Category.TRAINING, Category.SOCIAL_LEGAL, Category.OFFICE_HOURS):
        assert not may_read(dpo, NOBODY, category)
        assert may_read(dpo, NOBODY, category, Scope.EXPORT_ONLY)
    assert may_read(dpo, NOBODY, Category.CONSENT)
    assert may_read(dpo, NOBODY, Category.ACCESS)
    assert may_write(dpo, NOBODY, Category.GDPR)
    assert may_write(dpo, NOBODY, Category.IDENTITY)


def test_staff_read_only_their_own_access_log_entries() -> None:
    for role in (Role.SOCIAL_WORKER, Role.TRAINER, Role.OFFICE_HOURS_HELPER):
        assert not may_read([role], NOBODY, Category.ACCESS)
        assert may_read([role], NOBODY, Category.ACCESS, Scope.OWN_ENTRIES)


def test_only_the_dpo_handles_gdpr_events() -> None:
    for role in (Role.SOCIAL_WORKER, Role.TRAINER, Role.OFFICE_HOURS_HELPER):
        assert not may_write([role], EVERYTHING, Category.GDPR)


def test_several_roles_get_the_union_and_unflagged_grant_wins() -> None:
    roles = [Role.TRAINER, Role.SOCIAL_WORKER]
    relation = Relation(break_glass_reason="urgent")
    grant = access(roles, relation)[Category.SOCIAL_LEGAL]
    assert grant.allows_read()
    assert grant.break_glass
    both = access(roles, Relation(in_own_caseload=True))[Category.SOCIAL_LEGAL]
    assert both.allows_read()
    assert not both.break_glass
    helper_and_worker = access([Role.OFFICE_HOURS_HELPER, Role.SOCIAL_WORKER], NOBODY)
    assert helper_and_worker[Category.SOCIAL_LEGAL].write == frozenset({Scope.REFERRAL_OUT_ONLY, Scope.INTAKE_ONLY})
