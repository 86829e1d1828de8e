"""The statistics page: the figures of a month, a quarter or a year, their charts, files and frozen reports.

What it shows is the published report (``service.application.reports``): every count of
fewer than ``small_cell_threshold`` people, and every figure that would give one back, is
"masqué" here as in the files. The charts are SVG drawn in the server (``service.web.charts``).
Only the DPO freezes a report; the other readers download the frozen ones.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
from uuid import UUID

from babel.dates import format_date
from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from markupsafe import Markup

from service.application.context import ApplicationContext
from service.application.frozen_reports import FrozenReport
from service.application.report_files import (
    MEDIA_TYPES,
    column_label,
    month_label,
    period_label,
    row_label,
    table_title,
)
from service.application.reports import Cell, Column, Period, StatisticsReport, Table
from service.application.views.statistics import (
    ISSUERS,
    READERS,
    issue_report,
    issued_file,
    issued_reports,
    statistics,
    statistics_file,
)
from service.http.deps import Services
from service.web.charts import Point, Series, bars, lines
from service.web.viewer import Form, Viewer, page, pages_for
from service.words.translator import Translator

Download = Literal["csv", "xlsx"]
_BAR_TABLES = ("people_per_service", "office_hours_requests", "referrals_made", "nationalities")
_LINES = ("people_served", "new_people", "office_hours_requests", "referrals_made")


def _choices(t: Translator, today: date) -> list[tuple[str, list[tuple[str, str]]]]:
    """The periods offered: the last 12 months, the last 6 quarters, the last 3 years."""
    months = []
    month = date(today.year, today.month, 1)
    for _ in range(12):
        months.append(Period(month, month))
        month = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    quarter = (today.month - 1) // 3
    quarters = []
    for n in range(6):
        index = today.year * 4 + quarter - n
        first = date(index // 4, 3 * (index % 4) + 1, 1)
        quarters.append(Period(first, date(first.year, first.month + 2, 1)))
    years = [Period(date(y, 1, 1), date(y, 12, 1)) for y in range(today.year, today.year - 3, -1)]
    return [
        (t(group), [(p.code, _capital(period_label(t, p))) for p in periods])
        for group, periods in (
            ("stats.period.years", years),
            ("stats.period.quarters", quarters),
            ("stats.period.months", months),
        )
    ]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _shown(t: Translator, cell: Cell, column: Column, threshold: int) -> str:
    if cell.suppressed:
        return t("stats.suppressed")
    if cell.value is None:
        return "—"
    if column.kind == "percent":
        return t("format.percent", n=t.number(cell.value))
    if column.kind == "gain":
        return (
            t.gain(cell.value)
            if isinstance(cell.value, int)
            else f"+{t.number(cell.value)}"
            if cell.value > 0
            else t.number(cell.value)
        )
    return t.number(cell.value)


def _bars(t: Translator, table: Table, threshold: int) -> Markup:
    points = [
        Point(
            row_label(t, table, row.key),
            None if row.cells[0].suppressed else row.cells[0].value,
            _shown(t, row.cells[0], table.columns[0], threshold),
        )
        for row in table.rows
        if row.key != "total"
    ]
    said = [t("format.labelled", label=p.label, value=p.shown) for p in points]
    return bars(table_title(t, table), points, said)


def _lines(t: Translator, report: StatisticsReport) -> Markup | None:
    months = report.table("months")
    rows = [row for row in months.rows if row.key != "total"]
    if len(rows) < 2:
        return None
    series = []
    for index, column in enumerate(months.columns):
        points = [
            Point(
                format_date(date.fromisoformat(f"{row.key}-01"), "LLL", locale=t.locale),
                None if row.cells[index].suppressed else row.cells[index].value,
                _shown(t, row.cells[index], column, report.threshold),
            )
            for row in rows
        ]
        series.append(Series(column_label(t, months, column), points))
    said = [
        t("stats.chart.point", month=f"{s.name}, {month_label(t, date.fromisoformat(f'{row.key}-01'))}", value=p.shown)
        for s in series
        for row, p in zip(rows, s.points, strict=True)
    ]
    return lines(t("stats.chart.lines"), series, said)


def _page(
    viewer: Viewer,
    services: Services,
    report: StatisticsReport,
    frozen: list[FrozenReport],
    *,
    error: str = "",
    done: str = "",
) -> Template:
    t = Translator(viewer.language)
    threshold = report.threshold
    tables = [
        {
            "title": table_title(t, table),
            "columns": [column_label(t, table, c) for c in table.columns],
            "rows": [
                (
                    row_label(t, table, row.key),
                    row.key == "total",
                    [
                        (_shown(t, cell, c, threshold), cell.suppressed)
                        for cell, c in zip(row.cells, table.columns, strict=True)
                    ],
                )
                for row in table.rows
            ],
        }
        for table in report.tables
    ]
    overview = report.table("overview")
    key_figures = [
        (column_label(t, overview, c), _shown(t, cell, c, threshold), cell.suppressed)
        for c, cell in zip(overview.columns, overview.rows[0].cells, strict=True)
    ]
    return page(
        viewer,
        "statistics/page.html",
        "stats.title",
        report=report,
        period=Period(report.period_from, report.period_to),
        period_name=period_label(t, Period(report.period_from, report.period_to)),
        choices=_choices(t, services.clock().date()),
        key_figures=key_figures,
        tables=tables[1:],
        charts=[(table_title(t, report.table(key)), _bars(t, report.table(key), threshold)) for key in _BAR_TABLES],
        line_chart=_lines(t, report),
        frozen=[(r, period_label(t, Period(r.period_from, r.period_to))) for r in frozen],
        may_issue=viewer.has(*ISSUERS),
        error=error,
        done=done,
        suppressed_why=t("stats.suppressed.why", n=threshold),
    )


def _default(services: Services) -> Period:
    today = services.clock().date()
    return Period(date(today.year, 1, 1), date(today.year, 12, 1))


@get("/", include_in_schema=False)
async def statistics_page(
    viewer: NamedDependency[Viewer],
    services: NamedDependency[Services],
    ctx: NamedDependency[ApplicationContext],
    period: FromQuery[str] = "",
    done: FromQuery[str] = "",
) -> Template:
    chosen = Period.parse(period) if period else _default(services)
    actor = viewer.principal.actor
    report = await statistics(ctx, actor, chosen or _default(services), services.settings.small_cell_threshold)
    frozen = await issued_reports(ctx, actor)
    answer = _page(
        viewer,
        services,
        report,
        frozen,
        error="" if chosen else "stats.error.period",
        done="stats.frozen.done" if done == "frozen" else "",
    )
    if chosen is None:
        answer.status_code = 422
    return answer


@get("/report/{kind:str}", include_in_schema=False)
async def download(
    kind: FromPath[str],
    viewer: NamedDependency[Viewer],
    services: NamedDependency[Services],
    ctx: NamedDependency[ApplicationContext],
    period: FromQuery[str] = "",
) -> Response[Any]:
    chosen = Period.parse(period)
    if chosen is None or kind not in MEDIA_TYPES:
        return Redirect("/ui/statistics?period=invalid", status_code=303)
    threshold = services.settings.small_cell_threshold
    content = await statistics_file(ctx, viewer.principal.actor, chosen, threshold, _format(kind), viewer.language)
    return _attachment(content, kind, f"statistiques-{chosen.code}")


@get("/reports/{report_id:uuid}/{kind:str}", include_in_schema=False)
async def frozen_download(
    report_id: FromPath[UUID],
    kind: FromPath[str],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    if kind not in MEDIA_TYPES:
        return Redirect("/ui/statistics", status_code=303)
    frozen = await issued_file(ctx, viewer.principal.actor, report_id, _format(kind))
    return _attachment(frozen.content, kind, f"rapport-{report_id}")


@post("/reports", include_in_schema=False, guards=pages_for(*ISSUERS))
async def freeze(
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    services: NamedDependency[Services],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    chosen = Period.parse(form.text("period", 20))
    if chosen is None:
        return Redirect("/ui/statistics?period=invalid", status_code=303)
    threshold = services.settings.small_cell_threshold
    await issue_report(
        ctx, viewer.principal.actor, chosen, threshold, viewer.language, idempotency_key=form.key(viewer)
    )
    return Redirect(f"/ui/statistics?period={chosen.code}&done=frozen", status_code=303)


def _format(kind: str) -> Literal["csv", "xlsx"]:
    return "xlsx" if kind == "xlsx" else "csv"


def _attachment(content: bytes, kind: str, name: str) -> Response[bytes]:
    return Response(
        content, media_type=MEDIA_TYPES[kind], headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'}
    )


ROUTES = [
    Router(
        "/ui/statistics",
        route_handlers=[statistics_page, download, frozen_download, freeze],
        guards=pages_for(*READERS),
    )
]
