"""Each read model, built by the runner from a realistic history written through the domain."""

from __future__ import annotations

from datetime import timedelta

from projections.board import read_board
from projections.case_file import read_case_file
from projections.caseload import read_caseload
from projections.directory import search
from projections.roster import read_roster
from projections.training_history import read_training_history
from service.readmodels.registry import blind_index
from service.storage.sealer import SubjectSealer
from tests.conftest import catch_up_all
from tests.projections.scenario import START, Staff, build


async def test_case_file_is_one_timeline_filtered_by_category(runtime, repository, runner) -> None:
    written = await build(repository)
    await catch_up_all(runner)
    nadia = written.people["Nadia Benali"]
    async with runtime.pool.acquire() as db:
        everything = await read_case_file(db, SubjectSealer(runtime.keys), nadia)
        training_only = await read_case_file(db, SubjectSealer(runtime.keys), nadia, frozenset({"office_hours"}))
    categories = {e.category for e in everything}
    assert {"identity", "office_hours", "social_legal"} <= categories
    assert [e.position for e in everything] == sorted(e.position for e in everything)
    notes = [e for e in everything if e.kind == "Case.NoteAdded"]
    assert notes and "Office des étrangers" in notes[0].body["text"]
    assert training_only and {e.category for e in training_only} == {"office_hours"}


async def test_directory_search_ignores_case_and_accents_and_small_typos(runtime, repository, runner) -> None:
    written = await build(repository)
    await catch_up_all(runner)
    index = await blind_index(runtime.keys)
    sealer = SubjectSealer(runtime.keys)
    async with runtime.pool.acquire() as db:

        async def ids(query: str) -> set:
            return {listing.person_id for listing in await search(db, sealer, index, query)}

        elodie = written.people["Élodie Müller"]
        assert elodie in await ids("muller")
        assert elodie in await ids("Elodie MULLER")
        assert elodie in await ids("Muler")  # a letter missing
        assert elodie in await ids("Mûller")
        assert written.people["Mohammed Al-Khatib"] in await ids("Mohamed")
        assert await ids(written.file_numbers["Aïcha Diallo"]) == {written.people["Aïcha Diallo"]}
        assert len(await ids("1990-05-17")) == 5
        assert await ids("Zebulon") == set()
        (listing,) = await search(db, sealer, index, written.file_numbers["Nadia Benali"])
        assert listing.details.family_name == "Benali"


async def test_possible_duplicate_is_flagged_at_registration(runtime, repository, runner) -> None:
    from tests.projections.scenario import Written, register

    staff, written = Staff(), Written()
    first = await register(repository, staff, written, "Aïcha", "Diallo", "GN", "+32 472 00 00 01")
    second = await register(repository, staff, written, "Aicha", "Dialo", "GN", "+32 472 00 00 02")
    other = await register(repository, staff, written, "Aïcha", "Diallo", "GN", "+32 472 00 00 03", born=None)
    await catch_up_all(runner)
    async with runtime.pool.acquire() as db:
        rows = {r["person_id"]: r["possible_duplicates"] for r in await db.fetch("SELECT * FROM rm_directory.people")}
    assert rows[first] == []
    assert rows[second] == [first]  # same birth date, similar name
    assert set(rows[other]) == {first}  # the very same name


async def test_caseload_lists_open_cases_with_overdue_follow_ups(runtime, repository, runner) -> None:
    staff = Staff()
    written = await build(repository, staff)
    await catch_up_all(runner)
    async with runtime.pool.acquire() as db:
        caseload = await read_caseload(db, staff.social_worker, START.date() + timedelta(days=5))
    (line,) = caseload.cases
    assert line.case_id == written.cases[0]
    assert line.overdue_follow_ups == 1 and line.next_follow_up == START.date() + timedelta(days=3)
    assert caseload.referrals_waiting == []


async def test_roster_shows_attendance_sheet_and_waiting_list(runtime, repository, runner) -> None:
    written = await build(repository)
    await catch_up_all(runner)
    async with runtime.pool.acquire() as db:
        roster = await read_roster(db, written.cohort, START.date() + timedelta(days=1))
    assert roster is not None and roster.capacity == 3 and roster.is_session_day
    assert len(roster.learners) == 3
    assert {line.attendance for line in roster.learners} == {"late"}
    assert roster.waiting_list == [written.people["Oleksandr Kovalenko"]]


async def test_board_shows_who_waits_who_is_helped_who_is_done(runtime, repository, runner) -> None:
    written = await build(repository)
    await catch_up_all(runner)
    async with runtime.pool.acquire() as db:
        board = await read_board(db, START.date(), "Liège centre")
    assert board.waiting == [] and board.being_helped == []
    assert [line.person_id for line in board.done] == [written.people["Nadia Benali"]]
    assert board.done[0].request_category == "online_procedure"


async def test_training_history_gives_attendance_rate_and_digcomp_gain(runtime, repository, runner) -> None:
    written = await build(repository)
    await catch_up_all(runner)
    elodie = written.people["Élodie Müller"]
    async with runtime.pool.acquire() as db:
        history = await read_training_history(db, elodie, include_digital_help=False)
        nadia = await read_training_history(db, written.people["Nadia Benali"], include_digital_help=True)
    (cohort,) = history.cohorts
    assert cohort.attendance_rate == 2 / 10  # present + late, over 10 session days
    assert cohort.hours_attended > 0
    (progress,) = cohort.competences
    assert (progress.initial, progress.final, progress.gain) == (2, 4, 2)
    assert history.digital_help is None
    assert nadia.cohorts == [] and [h.category for h in nadia.digital_help or []] == ["online_procedure"]
