"""Commands that change two aggregates at once.

Each function applies its rules to both aggregates and leaves their new
events pending; the service appends both sets in ONE transaction, so a seat
is never taken without a training record (nor a referral without its visit).
"""

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from domain.case import Case, CaseDomain
from domain.cohort import Cohort
from domain.errors import InvalidValueError
from domain.office_hours import Visit
from domain.referral import Referral, ReferralSource
from domain.training import TrainingRecord


def enrol(cohort: Cohort, person_id: UUID, record_id: UUID, at: datetime, by: UUID) -> TrainingRecord | None:
    """Take a seat and open the record; when full, waitlist and return None."""
    if cohort.is_full:
        cohort.join_waiting_list(person_id, at, by)
        return None
    cohort.reserve_seat(person_id, at, by)
    return TrainingRecord.enrol(record_id, person_id, cohort.id, at, by)


def withdraw(
    cohort: Cohort,
    record: TrainingRecord,
    reason: str,
    at: datetime,
    by: UUID,
    next_record_id: UUID,
) -> TrainingRecord | None:
    """Withdraw a learner; the freed seat goes to the next person waiting.

    Returns the training record opened for that person, if anyone was waiting.
    """
    if record.cohort_id != cohort.id or record.person_id is None:
        raise InvalidValueError("the training record belongs to another cohort")
    record.withdraw(reason, at, by)
    promoted = cohort.release_seat(record.person_id, at, by)
    if promoted is None:
        return None
    return TrainingRecord.enrol(next_record_id, promoted, cohort.id, at, by, from_waiting_list=True)


def change_capacity(
    cohort: Cohort,
    capacity: int,
    at: datetime,
    by: UUID,
    new_record_id: Callable[[], UUID],
) -> tuple[TrainingRecord, ...]:
    """Resize a cohort; people promoted from the waiting list get their records."""
    promoted = cohort.change_capacity(capacity, at, by)
    return tuple(
        TrainingRecord.enrol(new_record_id(), person_id, cohort.id, at, by, from_waiting_list=True)
        for person_id in promoted
    )


def refer_visit(visit: Visit, referral_id: UUID, reason: str, at: datetime, by: UUID) -> Referral:
    """End an office-hours visit with a referral to the social-legal service."""
    if visit.person_id is None:
        raise InvalidValueError("the visit has no person")
    visit.note_referral(referral_id, at, by)
    return Referral.make_internal(
        referral_id,
        visit.person_id,
        ReferralSource.OFFICE_HOURS,
        reason,
        at,
        by,
        source_id=visit.id,
    )


def accept_into_case(
    referral: Referral,
    case_id: UUID,
    domain: CaseDomain,
    social_worker_id: UUID,
    summary: str,
    at: datetime,
    by: UUID,
) -> Case:
    """The social-legal service accepts an internal referral by opening a case."""
    if referral.is_external or referral.person_id is None:
        raise InvalidValueError("only internal referrals open a case here")
    referral.accept(at, by, case_id=case_id)
    return Case.open(
        case_id,
        referral.person_id,
        domain,
        social_worker_id,
        summary,
        at,
        by,
        referral_id=referral.id,
    )
