"""The full DigiLab month for a group of 12, through the application services."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import msgspec
import pytest

from domain.cohort import Cohort
from domain.digcomp import COMPETENCE_CODES
from domain.training import (
    AssessmentKind,
    AttendanceBelowThresholdError,
    AttendanceStatus,
    RecordStatus,
    TrainingRecord,
)
from service.application.cohorts import (
    Enrol,
    ScheduleCohort,
    WithdrawFromCohort,
    enrol,
    schedule_cohort,
    withdraw_from_cohort,
)
from service.application.training import (
    AssessDigComp,
    AttendanceMark,
    CompetenceLevel,
    CompleteTraining,
    RecordAttendance,
    assess_digcomp,
    complete_training,
    record_attendance,
)
from tests.application.support import register

SEPTEMBER_START = date(2026, 9, 1)
SEPTEMBER_END = date(2026, 9, 30)


def levels(level: int) -> tuple[CompetenceLevel, ...]:
    return tuple(CompetenceLevel(code, level) for code in sorted(COMPETENCE_CODES))


async def test_a_group_of_twelve_goes_through_the_whole_digilab_month(ctx, runtime, clock, trainer, helper):
    people = [await register(ctx, helper, f"Learner{n}", f"Family{n}") for n in range(13)]
    scheduled = await schedule_cohort(
        ctx,
        trainer,
        ScheduleCohort("DigiLab septembre", "Liège", SEPTEMBER_START, SEPTEMBER_END, (trainer.staff_id,)),
    )
    cohort_id = scheduled.cohort_id

    enrolments = [await enrol(ctx, trainer, Enrol(cohort_id, person_id)) for person_id in people]
    assert all(e.record_id is not None for e in enrolments[:12])
    assert enrolments[12].record_id is None
    assert enrolments[12].waiting_list_place == 1
    # The seat and the record were appended together.
    assert set(enrolments[0].versions) == {cohort_id, enrolments[0].record_id}

    leaving = enrolments[4].record_id
    assert leaving is not None
    withdrawal = await withdraw_from_cohort(ctx, trainer, WithdrawFromCohort(leaving, "found a job"))
    assert withdrawal.promoted_person_id == people[12]
    assert withdrawal.promoted_record_id is not None
    records = [e.record_id for e in enrolments[:12] if e.record_id != leaving] + [withdrawal.promoted_record_id]

    cohort = await ctx.repository.get(Cohort, cohort_id)
    assert len(cohort.seats) == 12
    assert cohort.waiting_list == ()
    session_days = cohort.session_days
    assert len(session_days) == 22

    clock.now = datetime(2026, 9, 1, 9, 30, tzinfo=UTC)
    for record_id in records:
        await assess_digcomp(ctx, trainer, AssessDigComp(record_id, AssessmentKind.INITIAL, levels(2)))

    expected_hours = dict.fromkeys(records, Decimal(0))
    for index, day in enumerate(session_days):
        clock.now = datetime(day.year, day.month, day.day, 13, 0, tzinfo=UTC)
        marks = []
        for position, record_id in enumerate(records):
            if position == 0 and index % 5 == 0:
                mark = AttendanceMark(record_id, AttendanceStatus.ABSENT)
                hours = Decimal(0)
            elif position == 1 and index == 3:
                mark = AttendanceMark(record_id, AttendanceStatus.LATE, Decimal("2.5"))
                hours = Decimal("2.5")
            else:
                mark = AttendanceMark(record_id, AttendanceStatus.PRESENT)
                hours = Decimal(4)
            marks.append(mark)
            expected_hours[record_id] += hours
        result = await record_attendance(ctx, trainer, RecordAttendance(cohort_id, day, tuple(marks)))
        assert set(result.versions) == set(records)

    # The first learner attended 17 of 22 sessions (77 %), under the centre's 80 %: a reason is needed.
    often_away = CompleteTraining(records[0], f"DL-2026-09-{records[0].hex[:6]}")
    with pytest.raises(AttendanceBelowThresholdError):
        await complete_training(ctx, trainer, often_away)
    excused = msgspec.structs.replace(often_away, reason="Absences justifiées : rendez-vous au Forem")
    for record_id in records:
        await assess_digcomp(ctx, trainer, AssessDigComp(record_id, AssessmentKind.FINAL, levels(4)))
        completion = CompleteTraining(record_id, f"DL-2026-09-{record_id.hex[:6]}")
        await complete_training(ctx, trainer, excused if record_id == records[0] else completion)

    for record_id in records:
        record = await ctx.repository.get(TrainingRecord, record_id)
        assert record.hours_attended == expected_hours[record_id]
        assert len(record.attendance) == 22
        assert record.levels(AssessmentKind.INITIAL) == dict.fromkeys(COMPETENCE_CODES, 2)
        assert record.levels(AssessmentKind.FINAL) == dict.fromkeys(COMPETENCE_CODES, 4)
        assert record.status is RecordStatus.COMPLETED
    assert (await ctx.repository.get(TrainingRecord, records[0])).completion_reason == excused.reason
    assert expected_hours[records[0]] == Decimal(4 * (22 - 5))
    assert expected_hours[records[1]] == Decimal("86.5")
    withdrawn = await ctx.repository.get(TrainingRecord, leaving)
    assert withdrawn.status is RecordStatus.WITHDRAWN

    # One command per day was one append: the day's 12 attendance events share a transaction.
    async with runtime.pool.acquire() as connection:
        appends = await connection.fetchval(
            "SELECT count(DISTINCT transaction_id) FROM events WHERE topic LIKE '%AttendanceRecorded'"
        )
    assert appends == 22
