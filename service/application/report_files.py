"""A funder report in words, and as the CSV and XLSX files handed to funders.

Headings are in the reader's language (French by default); figures stay numbers (a
spreadsheet sums them), and a withheld figure is the same word everywhere ("masqué"),
whatever the reason it is withheld: saying which ones are small would tell them apart.
The CSV is for a spreadsheet of the reader's country: in French, ``;`` between fields and
a decimal comma, with a byte-order mark so that Excel reads the accents.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

from babel.dates import format_date
from openpyxl import Workbook  # type: ignore[import-untyped]  # no stubs; the workbook is checked by the tests
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]

from service.application.reports import TOTAL, Column, Period, StatisticsReport, Table
from service.words.translator import Translator

CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE}

_PERCENT_FORMAT, _DECIMAL_FORMAT = "0.0", "0.00"


def period_label(t: Translator, period: Period) -> str:
    """ "novembre 2026", "4e trimestre 2026", "année 2026", or "de septembre à novembre 2026"."""
    code = period.code
    if "-Q" in code:
        return t(f"stats.period.quarter.{code[-1]}", year=code[:4])
    if len(code) == 4:
        return t("stats.period.year", year=code)
    if "/" not in code:
        return month_label(t, period.first)
    return t("stats.period.range", first=month_label(t, period.first), last=month_label(t, period.last))


def month_label(t: Translator, month: date) -> str:
    return format_date(month, "LLLL y", locale=t.locale)


def table_title(t: Translator, table: Table) -> str:
    return t(f"stats.table.{table.key}")


def column_label(t: Translator, table: Table, column: Column) -> str:
    if column.key == TOTAL:
        return t("stats.total")
    if table.key == "referral_outcomes":
        return t.of("referral_status", column.key)
    return t(f"stats.column.{column.key}")


def row_label(t: Translator, table: Table, key: str) -> str:
    if key == TOTAL:
        return t("stats.total")
    match table.key:
        case "overview":
            return t("stats.row.period")
        case "people_per_service":
            return t(f"stats.service.{key}")
        case "nationalities":
            return (
                t("stats.row.others")
                if key == "others"
                else t.country(key)
                if key != "unknown"
                else t("stats.row.unknown")
            )
        case "months":
            return month_label(t, date.fromisoformat(f"{key}-01"))
        case "attendance":
            return t.of("attendance", key)
        case "training_outcomes":
            return t(f"stats.outcome.{key}")
        case "digcomp":
            return t.area(key)
        case "office_hours_requests":
            return t.of("request", key)
        case _:  # referrals: by destination
            return t(f"stats.destination.{key}") if key in ("social_legal", "unknown") else t.of("organisation", key)


def legend(t: Translator, report: StatisticsReport) -> list[str]:
    return [t("stats.legend.suppressed", n=report.threshold), t("stats.legend.numbers")]


def report_csv(report: StatisticsReport, t: Translator, made_at: datetime) -> bytes:
    french = t.language == "fr"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if french else ",", lineterminator="\r\n")
    for line in _heading(report, t, made_at):
        writer.writerow([line])
    for table in report.tables:
        writer.writerow([])
        writer.writerow([table_title(t, table)])
        writer.writerow(["", *(column_label(t, table, c) for c in table.columns)])
        for row in table.rows:
            shown = [
                _csv_value(cell.value, french) if not cell.suppressed else t("stats.suppressed") for cell in row.cells
            ]
            writer.writerow([row_label(t, table, row.key), *(v if v is not None else "" for v in shown)])
    writer.writerow([])
    for line in legend(t, report):
        writer.writerow([line])
    return ("\ufeff" + out.getvalue()).encode()


def report_xlsx(report: StatisticsReport, t: Translator, made_at: datetime) -> bytes:
    """One sheet, the tables one under the other; numbers are numeric cells, a withheld one is a word."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = t("stats.sheet")[:31]
    bold = Font(bold=True)
    for line in _heading(report, t, made_at):
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=14)
    for table in report.tables:
        sheet.append([])
        sheet.append([table_title(t, table)])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=12)
        sheet.append(["", *(column_label(t, table, c) for c in table.columns)])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True)
        for row in table.rows:
            values: list[object] = [row_label(t, table, row.key)]
            values += [t("stats.suppressed") if cell.suppressed else cell.value for cell in row.cells]
            sheet.append(values)
            line = sheet[sheet.max_row][: 1 + len(table.columns)]
            if row.key == TOTAL:
                for cell in line:
                    cell.font = bold
            for cell, column in zip(line[1:], table.columns, strict=True):
                if isinstance(cell.value, float):
                    cell.number_format = _PERCENT_FORMAT if column.kind == "percent" else _DECIMAL_FORMAT
                else:
                    cell.alignment = Alignment(horizontal="right")
    sheet.append([])
    for text in legend(t, report):
        sheet.append([text])
    sheet.column_dimensions["A"].width = 48
    for letter in "BCDEFG":
        sheet.column_dimensions[letter].width = 18
    book.properties.creator = "Suivi"
    book.properties.created = book.properties.modified = made_at.replace(tzinfo=None)
    written = io.BytesIO()
    book.save(written)
    return _fixed_times(written.getvalue(), made_at)


def _heading(report: StatisticsReport, t: Translator, made_at: datetime) -> list[str]:
    period = Period(report.period_from, report.period_to)
    return [
        t("stats.file.title", period=period_label(t, period)),
        t("stats.file.made", day=t.date(made_at), threshold=report.threshold),
    ]


def _csv_value(value: int | float | None, french: bool) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text.replace(".", ",") if french else text


def _fixed_times(xlsx: bytes, made_at: datetime) -> bytes:
    """The same workbook, each part stamped with ``made_at``: the same report gives the same bytes."""
    stamp = made_at.timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
