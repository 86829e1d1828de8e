from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from domain.base import Category
from domain.case import (
    Case,
    CaseClosedError,
    CaseDomain,
    CaseNotClosedError,
    CaseOutcome,
    DocumentKind,
    UnknownFollowUpError,
)

WORKER = uuid4()
COLLEAGUE = uuid4()
AT = datetime(2026, 3, 2, 10, tzinfo=UTC)


def case() -> Case:
    return Case.open(
        uuid4(),
        uuid4(),
        CaseDomain.RESIDENCE_IMMIGRATION,
        WORKER,
        "permit renewal",
        AT,
        WORKER,
    )


def test_case_is_opened_for_a_person_and_assigned_to_a_social_worker() -> None:
    c = case()
    (opened,) = c.collect_events()
    assert c.social_worker_id == WORKER
    assert c.subject_of(opened) == c.person_id
    assert c.category_of(opened) is Category.SOCIAL_LEGAL


def test_notes_are_kept_in_order_and_not_duplicated_on_retry() -> None:
    c = case()
    first, second = uuid4(), uuid4()
    c.add_note(first, "Called the commune.", AT, WORKER)
    c.add_note(second, "Appointment on Friday.", AT, COLLEAGUE)
    c.add_note(first, "Called the commune.", AT, WORKER)
    assert [n.note_id for n in c.notes] == [first, second]


def test_no_note_on_closed_case() -> None:
    c = case()
    c.close(CaseOutcome.RESOLVED, "permit renewed", AT, WORKER)
    with pytest.raises(CaseClosedError):
        c.add_note(uuid4(), "late note", AT, WORKER)


def test_closed_case_takes_no_follow_up_document_or_reassignment() -> None:
    c = case()
    c.close(CaseOutcome.CONTACT_LOST, "", AT, WORKER)
    with pytest.raises(CaseClosedError):
        c.set_follow_up(uuid4(), date(2026, 4, 1), "call", AT, WORKER)
    with pytest.raises(CaseClosedError):
        c.reference_document(uuid4(), DocumentKind.BILL, "binder 2", AT, WORKER)
    with pytest.raises(CaseClosedError):
        c.reassign(COLLEAGUE, "holiday", AT, WORKER)
    with pytest.raises(CaseClosedError):
        c.close(CaseOutcome.OTHER, "", AT, WORKER)


def test_reopened_case_takes_notes_again() -> None:
    c = case()
    c.close(CaseOutcome.RESOLVED, "", AT, WORKER)
    c.reopen("new letter from the immigration office", AT, WORKER)
    c.add_note(uuid4(), "Letter received.", AT, WORKER)
    assert not c.closed
    assert len(c.notes) == 1
    with pytest.raises(CaseNotClosedError):
        c.reopen("again", AT, WORKER)


def test_overdue_follow_ups_are_open_ones_past_their_due_date() -> None:
    c = case()
    soon, later, done = uuid4(), uuid4(), uuid4()
    c.set_follow_up(later, date(2026, 3, 20), "check decision", AT, WORKER)
    c.set_follow_up(soon, date(2026, 3, 5), "send documents", AT, WORKER)
    c.set_follow_up(done, date(2026, 3, 4), "call lawyer", AT, WORKER)
    c.mark_follow_up_done(done, "lawyer reached", AT + timedelta(days=1), WORKER)
    overdue = c.overdue_follow_ups(date(2026, 3, 25))
    assert [f.follow_up_id for f in overdue] == [soon, later]
    assert c.overdue_follow_ups(date(2026, 3, 5)) == ()
    with pytest.raises(UnknownFollowUpError):
        c.mark_follow_up_done(uuid4(), "", AT, WORKER)


def test_documents_are_referenced_by_kind_and_reference() -> None:
    c = case()
    c.reference_document(uuid4(), DocumentKind.RESIDENCE_PERMIT, "scan in drawer 4", AT, WORKER)
    assert c.documents[0].kind is DocumentKind.RESIDENCE_PERMIT


def test_reassignment_changes_the_social_worker() -> None:
    c = case()
    c.reassign(COLLEAGUE, "caseload balancing", AT, WORKER)
    assert c.social_worker_id == COLLEAGUE


def test_case_replays_from_its_events() -> None:
    c = case()
    c.add_note(uuid4(), "n", AT, WORKER)
    c.set_follow_up(uuid4(), date(2026, 3, 9), "f", AT, WORKER)
    c.close(CaseOutcome.RESOLVED, "", AT, WORKER)
    copy = None
    for event in c.collect_events():
        copy = event.mutate(copy)
    assert isinstance(copy, Case)
    assert copy.closed
    assert copy.notes == c.notes
    assert copy.follow_ups == c.follow_ups
