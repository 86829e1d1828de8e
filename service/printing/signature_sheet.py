"""The day's signature sheet (feuille de présence), as PDF and as XLSX.

Printed before the session: the centre, the cohort, the day, each learner's name and file
number with a box to sign, and a line for the trainer's signature.
"""

from __future__ import annotations

from service.printing.models import SignatureSheet
from service.printing.pdf import HEADINGS, Document
from service.printing.workbook import header, new_workbook, table, widths, xlsx_bytes
from service.words.translator import Translator

_SIGN_ROW_MM = 11


def _title_lines(t: Translator, sheet: SignatureSheet) -> list[str]:
    day = t.long_date(sheet.day)
    lines = [
        sheet.centre,
        t("print.sheet.title"),
        t("print.cohort_line", cohort=sheet.cohort_name, site=sheet.site),
        t("print.sheet.day_line", day=day, hours=t.count("hours", sheet.hours_per_day)),
    ]
    if sheet.trainers:
        lines.append(t("print.sheet.trainers", names=", ".join(sheet.trainers)))
    return lines


def _heads(t: Translator) -> list[str]:
    return ["#", t("print.family_name"), t("print.given_name"), t("print.file_number"), t("print.sheet.signature")]


def signature_sheet_pdf(sheet: SignatureSheet, language: str) -> bytes:
    t = Translator(language)
    pdf = Document(t, t("print.sheet.title"))
    centre, title, *rest = _title_lines(t, sheet)
    pdf.line_of(centre, 12, bold=True)
    pdf.line_of(title, 16, bold=True, gap=2)
    for line in rest:
        pdf.line_of(line, 10)
    pdf.ln(3)
    if not sheet.learners:
        pdf.line_of(t("print.no_learner"), 10, muted=True)
    else:
        pdf.style(10)
        with pdf.table(
            col_widths=(8, 48, 42, 30, 52),
            line_height=_SIGN_ROW_MM,
            headings_style=HEADINGS,
            text_align=("RIGHT", "LEFT", "LEFT", "LEFT", "LEFT"),
            first_row_as_headings=True,
        ) as grid:
            heading = grid.row()
            for text in _heads(t):
                heading.cell(text)
            for number, learner in enumerate(sheet.learners, start=1):
                row = grid.row()
                for text in (str(number), learner.family_name, learner.given_name, learner.file_number, ""):
                    row.cell(text)
    pdf.ln(8)
    pdf.signature_line(t("print.sheet.trainer_signature"))
    pdf.line_of(t("print.sheet.present_count"), 10)
    return pdf.pdf_bytes()


def signature_sheet_xlsx(sheet: SignatureSheet, language: str) -> bytes:
    t = Translator(language)
    book, ws = new_workbook(t("print.sheet.title"))
    ws.title = t("print.sheet.tab")
    row = header(ws, _title_lines(t, sheet))
    rows = [[n, x.family_name, x.given_name, x.file_number, ""] for n, x in enumerate(sheet.learners, start=1)]
    after = table(ws, row, _heads(t), rows)
    for line in range(row + 1, after):
        ws.row_dimensions[line].height = 30
    ws.cell(row=after + 1, column=1, value=t("print.sheet.trainer_signature"))
    ws.cell(row=after + 3, column=1, value=t("print.sheet.present_count"))
    widths(ws, (5, 28, 24, 16, 40))
    ws.print_options.gridLines = False
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    return xlsx_bytes(book)
