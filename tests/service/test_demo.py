"""The demo dataset loads through the application services and fills every read model."""

from __future__ import annotations

from datetime import UTC, datetime

from projections.caseload import read_caseload
from projections.roster import cohorts_of_trainer, read_roster
from service.application.context import ApplicationContext
from service.cli.demo import DEMO_STAFF, PEOPLE, load_demo
from service.readmodels.registry import all_projections
from service.readmodels.runner import ProjectionRunner
from service.staff.accounts import StaffAccounts


async def test_demo_dataset_has_every_role_two_full_cohorts_visits_and_cases(runtime) -> None:
    now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    ctx = ApplicationContext.from_runtime(runtime, clock=lambda: now)
    accounts = StaffAccounts(runtime.pool)
    counts = await load_demo(ctx, accounts, now)
    runner = ProjectionRunner(runtime, await all_projections(runtime.keys))
    for name in runner.projections:
        await runner.catch_up(name)
    members = {m.username: m for m in await accounts.all()}
    assert {str(next(iter(m.roles))) for m in members.values()} == {str(r) for _, _, r, _ in DEMO_STAFF}
    assert counts["people"] == len(PEOPLE) and counts["learners"] == 24
    async with runtime.pool.acquire() as db:
        for trainer in ("julie", "thomas"):
            (cohort_id,) = await cohorts_of_trainer(db, members[trainer].staff_id)
            roster = await read_roster(db, cohort_id, now.date())
            assert roster is not None and len(roster.learners) == 12
        attendance_days = await db.fetchval("SELECT count(DISTINCT day) FROM rm_roster.attendance")
        sophie = await read_caseload(db, members["sophie"].staff_id, now.date())
        nationalities = await db.fetchval("SELECT count(*) FROM rm_statistics.counters WHERE metric = 'nationality'")
    assert attendance_days >= 10
    assert sophie.cases and sophie.referrals_waiting
    assert nationalities >= 25
    assert counts["visits"] >= 8 and counts["cases"] >= 4
