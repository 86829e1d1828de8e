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
    NotInCohortError,
    weekdays_between,
)
from domain.digcomp import AREAS, COMPETENCES, LevelOutOfRangeError, UnknownCompetenceError
from domain.errors import InvalidValueError
from domain.training import (
    AssessmentKind,
    AttendanceBelowThresholdError,
    AttendanceStatus,
    NotEnrolledError,
    RecordStatus,
    TrainingRecord,
    seat_from_waiting_list,
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


def attended(c: Cohort, record: TrainingRecord, sessions: int) -> None:
    """Present at the first ``sessions`` session days, away from the others."""
    end = datetime(2026, 3, 27, 17, tzinfo=UTC)
    for n, day in enumerate(c.session_days):
        status = AttendanceStatus.PRESENT if n < sessions else AttendanceStatus.ABSENT
        record.record_attendance(c, day, status, end, TRAINER)


def test_completion_needs_a_certificate_and_ends_the_record() -> None:
    c = cohort()
    record = enrolled(c)
    attended(c, record, len(c.session_days))
    with pytest.raises(InvalidValueError):
        record.complete(c, " ", AT, TRAINER, threshold_percent=80)
    record.complete(c, "DL-2026-03-001", AT, TRAINER, threshold_percent=80)
    assert record.status is RecordStatus.COMPLETED
    assert record.completion_reason is None
    with pytest.raises(NotEnrolledError):
        record.assess("1.1", 3, AssessmentKind.FINAL, AT, TRAINER)


def test_completion_below_the_attendance_threshold_needs_a_written_reason() -> None:
    c = cohort()  # 20 session days: 80 % is 16 of them
    record = enrolled(c)
    attended(c, record, 15)
    with pytest.raises(AttendanceBelowThresholdError) as refused:
        record.complete(c, "DL-2026-03-002", AT, TRAINER, threshold_percent=80)
    assert refused.value.field == "reason" and "15 of 20" in str(refused.value)
    with pytest.raises(AttendanceBelowThresholdError):
        record.complete(c, "DL-2026-03-002", AT, TRAINER, threshold_percent=80, reason="   ")
    record.complete(c, "DL-2026-03-002", AT, TRAINER, threshold_percent=80, reason=" Hospitalisée, travail rattrapé ")
    assert record.completion_reason == "Hospitalisée, travail rattrapé"
    completed = record.pending_events[-1]
    assert isinstance(completed, TrainingRecord.Completed) and completed.reason == "Hospitalisée, travail rattrapé"


def test_completion_at_the_threshold_needs_no_reason() -> None:
    c = cohort()
    record = enrolled(c)
    attended(c, record, 16)
    record.complete(c, "DL-2026-03-003", AT, TRAINER, threshold_percent=80)
    assert record.status is RecordStatus.COMPLETED


def test_a_late_arrival_counts_as_attended_and_an_excused_absence_does_not() -> None:
    c = cohort()
    record = enrolled(c)
    end = datetime(2026, 3, 27, 17, tzinfo=UTC)
    record.record_attendance(c, c.session_days[0], AttendanceStatus.LATE, end, TRAINER)
    record.record_attendance(c, c.session_days[1], AttendanceStatus.EXCUSED, end, TRAINER)
    assert record.sessions_attended == 1


def test_the_trainer_seats_a_chosen_person_from_the_waiting_list() -> None:
    c = cohort(capacity=2)
    enrolled(c)
    first_in_line, chosen = uuid4(), uuid4()
    c.join_waiting_list(first_in_line, AT, TRAINER)  # the trainer may queue people while seats are free
    c.join_waiting_list(chosen, AT, TRAINER)
    record = seat_from_waiting_list(c, chosen, uuid4(), AT, TRAINER)
    assert record.person_id == chosen and record.cohort_id == c.id
    assert isinstance(c.pending_events[-1], Cohort.PromotedFromWaitingList)
    assert c.seats[-1] == chosen and c.waiting_list == (first_in_line,)
    with pytest.raises(CohortFullError):
        seat_from_waiting_list(c, first_in_line, uuid4(), AT, TRAINER)
    with pytest.raises(NotInCohortError):
        seat_from_waiting_list(c, uuid4(), uuid4(), AT, TRAINER)


def test_a_person_leaves_the_waiting_list() -> None:
    c = cohort(capacity=1)
    enrolled(c)
    waiting = uuid4()
    enrol(c, waiting, uuid4(), AT, TRAINER)
    c.leave_waiting_list(waiting, AT, TRAINER)
    assert c.waiting_list == ()
    with pytest.raises(NotInCohortError):
        c.leave_waiting_list(waiting, AT, TRAINER)


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
