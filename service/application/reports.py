"""The funder report of a period: the statistics as tables, with every small count withheld.

The statistics projection keeps raw counts; nothing leaves Suivi without going through
``build_report``, which lays the figures out as tables and passes every count of every
table, with the sums that hold between them, through one small-cell suppression
(``projections.small_cells``). A figure shown in several tables (the new people: in the
overview, as the nationalities' total and as the months' total) is one cell, withheld
everywhere or nowhere. Gains, hours and rates are published only for groups of at least
``threshold`` people, and a rate only when the counts it is made of are published too
(otherwise it would give them back).

The report holds codes (a country's ISO code, a request category), never words: the
page and the files put them in the reader's words (``service.web`` and ``report_files``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import msgspec

from domain.digcomp import AREAS
from domain.office_hours import RequestCategory
from domain.organisations import OrganisationKind
from domain.training import AttendanceStatus
from projections.small_cells import Sum, suppress
from projections.statistics import Statistics

Kind = Literal["count", "hours", "percent", "gain"]
"""What a column holds: a count of people or records, hours, a percentage (0-100), a mean gain in levels."""

TOTAL = "total"
"""The key of a total row or column."""

_PERIOD = re.compile(r"^(?P<year>[12]\d{3})(?:-(?:(?P<month>0[1-9]|1[0-2])|Q(?P<quarter>[1-4])))?$")
OUTCOMES = ("accepted", "declined", "completed", "withdrawn")
DESTINATIONS = ("social_legal", *(kind.value for kind in OrganisationKind))


class Cell(msgspec.Struct, frozen=True):
    """A published figure; ``suppressed``: withheld (too few people, or it would give a small count back)."""

    value: float | None
    """A count (an int), a rate or a mean; ``float`` alone, because JSON Schema's number already holds the
    integers (``int | float`` would make a count match two schemas)."""
    suppressed: bool = False


class Column(msgspec.Struct, frozen=True):
    key: str
    kind: Kind


class Row(msgspec.Struct, frozen=True):
    key: str
    cells: list[Cell]


class Table(msgspec.Struct, frozen=True):
    """Rows by code; a row or a column keyed ``total`` is the sum of the others."""

    key: str
    columns: list[Column]
    rows: list[Row]


class StatisticsReport(msgspec.Struct, frozen=True):
    period: str
    """``2026-11``, ``2026-Q4``, ``2026``, or ``2026-09/2026-11`` for another run of months."""
    period_from: date
    period_to: date
    threshold: int
    """No count from 1 to ``threshold - 1`` is published."""
    tables: list[Table]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


@dataclass(frozen=True)
class Period:
    """A month, a quarter or a year (or a run of months), as the first days of its first and last months."""

    first: date
    last: date

    @classmethod
    def parse(cls, text: str) -> Period | None:
        """``2026-11``, ``2026-Q4`` or ``2026``; None for anything else (the caller says what was wrong)."""
        found = _PERIOD.match(text.strip())
        if found is None:
            return None
        year = int(found["year"])
        if found["month"]:
            month = int(found["month"])
            return cls(date(year, month, 1), date(year, month, 1))
        if found["quarter"]:
            quarter = int(found["quarter"])
            return cls(date(year, 3 * quarter - 2, 1), date(year, 3 * quarter, 1))
        return cls(date(year, 1, 1), date(year, 12, 1))

    @property
    def code(self) -> str:
        first, last = self.first, self.last
        if first == last:
            return f"{first:%Y-%m}"
        if first.year == last.year and first.month % 3 == 1 and last.month == first.month + 2:
            return f"{first.year}-Q{first.month // 3 + 1}"
        if first.year == last.year and (first.month, last.month) == (1, 12):
            return str(first.year)
        return f"{first:%Y-%m}/{last:%Y-%m}"

    @property
    def months(self) -> int:
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1


@dataclass
class _Layout:
    """Tables being laid out: each count is a keyed cell, and the sums between cells are kept."""

    threshold: int
    counts: dict[str, int] = field(default_factory=dict)
    sums: list[Sum[str]] = field(default_factory=list)
    tables: list[tuple[str, list[Column], list[tuple[str, list[str | Callable[[frozenset[str]], Cell]]]]]] = field(
        default_factory=list
    )

    def count(self, key: str, value: int) -> str:
        known = self.counts.setdefault(key, value)
        assert known == value, key  # one figure shown twice is the same cell
        return key

    def add_sum(self, total: str, parts: list[str]) -> None:
        self.sums.append(Sum(total, tuple(parts)))

    def published(self) -> list[Table]:
        withheld = suppress(self.counts, self.sums, self.threshold)
        tables = []
        for key, columns, rows in self.tables:
            shown = [Row(code, [self._cell(c, withheld) for c in cells]) for code, cells in rows]
            tables.append(Table(key, columns, shown))
        return tables

    def _cell(self, cell: str | Callable[[frozenset[str]], Cell], withheld: frozenset[str]) -> Cell:
        if callable(cell):
            return cell(withheld)
        return Cell(None, True) if cell in withheld else Cell(self.counts[cell])


def build_report(figures: Statistics, threshold: int) -> StatisticsReport:
    """The published report of ``figures``: no count from 1 to ``threshold - 1``, none that can be worked out."""
    layout = _Layout(threshold)
    _overview(layout, figures)
    _services(layout, figures)
    _nationalities(layout, figures)
    _months(layout, figures)
    _counted(layout, "attendance", [s.value for s in AttendanceStatus], figures.attendance)
    _counted(layout, "training_outcomes", ["completed", "withdrawn"], figures.training_outcomes)
    _digcomp(layout, figures)
    _counted(layout, "office_hours_requests", [c.value for c in RequestCategory], figures.office_hours_requests)
    _counted(layout, "referrals_made", list(DESTINATIONS), figures.referrals_made)
    _referral_outcomes(layout, figures)
    period = Period(figures.period_from, figures.period_to)
    return StatisticsReport(period.code, period.first, period.last, threshold, layout.published())


def _overview(layout: _Layout, figures: Statistics) -> None:
    enough_learners = figures.learners >= layout.threshold or figures.learners == 0  # no one: nothing to hide
    hours = float(figures.training_hours)
    attended = ["attendance:present:count", "attendance:late:count", "attendance:total:count"]
    outcomes = ["training_outcomes:completed:count", "training_outcomes:total:count"]
    finished = sum(figures.training_outcomes.values())

    def attendance_rate(withheld: frozenset[str]) -> Cell:
        total = sum(figures.attendance.values())
        present = figures.attendance.get("present", 0) + figures.attendance.get("late", 0)
        return _rate(present, total, enough_learners and not withheld & set(attended))

    def completion_rate(withheld: frozenset[str]) -> Cell:
        published = finished >= layout.threshold and not withheld & set(outcomes)
        return _rate(figures.training_outcomes.get("completed", 0), finished, published)

    columns = [
        Column("people_served", "count"),
        Column("new_people", "count"),
        Column("learners", "count"),
        Column("training_hours", "hours"),
        Column("attendance_rate", "percent"),
        Column("completion_rate", "percent"),
    ]
    row: list[str | Callable[[frozenset[str]], Cell]] = [
        layout.count("people_served", figures.people_served),
        layout.count("new_people", figures.new_people),
        layout.count("learners", figures.learners),
        lambda withheld: Cell(round(hours, 2)) if enough_learners else _not_published(hours),
        attendance_rate,
        completion_rate,
    ]
    layout.tables.append(("overview", columns, [(TOTAL, row)]))


def _services(layout: _Layout, figures: Statistics) -> None:
    """People per service: no total, since one person may use several services."""
    rows: list[tuple[str, list[str | Callable[[frozenset[str]], Cell]]]] = [
        (service, [layout.count(f"service:{service}", figures.people_per_service.get(service, 0))])
        for service in ("training", "office_hours", "social_legal")
    ]
    layout.tables.append(("people_per_service", [Column("people", "count")], rows))


def _nationalities(layout: _Layout, figures: Statistics) -> None:
    """New people by nationality; the nationalities of fewer people are counted together, unnamed."""
    named = {code: n for code, n in figures.nationalities.items() if n >= layout.threshold}
    others = sum(n for code, n in figures.nationalities.items() if code not in named)
    rows: list[tuple[str, list[str | Callable[[frozenset[str]], Cell]]]] = [
        (code, [layout.count(f"nationality:{code}", n)]) for code, n in sorted(named.items())
    ]
    rows.append(("others", [layout.count("nationality:others", others)]))
    rows.append((TOTAL, [layout.count("new_people", figures.new_people)]))
    layout.add_sum("new_people", [str(cells[0]) for code, cells in rows[:-1]])
    layout.tables.append(("nationalities", [Column("people", "count")], rows))


def _months(layout: _Layout, figures: Statistics) -> None:
    """Month by month; the people served of the period are not the months' sum (a person comes back)."""
    measures = [
        ("people_served", None),
        ("new_people", "new_people"),
        ("office_hours_requests", "office_hours_requests:total:count"),
        ("referrals_made", "referrals_made:total:count"),
    ]
    rows: list[tuple[str, list[str | Callable[[frozenset[str]], Cell]]]] = []
    for month in figures.months:
        code = f"{month.period:%Y-%m}"
        rows.append((code, [layout.count(f"month:{code}:{m}", getattr(month, m)) for m, _ in measures]))
    totals: list[str | Callable[[frozenset[str]], Cell]] = [layout.count("people_served", figures.people_served)]
    for index, (measure, total) in enumerate(measures[1:], start=1):
        assert total is not None
        value = sum(getattr(month, measure) for month in figures.months)
        totals.append(layout.count(total, value))
        layout.add_sum(total, [str(cells[index]) for _, cells in rows])
    rows.append((TOTAL, totals))
    layout.tables.append(("months", [Column(m, "count") for m, _ in measures], rows))


def _counted(layout: _Layout, key: str, codes: list[str], counts: dict[str, int]) -> None:
    """A one-column table of counts by code, with its total."""
    every = [*codes, *(code for code in sorted(counts) if code not in codes)]
    rows: list[tuple[str, list[str | Callable[[frozenset[str]], Cell]]]] = [
        (code, [layout.count(f"{key}:{code}:count", counts.get(code, 0))]) for code in every
    ]
    total = layout.count(f"{key}:{TOTAL}:count", sum(counts.values()))
    layout.add_sum(total, [str(cells[0]) for _, cells in rows])
    rows.append((TOTAL, [total]))
    layout.tables.append((key, [Column("count", "count")], rows))


def _digcomp(layout: _Layout, figures: Statistics) -> None:
    """Learners assessed at the start and the end, per area, and their mean gain (for enough learners)."""
    rows: list[tuple[str, list[str | Callable[[frozenset[str]], Cell]]]] = []
    for area in AREAS:
        learners = figures.digcomp_learners.get(area.code, 0)
        gain = figures.digcomp_gain_per_area.get(area.code)
        enough = learners >= layout.threshold
        shown = Cell(None) if gain is None else Cell(round(gain, 2)) if enough else _not_published(gain)
        rows.append((area.code, [layout.count(f"digcomp:{area.code}", learners), _fixed(shown)]))
    layout.tables.append(("digcomp", [Column("learners", "count"), Column("mean_gain", "gain")], rows))


def _referral_outcomes(layout: _Layout, figures: Statistics) -> None:
    """Outcomes by destination: rows and columns with their totals, and the grand total."""
    destinations = [*DESTINATIONS, *(d for d in sorted(figures.referral_outcomes) if d not in DESTINATIONS)]
    rows: list[tuple[str, list[str | Callable[[frozenset[str]], Cell]]]] = []
    grid: dict[tuple[str, str], str] = {}
    for destination in [*destinations, TOTAL]:
        for outcome in [*OUTCOMES, TOTAL]:
            if destination == TOTAL and outcome == TOTAL:
                value = sum(sum(v.values()) for v in figures.referral_outcomes.values())
            elif destination == TOTAL:
                value = sum(v.get(outcome, 0) for v in figures.referral_outcomes.values())
            elif outcome == TOTAL:
                value = sum(figures.referral_outcomes.get(destination, {}).values())
            else:
                value = figures.referral_outcomes.get(destination, {}).get(outcome, 0)
            grid[destination, outcome] = layout.count(f"referral_outcomes:{destination}:{outcome}", value)
        rows.append((destination, list(grid[destination, o] for o in [*OUTCOMES, TOTAL])))
    for destination in [*destinations, TOTAL]:
        layout.add_sum(grid[destination, TOTAL], [grid[destination, o] for o in OUTCOMES])
    for outcome in [*OUTCOMES, TOTAL]:
        layout.add_sum(grid[TOTAL, outcome], [grid[d, outcome] for d in destinations])
    columns = [Column(o, "count") for o in [*OUTCOMES, TOTAL]]
    layout.tables.append(("referral_outcomes", columns, rows))


def _rate(part: int, whole: int, published: bool) -> Cell:
    if not whole:
        return Cell(None)
    return Cell(round(100 * part / whole, 1)) if published else Cell(None, True)


def _not_published(value: float) -> Cell:
    """A gain, hours or a rate of too few people: withheld, whatever its value."""
    return Cell(None, True)


def _fixed(cell: Cell) -> Callable[[frozenset[str]], Cell]:
    return lambda withheld: cell
