"""Anonymous statistics, frozen reports, and the access log."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from domain.access import AccessRecord
from projections.access_log import read_access_log
from projections.statistics import read_statistics
from service.storage.sealer import SubjectSealer
from tests.conftest import catch_up_all
from tests.projections.scenario import START, Staff, Written, build, register
from tests.projections.test_encryption_at_rest import erase

SEPTEMBER = date(2026, 9, 1)


async def test_statistics_count_services_people_and_learners_per_area(runtime, repository, runner) -> None:
    """The raw figures: what is published of them goes through small-cell suppression (tests/reports)."""
    staff = Staff()
    await build(repository, staff)
    extra = Written()
    for n in range(5):
        await register(repository, staff, extra, f"Amina{n}", f"Yilmaz{n}", "TR", f"+32 475 00 00 0{n}")
    await catch_up_all(runner)
    async with runtime.pool.acquire() as db:
        figures = await read_statistics(db, SEPTEMBER, SEPTEMBER)
        stored = await db.fetch("SELECT * FROM rm_statistics.counters")
    assert figures.new_people == 10
    assert figures.nationalities == {"BE": 1, "GN": 1, "MA": 1, "SY": 1, "TR": 5, "UA": 1}
    assert figures.people_served == 4  # three learners with attendance, and Nadia
    assert figures.people_per_service == {"office_hours": 1, "social_legal": 1, "training": 3}
    assert figures.office_hours_requests == {"online_procedure": 1}
    assert figures.referrals_made == {"social_legal": 1}
    assert figures.referral_outcomes == {"social_legal": {"accepted": 1}}
    assert figures.digcomp_gain_per_area == {"1": 2.0}
    assert figures.digcomp_learners == {"1": 3}  # learners, not competences
    assert figures.attendance == {"absent": 3, "late": 3, "present": 3} and figures.learners == 3
    assert figures.training_hours > 0
    assert [(m.period, m.new_people, m.people_served) for m in figures.months] == [(SEPTEMBER, 10, 4)]
    assert all("person" not in r["dimension"] for r in stored)


async def test_erasure_does_not_change_the_people_count(runtime, repository, runner) -> None:
    """Frozen reports after an erasure: tests/reports/test_frozen_reports.py."""
    written = await build(repository)
    await catch_up_all(runner)
    async with runtime.pool.acquire() as db:
        before = await read_statistics(db, SEPTEMBER, SEPTEMBER)
    await erase(runtime, repository, written.people["Nadia Benali"], uuid4())
    await catch_up_all(runner)
    async with runtime.pool.acquire() as db:
        live = await read_statistics(db, SEPTEMBER, SEPTEMBER)
        leftovers = await db.fetchval("SELECT count(*) FROM rm_statistics.open_items")
        members = await db.fetchval("SELECT count(*) FROM rm_statistics.members WHERE grp = 'service:social_legal'")
    assert (live.people_served, live.people_per_service) == (before.people_served, before.people_per_service)
    assert leftovers == 0 and members == 0  # the erased person's pending facts and pseudonyms went with them


async def test_access_log_lists_reads_per_person_and_per_staff_member(runtime, repository, runner) -> None:
    staff = Staff()
    written = await build(repository, staff)
    nadia, elodie = written.people["Nadia Benali"], written.people["Élodie Müller"]
    for person, view, glass in (
        (nadia, "case_file", False),
        (elodie, "training_history", False),
        (nadia, "case_file", True),
    ):
        record = AccessRecord.record(
            uuid4(),
            person,
            staff.social_worker,
            view,
            "follow_up",
            "break_glass" if glass else "caseload",
            START,
            break_glass=glass,
            reason="Appel urgent" if glass else None,
        )
        await repository.save(record, actor_id=staff.social_worker)
    await catch_up_all(runner)
    sealer = SubjectSealer(runtime.keys)
    async with runtime.pool.acquire() as db:
        of_nadia = await read_access_log(db, sealer, person_id=nadia)
        of_worker = await read_access_log(db, sealer, staff_id=staff.social_worker)
    assert [(e.view, e.break_glass, e.reason) for e in of_nadia] == [
        ("case_file", True, "Appel urgent"),
        ("case_file", False, None),
    ]
    assert len(of_worker) == 3


async def test_an_erasure_within_a_batch_counts_what_came_before_it_once(runtime, repository, runner) -> None:
    """The erasure writes the batch's rows so far before deleting the person's; the counters wait for the end."""
    written = await build(repository)
    await erase(runtime, repository, written.people["Nadia Benali"], uuid4())
    await catch_up_all(runner)  # registrations, services and the tombstone in one batch
    async with runtime.pool.acquire() as db:
        figures = await read_statistics(db, SEPTEMBER, SEPTEMBER)
    assert figures.new_people == 4  # the four others, once each (Nadia's own events can no longer be read)
