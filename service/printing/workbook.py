"""What every spreadsheet shares: a header block, a bold table head, widths that fit, and its bytes."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="E8ECEF")


def new_workbook(title: str) -> tuple[Workbook, Worksheet]:
    book = Workbook()
    book.properties.creator = "Suivi"
    book.properties.title = title
    sheet = book.active
    assert sheet is not None
    return book, sheet


def header(sheet: Worksheet, lines: Sequence[str]) -> int:
    """The document's title lines at the top (the first in bold); returns the next free row."""
    for row, text in enumerate(lines, start=1):
        cell = sheet.cell(row=row, column=1, value=text)
        cell.font = Font(bold=row == 1, size=14 if row == 1 else 11)
    return len(lines) + 2


def table(sheet: Worksheet, first_row: int, heads: Sequence[str], rows: Sequence[Sequence[object]]) -> int:
    """A table with a bold, shaded head and thin borders; returns the row after it."""
    for column, text in enumerate(heads, start=1):
        cell = sheet.cell(row=first_row, column=column, value=text)
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
        cell.border = BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for offset, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=first_row + offset, column=column, value=value)
            cell.border = BOX
            cell.alignment = Alignment(vertical="center")
    return first_row + len(rows) + 1


def widths(sheet: Worksheet, sizes: Sequence[float]) -> None:
    for column, size in enumerate(sizes, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = size


def xlsx_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
