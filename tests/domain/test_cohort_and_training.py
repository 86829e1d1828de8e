from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from domain.base import Category
from domain.cohort import (
    AlreadyInCohortError,
    Cohort,
    CohortFullError,
    NotASessionDayError,
    weekdays_between,
)
from domain.digcomp import AREAS, COMPETENCES, LevelOutOfRangeError, UnknownCompetenceError
from domain.errors import InvalidValueError
from domain.training import (
    AssessmentKind,
    AttendanceStatus,
    NotEnrolledError,
    RecordStatus,
    TrainingRecord,
)
from domain.workflows import change_capacity, enrol, withdraw

TRAINER = uuid4()
MONDAY = date(2026, 3, 2)
AT = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)


def cohort(capacity: int = 12) -> Cohort:
    return Cohort.schedule(
        uuid4(),
        "DigiLab mars 2026",
        "Liège",
        MONDAY,
        date(2026, 3, 27),
        AT,
        TRAINER,
        capacity=capacity,
    )


def enrolled(c: Cohort) -> TrainingRecord:
    record = enrol(c, uuid4(), uuid4(), AT, TRAINER)
    assert record is not None
    return record


def test_cohort_defaults_to_twelve_seats_four_hours_and_weekdays() -> None:
    c = cohort()
    assert (c.capacity, c.hours_per_day) == (12, 4)
    assert len(c.session_days) == 20
    assert all(day.weekday() < 5 for day in c.session_days)


def test_cohort_is_not_personal() -> None:
    c = cohort()
    enrol(c, uuid4(), uuid4(), AT, TRAINER)
    events = c.collect_events()
    assert all(c.subject_of(e) is None for e in events)
    assert all(c.category_of(e) is Category.TRAINING for e in events)


def test_explicit_session_days_replace_weekdays() -> None:
    days = (date(2026, 3, 3), MONDAY)
    c = Cohort.schedule(
        uuid4(),
        "DigiLab",
        "Liège",
        MONDAY,
        date(2026, 3, 6),
        AT,
        TRAINER,
        session_days=days,
    )
    assert c.session_days == (MONDAY, date(2026, 3, 3))
    with pytest.raises(InvalidValueError):
        Cohort.schedule(
            uuid4(),
            "DigiLab",
            "Liège",
            MONDAY,
            date(2026, 3, 6),
            AT,
            TRAINER,
            session_days=(date(2026, 4, 1),),
        )


def test_enrolment_reserves_seat_and_opens_record_together() -> None:
    c = cohort()
    person_id, record_id = uuid4(), uuid4()
    record = enrol(c, person_id, record_id, AT, TRAINER)
    assert record is not None
    assert record.id == record_id
    assert [type(e) for e in c.pending_events] == [Cohort.Scheduled, Cohort.SeatReserved]
    assert isinstance(record.pending_events[0], TrainingRecord.Enrolled)
    assert record.subject_of(record.pending_events[0]) == person_id


def test_enrolment_waitlists_when_cohort_is_full() -> None:
    c = cohort(capacity=2)
    enrolled(c)
    enrolled(c)
    late = uuid4()
    assert enrol(c, late, uuid4(), AT, TRAINER) is None
    assert c.waiting_list == (late,)
    assert isinstance(c.pending_events[-1], Cohort.Waitlisted)
    with pytest.raises(CohortFullError):
        c.reserve_seat(uuid4(), AT, TRAINER)


def test_a_person_is_listed_once_per_cohort() -> None:
    c = cohort()
    person_id = uuid4()
    enrol(c, person_id, uuid4(), AT, TRAINER)
    with pytest.raises(AlreadyInCohortError):
        enrol(c, person_id, uuid4(), AT, TRAINER)


def test_released_seat_goes_to_next_on_waiting_list() -> None:
    c = cohort(capacity=1)
    first = enrolled(c)
    second, third = uuid4(), uuid4()
    enrol(c, second, uuid4(), AT, TRAINER)
    enrol(c, third, uuid4(), AT, TRAINER)
    new_record = withdraw(c, first, "found a job", AT, TRAINER, uuid4())
    assert first.status is RecordStatus.WITHDRAWN
    assert new_record is not None
    assert new_record.person_id == second
    assert c.seats == (second,)
    assert c.waiting_list == (third,)
    assert isinstance(c.pending_events[-1], Cohort.PromotedFromWaitingList)


def test_withdrawal_with_nobody_waiting_just_frees_the_seat() -> None:
    c = cohort()
    record = enrolled(c)
    assert withdraw(c, record, "moved away", AT, TRAINER, uuid4()) is None
    assert c.seats == ()


def test_raising_capacity_promotes_waiting_people_in_order() -> None:
    c = cohort(capacity=1)
    enrolled(c)
    waiting = [uuid4(), uuid4(), uuid4()]
    for person_id in waiting:
        enrol(c, person_id, uuid4(), AT, TRAINER)
    records = change_capacity(c, 3, AT, TRAINER, uuid4)
    assert [r.person_id for r in records] == waiting[:2]
    assert c.waiting_list == (waiting[2],)
    with pytest.raises(InvalidValueError):
        c.change_capacity(1, AT, TRAINER)


def test_attendance_only_on_session_days() -> None:
    c = cohort()
    record = enrolled(c)
    saturday = date(2026, 3, 7)
    with pytest.raises(NotASessionDayError):
        record.record_attendance(c, saturday, AttendanceStatus.PRESENT, AT, TRAINER)


def test_attendance_only_for_enrolled_learners() -> None:
    c = cohort()
    record = enrolled(c)
    other = cohort()
    with pytest.raises(NotEnrolledError):
        record.record_attendance(other, MONDAY, AttendanceStatus.PRESENT, AT, TRAINER)
    withdraw(c, record, "illness", AT, TRAINER, uuid4())
    with pytest.raises(NotEnrolledError):
        record.record_attendance(c, MONDAY, AttendanceStatus.PRESENT, AT, TRAINER)


def test_attendance_hours_default_by_status_and_fit_the_day() -> None:
    c = cohort()
    record = enrolled(c)
    record.record_attendance(c, MONDAY, AttendanceStatus.PRESENT, AT, TRAINER)
    assert record.attendance[MONDAY].hours == Decimal(4)
    record.record_attendance(c, MONDAY, AttendanceStatus.EXCUSED, AT, TRAINER)
    assert record.attendance[MONDAY].hours == Decimal(0)
    record.record_attendance(c, MONDAY, AttendanceStatus.LATE, AT, TRAINER, hours=Decimal("3.5"))
    assert record.hours_attended == Decimal("3.5")
    with pytest.raises(InvalidValueError):
        record.record_attendance(c, MONDAY, AttendanceStatus.PRESENT, AT, TRAINER, hours=Decimal(5))


def test_attendance_is_not_recorded_in_advance() -> None:
    c = cohort()
    record = enrolled(c)
    with pytest.raises(InvalidValueError):
        record.record_attendance(c, date(2026, 3, 3), AttendanceStatus.PRESENT, AT, TRAINER)


def test_whole_group_attendance_for_a_full_month() -> None:
    c = cohort()
    records = [enrolled(c) for _ in range(12)]
    end = datetime(2026, 3, 27, 17, tzinfo=UTC)
    for day in c.session_days:
        for record in records:
            record.record_attendance(c, day, AttendanceStatus.PRESENT, end, TRAINER)
    assert all(r.hours_attended == Decimal(80) for r in records)


def test_digcomp_assessments_initial_and_final() -> None:
    c = cohort()
    record = enrolled(c)
    record.assess("1.1", 2, AssessmentKind.INITIAL, AT, TRAINER)
    record.assess("1.1", 4, AssessmentKind.FINAL, AT, TRAINER)
    assert record.levels(AssessmentKind.INITIAL) == {"1.1": 2}
    assert record.levels(AssessmentKind.FINAL) == {"1.1": 4}
    with pytest.raises(UnknownCompetenceError):
        record.assess("6.1", 2, AssessmentKind.SELF, AT, TRAINER)
    with pytest.raises(LevelOutOfRangeError):
        record.assess("1.1", 9, AssessmentKind.SELF, AT, TRAINER)


def test_digcomp_has_five_areas_and_twenty_one_competences() -> None:
    assert len(AREAS) == 5
    assert len(COMPETENCES) == 21
    assert {c.area_code for c in COMPETENCES} == {a.code for a in AREAS}


def test_completion_needs_a_certificate_and_ends_the_record() -> None:
    c = cohort()
    record = enrolled(c)
    with pytest.raises(InvalidValueError):
        record.complete(" ", AT, TRAINER)
    record.complete("DL-2026-03-001", AT, TRAINER)
    assert record.status is RecordStatus.COMPLETED
    with pytest.raises(NotEnrolledError):
        record.assess("1.1", 3, AssessmentKind.FINAL, AT, TRAINER)


def test_training_record_replays_to_the_same_state() -> None:
    c = cohort()
    record = enrolled(c)
    record.record_attendance(c, MONDAY, AttendanceStatus.PRESENT, AT, TRAINER)
    copy = None
    for event in record.collect_events():
        copy = event.mutate(copy)
    assert isinstance(copy, TrainingRecord)
    assert copy.attendance == record.attendance


def test_weekdays_between_skips_weekends() -> None:
    assert weekdays_between(date(2026, 3, 6), date(2026, 3, 9)) == (
        date(2026, 3, 6),
        date(2026, 3, 9),
    )
