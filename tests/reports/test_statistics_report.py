"""The published statistics of a month, in JSON, CSV and XLSX: what the events say, small cells hidden."""

from __future__ import annotations

from typing import Any

from tests.reports.history import HOURS_PER_DAY, september
from tests.reports.published import cells, read_csv, read_xlsx, recoverable, small_counts

THRESHOLD = 5
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_one_writing_request_one_lawyer_referral_and_one_learners_gain_are_hidden(
    staff, project, repository
) -> None:
    await september(repository)
    await project()
    answer = await staff["social_worker"].get("/statistics/report?period=2026-09")
    assert answer.status_code == 200, answer.text
    report = answer.json()
    shown = cells(report)

    def value(table: str, row: str, column: str = "count") -> Any:
        cell = shown[table, row, column]
        return "hidden" if cell["suppressed"] else cell["value"]

    assert (report["period"], report["threshold"]) == ("2026-09", THRESHOLD)
    assert value("overview", "total", "new_people") == 12
    assert value("office_hours_requests", "writing") == "hidden"
    assert value("office_hours_requests", "software") == "hidden"  # else the total gives the writing one back
    assert value("office_hours_requests", "total") == 7
    assert value("referrals_made", "lawyer") == value("referrals_made", "cpas") == "hidden"
    assert value("referrals_made", "total") == 7
    assert value("nationalities", "others", "people") == value("nationalities", "SY", "people") == "hidden"
    assert value("nationalities", "TR", "people") == 6 and "BE" not in {row for _, row, _ in shown}
    assert value("digcomp", "1", "learners") == value("digcomp", "1", "mean_gain") == "hidden"
    assert (value("digcomp", "2", "learners"), value("digcomp", "2", "mean_gain")) == (5, 1.0)
    assert value("attendance", "late") == value("attendance", "absent") == "hidden"
    assert value("attendance", "present") == 10 and value("attendance", "total") == 12
    assert value("overview", "total", "attendance_rate") == "hidden"  # it would give back the late one
    assert value("overview", "total", "learners") == 6
    assert value("overview", "total", "training_hours") == 11 * HOURS_PER_DAY
    assert small_counts(report, THRESHOLD) == []
    assert recoverable(report) == []


async def test_the_csv_and_the_xlsx_hold_the_same_cells_in_french_numbers_as_numbers(
    staff, project, repository
) -> None:
    await september(repository)
    await project()
    report = (await staff["dpo"].get("/statistics/report?period=2026-09")).json()
    as_csv = await staff["dpo"].get("/statistics/report?period=2026-09&format=csv")
    as_xlsx = await staff["dpo"].get("/statistics/report?period=2026-09&format=xlsx")
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_xlsx.headers["content-type"] == XLSX
    assert 'filename="statistiques-2026-09.xlsx"' in as_xlsx.headers["content-disposition"]
    csv_tables, xlsx_tables = read_csv(as_csv.content), read_xlsx(as_xlsx.content)
    assert csv_tables[0][0][0] == "Statistiques : septembre 2026" == xlsx_tables[0][0][0]
    for tables, number in ((csv_tables[1:-1], _csv_number), (xlsx_tables[1:-1], _xlsx_number)):
        assert len(tables) == len(report["tables"])
        for table, published in zip(tables, report["tables"], strict=True):
            title, _header, *lines = table
            assert len(lines) == len(published["rows"]), title
            for line, row in zip(lines, published["rows"], strict=True):
                for text, cell, column in zip(line[1:], row["cells"], published["columns"], strict=False):
                    if cell["suppressed"]:
                        assert text == "masqué", (title, line)
                        continue
                    figure = number(text)
                    assert figure == cell["value"], (title, line)
                    if column["kind"] == "count":
                        assert isinstance(figure, int) and not 0 < figure < THRESHOLD, (title, line)
    requests = next(t for t in csv_tables if t[0] == ["Demandes à la permanence"])
    assert requests[1] == ["", "Nombre"]
    assert ["Rédaction", "masqué"] in requests and ["Logiciel", "masqué"] in requests and ["Total", "7"] in requests
    nationalities = next(t for t in xlsx_tables if t[0][0] == "Nouvelles personnes par nationalité")
    assert ["Turquie", 6] in [line[:2] for line in nationalities]  # a number, not text
    assert "moins de 5" in csv_tables[-1][0][0]


async def test_a_quarter_and_a_year_have_their_months_and_a_bad_period_names_the_field(
    staff, project, repository
) -> None:
    await september(repository)
    await project()
    quarter = (await staff["admin"].get("/statistics/report?period=2026-Q3")).json()
    months = next(t for t in quarter["tables"] if t["key"] == "months")
    assert [r["key"] for r in months["rows"]] == ["2026-07", "2026-08", "2026-09", "total"]
    assert (quarter["period_from"], quarter["period_to"]) == ("2026-07-01", "2026-09-01")
    year = (await staff["admin"].get("/statistics/report?period=2026&format=json")).json()
    assert len(next(t for t in year["tables"] if t["key"] == "months")["rows"]) == 13
    assert small_counts(quarter, THRESHOLD) == small_counts(year, THRESHOLD) == []
    assert recoverable(quarter) == recoverable(year) == []
    for bad in ("2026-13", "2026-Q5", "26", "2026-09-01"):
        refused = await staff["admin"].get(f"/statistics/report?period={bad}")
        assert refused.status_code in (400, 422) and "period" in refused.text, bad
    assert (await staff["admin"].get("/statistics/report?period=2026&format=pdf")).status_code in (400, 422)
    for role in ("trainer", "helper"):
        assert (await staff[role].get("/statistics/report?period=2026")).status_code == 403


async def test_the_ad_hoc_months_publish_the_same_tables(staff, project, repository) -> None:
    await september(repository)
    await project()
    ranged = (await staff["social_worker"].get("/statistics?period_from=2026-09&period_to=2026-09")).json()
    month = (await staff["social_worker"].get("/statistics/report?period=2026-09")).json()
    assert ranged == month


async def test_the_openapi_document_names_the_files_media_types(client) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    for path in ("/statistics/report", "/statistics/reports/{report_id}"):
        content = document["paths"][path]["get"]["responses"]["200"]["content"]
        assert {"application/json", "text/csv", XLSX} <= set(content), path


def _csv_number(text: str) -> int | float | None:
    """A figure as a French spreadsheet reads it; an empty cell: nothing to count (no rate without learners)."""
    if not text:
        return None
    return float(text.replace(",", ".")) if "," in text else int(text)


def _xlsx_number(value: Any) -> int | float | None:
    assert value is None or isinstance(value, int | float), value
    return value
