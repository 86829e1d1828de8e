"""A whole group's day in one command: everyone on the roster, then the exceptions."""

from __future__ import annotations

from datetime import date

from domain.training import AttendanceStatus, TrainingRecord
from service.application.cohorts import Enrol, ScheduleCohort, enrol, schedule_cohort
from service.application.training import LearnerMark, RecordGroupDay, record_group_day
from tests.application.support import register
from tests.conftest import catch_up_all

DAY = date(2026, 9, 1)


async def test_a_replayed_group_day_answers_the_first_answer_though_the_roster_changed(
    ctx, runner, trainer, helper
) -> None:
    cohort = await schedule_cohort(ctx, trainer, ScheduleCohort("DigiLab", "Liège", DAY, date(2026, 9, 30)))
    first, second, later = [await register(ctx, helper, f"Learner{n}", "Dupont") for n in range(3)]
    seats = [await enrol(ctx, trainer, Enrol(cohort.cohort_id, p)) for p in (first, second)]
    await catch_up_all(runner)
    day = RecordGroupDay(cohort.cohort_id, DAY, exceptions=(LearnerMark(AttendanceStatus.ABSENT, person_id=second),))

    answered = await record_group_day(ctx, trainer, day, idempotency_key="group-day-0001")
    await enrol(ctx, trainer, Enrol(cohort.cohort_id, later))
    await catch_up_all(runner)
    replayed = await record_group_day(ctx, trainer, day, idempotency_key="group-day-0001")

    assert replayed == answered
    present, absent = [await ctx.repository.get(TrainingRecord, s.record_id) for s in seats]
    assert [a.status for a in present.attendance.values()] == [AttendanceStatus.PRESENT]
    assert [a.status for a in absent.attendance.values()] == [AttendanceStatus.ABSENT]
