"""The monthly attendance summary (relevé mensuel des présences), as PDF and as XLSX.

Per learner: the hours attended and planned, the sessions attended among those held, the
attendance rate, and the absences with their reason (justified or not). The XLSX adds the
day-by-day detail, for the funders' own sheets.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from openpyxl.styles import Font  # type: ignore[import-untyped]

from service.printing.models import LearnerMonth, MonthSummary
from service.printing.pdf import HEADINGS, Document
from service.printing.workbook import header, new_workbook, table, widths, xlsx_bytes
from service.words.translator import Translator


def month_label(t: Translator, month: date) -> str:
    """Septembre 2026."""
    text = format_date(month, "LLLL yyyy", locale=t.locale)
    return text[:1].upper() + text[1:]


def month_name(t: Translator, summary: MonthSummary) -> str:
    return month_label(t, summary.month)


def _title_lines(t: Translator, summary: MonthSummary) -> list[str]:
    held = len(summary.sessions_held)
    return [
        summary.centre,
        t("print.summary.title", month=month_name(t, summary)),
        t("print.cohort_line", cohort=summary.cohort_name, site=summary.site),
        t(
            "print.summary.sessions_line",
            sessions=t.plural("print.sessions", len(summary.session_days)),
            held=t.plural("print.sessions", held),
            until=t.date(summary.held_until),
            hours=t.count("hours", summary.hours_per_day),
        ),
    ]


def _heads(t: Translator) -> list[str]:
    return [
        t("print.family_name"),
        t("print.given_name"),
        t("print.file_number"),
        t("print.summary.hours_attended"),
        t("print.summary.hours_planned"),
        t("print.summary.sessions_attended"),
        t("print.summary.rate"),
        t("print.summary.excused"),
        t("print.summary.unexcused"),
        t("print.summary.unrecorded"),
    ]


def _row(t: Translator, learner: LearnerMonth) -> list[str]:
    return [
        learner.family_name,
        learner.given_name,
        learner.file_number,
        t.number(learner.hours_attended),
        t.number(learner.hours_planned),
        t("print.summary.of", part=learner.sessions_attended, whole=learner.sessions_held),
        t.percent(learner.rate),
        str(learner.excused),
        str(learner.unexcused),
        str(learner.sessions_unrecorded),
    ]


def attendance_summary_pdf(summary: MonthSummary, language: str) -> bytes:
    t = Translator(language)
    pdf = Document(t, t("print.summary.title", month=month_name(t, summary)), landscape=True)
    centre, title, *rest = _title_lines(t, summary)
    pdf.line_of(centre, 12, bold=True)
    pdf.line_of(title, 16, bold=True, gap=2)
    for line in rest:
        pdf.line_of(line, 10)
    pdf.ln(3)
    if not summary.learners:
        pdf.line_of(t("print.no_learner"), 10, muted=True)
        return pdf.pdf_bytes()
    pdf.style(9)
    with pdf.table(
        col_widths=(40, 34, 28, 22, 22, 24, 22, 22, 24, 22),
        line_height=6,
        headings_style=HEADINGS,
        text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
    ) as grid:
        heading = grid.row()
        for text in _heads(t):
            heading.cell(text)
        for learner in summary.learners:
            row = grid.row()
            for text in _row(t, learner):
                row.cell(text)
    pdf.ln(6)
    pdf.line_of(t("print.summary.absences"), 12, bold=True)
    absences = [(learner, absence) for learner in summary.learners for absence in learner.absences]
    if not absences:
        pdf.line_of(t("print.summary.no_absence"), 10, muted=True)
    for learner, absence in absences:
        pdf.line_of(
            t(
                "print.summary.absence_line",
                name=f"{learner.given_name} {learner.family_name}",
                day=t.date(absence.day),
                reason=t(f"print.reason.{absence.status}"),
            ),
            10,
            gap=0,
        )
    pdf.ln(4)
    pdf.line_of(t("print.summary.method"), 8, muted=True)
    return pdf.pdf_bytes()


def attendance_summary_xlsx(summary: MonthSummary, language: str) -> bytes:
    t = Translator(language)
    book, ws = new_workbook(t("print.summary.title", month=month_name(t, summary)))
    ws.title = t("print.summary.tab")
    row = header(ws, _title_lines(t, summary))
    rows = [
        [
            x.family_name,
            x.given_name,
            x.file_number,
            float(x.hours_attended),
            float(x.hours_planned),
            x.sessions_attended,
            x.sessions_held,
            x.rate,
            x.excused,
            x.unexcused,
            x.sessions_unrecorded,
        ]
        for x in summary.learners
    ]
    heads = _heads(t)
    heads[5:6] = [t("print.summary.sessions_attended"), t("print.summary.sessions_held")]
    after = table(ws, row, heads, rows)
    for line in range(row + 1, after):
        ws.cell(row=line, column=8).number_format = "0%"
    ws.cell(row=after + 1, column=1, value=t("print.summary.method")).font = Font(italic=True, size=9)
    widths(ws, (24, 20, 14, 12, 12, 12, 12, 12, 12, 12, 12))

    absences = book.create_sheet(t("print.summary.absences_tab"))
    first = header(absences, [t("print.summary.absences")])
    lines = [
        [x.family_name, x.given_name, x.file_number, a.day, t(f"print.reason.{a.status}")]
        for x in summary.learners
        for a in x.absences
    ]
    table(
        absences,
        first,
        [t("print.family_name"), t("print.given_name"), t("print.file_number"), t("print.day"), t("print.reason")],
        lines,
    )
    for line in range(first + 1, first + 1 + len(lines)):
        absences.cell(row=line, column=4).number_format = "DD/MM/YYYY"
    widths(absences, (24, 20, 14, 12, 28))

    detail = book.create_sheet(t("print.summary.detail_tab"))
    first = header(detail, [t("print.summary.detail")])
    days = summary.sessions_held
    grid = [
        [x.family_name, x.given_name, *(t.of("attendance", x.days[d]) if d in x.days else "" for d in days)]
        for x in summary.learners
    ]
    table(detail, first, [t("print.family_name"), t("print.given_name"), *(t.date(d) for d in days)], grid)
    widths(detail, (24, 20, *(11 for _ in days)))
    return xlsx_bytes(book)
