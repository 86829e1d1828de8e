"""The day's signature sheet and the month's summary, opened as PDF and XLSX, checked against the events."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from tests.printing.course import AMINA_AWAY, DAYS, Course, finished_course, hours_of, pdf_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_the_signature_sheet_lists_each_learner_with_a_box_to_sign(staff, project) -> None:
    course = await finished_course(staff, project)
    answer = await staff["trainer"].get(f"/cohorts/{course.cohort_id}/attendance-sheet?day=2026-08-10")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/pdf")
    assert "attachment" in answer.headers["content-disposition"]
    text = pdf_text(answer.content)
    for words in ("Centre Suivi, Liège", "Feuille de présence", "DigiLab août", "Liège centre", "10 août 2026"):
        assert words in text, words
    assert "Signature de l'apprenant" in text and "Signature du formateur ou de la formatrice" in text
    assert "Formation donnée par Trainer" in text
    positions = [text.index(f"{x.family_name} {x.given_name} {x.file_number}") for x in _alphabetical(course)]
    assert positions == sorted(positions)


async def test_the_signature_sheet_as_a_spreadsheet_holds_the_same_lines(staff, project) -> None:
    course = await finished_course(staff, project)
    answer = await staff["trainer"].get(f"/cohorts/{course.cohort_id}/attendance-sheet?day=2026-08-10&format=xlsx")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith(XLSX)
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Centre Suivi, Liège" and rows[1][0] == "Feuille de présence"
    lines = [tuple(row[1:4]) for row in rows if isinstance(row[0], int)]
    assert lines == [(x.family_name, x.given_name, x.file_number) for x in _alphabetical(course)]


async def test_printing_a_sheet_is_an_access_event_for_each_learner(staff, project, runtime_of) -> None:
    course = await finished_course(staff, project)
    async with runtime_of().pool.acquire() as db:
        before = await _accesses(db)
    answer = await staff["trainer"].get(f"/cohorts/{course.cohort_id}/attendance-sheet?day=2026-08-10")
    assert answer.status_code == 200
    async with runtime_of().pool.acquire() as db:
        after = await _accesses(db)
    assert after - before == 3


async def test_a_day_the_cohort_does_not_meet_has_no_sheet_and_others_roles_get_none(staff, project) -> None:
    course = await finished_course(staff, project)
    saturday = await staff["trainer"].get(f"/cohorts/{course.cohort_id}/attendance-sheet?day=2026-08-08")
    assert saturday.status_code == 422
    assert [e["field"] for e in saturday.json()["errors"]] == ["day"]
    for role in ("admin", "dpo", "social_worker"):
        refused = await staff[role].get(f"/cohorts/{course.cohort_id}/attendance-sheet?day=2026-08-10")
        assert refused.status_code == 403, role
        assert "Diallo" not in refused.text


async def test_the_monthly_summary_gives_hours_rates_and_absences_with_their_reasons(staff, project) -> None:
    course = await finished_course(staff, project)
    answer = await staff["trainer"].get(f"/cohorts/{course.cohort_id}/attendance-summary?month=2026-08")
    assert answer.status_code == 200, answer.text
    text = pdf_text(answer.content)
    assert "Relevé des présences \N{EN DASH} Août 2026" in text and "20 séances ce mois-ci" in text
    amina = course.amina
    assert f"{amina.family_name} {amina.given_name} {amina.file_number} 71 80 18 sur 20 90 %" in text
    assert f"Léger Bruno {course.bruno.file_number} 80 80 20 sur 20 100 %" in text
    assert f"Dubois Chloé {course.chloe.file_number} 60 80 15 sur 20 75 %" in text
    assert "Amina Diallo, le 05/08/2026 : absence non justifiée" in text
    assert "Amina Diallo, le 12/08/2026 : absence justifiée" in text
    assert text.count("Chloé Dubois, le") == 5


async def test_the_monthly_summary_spreadsheet_matches_the_events(staff, project) -> None:
    course = await finished_course(staff, project)
    answer = await staff["trainer"].get(f"/cohorts/{course.cohort_id}/attendance-summary?month=2026-08&format=xlsx")
    assert answer.status_code == 200, answer.text
    book = load_workbook(io.BytesIO(answer.content))
    summary, absences, detail = book.worksheets
    rows = {row[2]: row for row in summary.iter_rows(values_only=True) if row[2] and row[3] is not None}
    for learner in (course.amina, course.bruno, course.chloe):
        row = rows[learner.file_number]
        assert (row[0], row[1]) == (learner.family_name, learner.given_name)
        assert Decimal(str(row[3])) == hours_of(learner)
        assert row[4] == 80 and row[6] == 20
        assert abs(row[7] - row[5] / 20) < 1e-9
    assert rows[course.amina.file_number][5:11] == (18, 20, 0.9, 1, 1, 0)
    away = [(r[2], r[3].date(), r[4]) for r in absences.iter_rows(values_only=True) if isinstance(r[3], datetime)]
    amina_away = [(day, reason) for number, day, reason in away if number == course.amina.file_number]
    assert amina_away == [(day, _reason(status)) for day, status in sorted(AMINA_AWAY.items())]
    head = next(r for r in detail.iter_rows(values_only=True) if r[0] == "Nom")
    assert len(head) == 2 + len(DAYS) and head[2] == "03/08/2026"


async def test_a_month_not_held_yet_counts_nothing_as_missed(staff, project) -> None:
    course = await finished_course(staff, project)
    answer = await staff["trainer"].get(f"/cohorts/{course.cohort_id}/attendance-summary?month=2026-12&format=xlsx")
    assert answer.status_code == 200
    bad = await staff["trainer"].get(f"/cohorts/{course.cohort_id}/attendance-summary?month=2026-13")
    assert bad.status_code in (400, 422) and "month" in bad.text


def _alphabetical(course: Course):
    return sorted((course.amina, course.bruno, course.chloe), key=lambda x: x.family_name)


def _reason(status: str) -> str:
    return "absence justifiée" if status == "excused" else "absence non justifiée"


async def _accesses(db) -> int:
    return int(await db.fetchval("SELECT count(*) FROM events WHERE topic LIKE '%AccessRecord%'"))


assert date(2026, 8, 5) in AMINA_AWAY
