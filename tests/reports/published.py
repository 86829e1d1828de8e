"""What a reader of a published report can do with it: read every cell, and solve the sums for the hidden ones.

Independent of ``projections.small_cells``: the sums are read off the published layout
(a row or a column called ``total``), together with the figures a report shows twice and
the rates it publishes, and solved with exact fractions.
"""

from __future__ import annotations

import csv
import io
from fractions import Fraction
from typing import Any

from openpyxl import load_workbook

Key = tuple[str, str, str]  # table, row, column

NOT_SUMS = {("months", "people_served")}
"""The people served over months are not the sum of each month's (a person comes back)."""
SAME = [
    [("overview", "total", "new_people"), ("nationalities", "total", "people"), ("months", "total", "new_people")],
    [("overview", "total", "people_served"), ("months", "total", "people_served")],
    [("months", "total", "office_hours_requests"), ("office_hours_requests", "total", "count")],
    [("months", "total", "referrals_made"), ("referrals_made", "total", "count")],
]
"""Figures shown in two tables: one unknown for a reader."""
COUNT_TABLES_WITHOUT_TOTALS = {"overview", "people_per_service", "digcomp"}


def cells(report: dict[str, Any]) -> dict[Key, dict[str, Any]]:
    found = {}
    for table in report["tables"]:
        for row in table["rows"]:
            for column, cell in zip(table["columns"], row["cells"], strict=True):
                found[table["key"], row["key"], column["key"]] = {**cell, "kind": column["kind"]}
    return found


def small_counts(report: dict[str, Any], threshold: int) -> list[tuple[Key, Any]]:
    """Every published count from 1 to ``threshold - 1``: there must be none."""
    return [
        (key, cell["value"])
        for key, cell in cells(report).items()
        if cell["kind"] == "count" and not cell["suppressed"] and 0 < cell["value"] < threshold
    ]


def equations(report: dict[str, Any]) -> list[dict[Key, Fraction]]:
    """Every linear relation a reader knows between the cells: ``sum(coefficient * cell) == 0``."""
    shown = cells(report)
    found: list[dict[Key, Fraction]] = []
    for table in report["tables"]:
        key, rows = table["key"], [r["key"] for r in table["rows"]]
        columns = [c["key"] for c in table["columns"]]
        if key in COUNT_TABLES_WITHOUT_TOTALS:
            continue
        if "total" in rows:
            for column in columns:
                if (key, column) in NOT_SUMS:
                    continue
                relation = {(key, r, column): Fraction(-1) for r in rows if r != "total"}
                relation[key, "total", column] = Fraction(1)
                found.append(relation)
        if "total" in columns:
            for row in rows:
                relation = {(key, row, c): Fraction(-1) for c in columns if c != "total"}
                relation[key, row, "total"] = Fraction(1)
                found.append(relation)
    for same in SAME:
        for other in same[1:]:
            found.append({same[0]: Fraction(1), other: Fraction(-1)})
    rates = [
        ("attendance_rate", ["present", "late"], ("attendance", "total", "count"), "attendance"),
        ("completion_rate", ["completed"], ("training_outcomes", "total", "count"), "training_outcomes"),
    ]
    for name, parts, whole, table in rates:
        rate = shown["overview", "total", name]
        if not rate["suppressed"] and rate["value"] is not None:  # a published rate ties its counts together
            relation = {(table, part, "count"): Fraction(1) for part in parts}
            relation[whole] = -Fraction(str(rate["value"])) / 100
            found.append(relation)
    return found


def recoverable(report: dict[str, Any]) -> list[Key]:
    """The hidden counts that the published cells, the totals and the rates determine exactly."""
    shown = cells(report)
    unknowns = [k for k, c in shown.items() if c["suppressed"] and c["kind"] == "count"]
    index = {k: i for i, k in enumerate(unknowns)}
    rows = []
    for relation in equations(report):
        row = [Fraction(0)] * (len(unknowns) + 1)
        for key, coefficient in relation.items():
            if key in index:
                row[index[key]] += coefficient
            else:
                row[-1] -= coefficient * Fraction(str(shown[key]["value"]))
        rows.append(row)
    solved = _solve(rows, len(unknowns))
    return [unknowns[i] for i in solved]


def _solve(rows: list[list[Fraction]], width: int) -> set[int]:
    """The unknowns that Gauss-Jordan elimination pins down to one value."""
    pivots: list[int] = []
    matrix = [list(r) for r in rows]
    line = 0
    for column in range(width):
        chosen = next((i for i in range(line, len(matrix)) if matrix[i][column]), None)
        if chosen is None:
            continue
        matrix[line], matrix[chosen] = matrix[chosen], matrix[line]
        lead = matrix[line][column]
        matrix[line] = [a / lead for a in matrix[line]]
        for i in range(len(matrix)):
            if i != line and matrix[i][column]:
                factor = matrix[i][column]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[line], strict=True)]
        pivots.append(column)
        line += 1
    return {column for n, column in enumerate(pivots) if sum(1 for a in matrix[n][:width] if a) == 1}


def read_csv(content: bytes) -> list[list[list[str]]]:
    """The tables of a French CSV (``;``, decimal comma): each a list of lines, its title first."""
    text = content.decode("utf-8-sig")
    tables: list[list[list[str]]] = []
    block: list[list[str]] = []
    for line in csv.reader(io.StringIO(text), delimiter=";"):
        if not line:
            if block:
                tables.append(block)
            block = []
        else:
            block.append(line)
    tables.append(block)
    return tables


def read_xlsx(content: bytes) -> list[list[list[Any]]]:
    sheet = load_workbook(io.BytesIO(content)).active
    tables: list[list[list[Any]]] = []
    block: list[list[Any]] = []
    for values in sheet.iter_rows(values_only=True):
        if all(v is None for v in values):
            if block:
                tables.append(block)
            block = []
        else:
            block.append([v for v in values])
    tables.append(block)
    return tables
