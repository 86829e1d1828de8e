"""Anonymous statistics as published (small cells withheld), their files, and the frozen reports.

The figures hold no person id and no name, so reading them is no access to anyone's data.
Social workers, the DPO and the admin read them; only the DPO issues a report. The
threshold below which a count is withheld is the setting ``small_cell_threshold``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, Operation, Schema
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from domain.errors import InvalidValueError
from service.application.context import Actor, ApplicationContext
from service.application.frozen_reports import FrozenReport, IssuedReport
from service.application.report_files import CSV_TYPE, MEDIA_TYPES, XLSX_TYPE
from service.application.reports import Period, StatisticsReport
from service.application.views.statistics import (
    ISSUERS,
    READERS,
    issue_report,
    issued_file,
    issued_reports,
    statistics_file,
)
from service.application.views.statistics import statistics as figures
from service.http.deps import Command, Services
from service.http.guards import requires
from service.http.security import Principal
from service.http.wire import Request
from service.words.catalogue import language_or_default

_MONTH = r"^[12]\d{3}-(0[1-9]|1[0-2])$"
_PERIOD = r"^[12]\d{3}(-(0[1-9]|1[0-2]|Q[1-4]))?$"
Month = Annotated[str, msgspec.Meta(pattern=_MONTH, examples=["2026-09"])]
MonthQuery = Annotated[str, QueryParameter(pattern=_MONTH)]
PeriodQuery = Annotated[str, QueryParameter(pattern=_PERIOD)]
FileFormat = Literal["json", "csv", "xlsx"]


class Months(Request, frozen=True):
    period_from: Month
    period_to: Month


def _months(period_from: str, period_to: str) -> Period:
    first, last = (date(int(m[:4]), int(m[5:7]), 1) for m in (period_from, period_to))
    if last < first:
        raise InvalidValueError("period_to must not be before period_from", field="period_to")
    return Period(first, last)


@dataclass
class _Files(Operation):
    """The operation of a report that answers JSON, CSV or XLSX, as its ``format`` asks."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if ok is not None and not isinstance(ok, dict) and hasattr(ok, "content"):
            binary = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
            ok.content = {
                **(ok.content or {}),
                CSV_TYPE: OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
                XLSX_TYPE: OpenAPIMediaType(schema=binary),
            }


def _threshold(services: Services) -> int:
    return services.settings.small_cell_threshold


def _language(principal: Principal) -> str:
    """The reader's language: the headings of a file are in it (French unless they chose English)."""
    return language_or_default(principal.staff.language)


def _file(content: bytes, kind: FileFormat, name: str, digest: bytes | None = None, status: int = 200) -> Response[Any]:
    """The bytes as they are (a frozen report's are the ones handed out), typed by the format."""
    headers = {}
    if kind != "json":
        headers["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    if digest is not None:
        headers["Repr-Digest"] = f"sha-256=:{base64.b64encode(digest).decode()}:"  # RFC 9530
    return Response(content, media_type=MEDIA_TYPES.get(kind, "application/json"), headers=headers, status_code=status)


@get("/")
async def statistics(
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    services: NamedDependency[Services],
    period_from: FromQuery[MonthQuery],
    period_to: FromQuery[MonthQuery],
) -> StatisticsReport:
    """Figures for the months from ``period_from`` to ``period_to`` (both YYYY-MM, inclusive), as published.

    ``period_to`` must not be before ``period_from``: otherwise 422, naming ``period_to``.
    Every count from 1 to the small-cell threshold less one is withheld (``suppressed``,
    no ``value``), and so are the cells that would give one back through a total.
    """
    return await figures(ctx, actor, _months(period_from, period_to), _threshold(services))


@get("/report", operation_class=_Files, response_description="The report, in the format asked for.")
async def report_file(
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    services: NamedDependency[Services],
    principal: NamedDependency[Principal],
    period: FromQuery[PeriodQuery],
    format: FromQuery[FileFormat] = "json",
) -> Response[StatisticsReport]:
    """The published figures of a month (``2026-11``), a quarter (``2026-Q4``) or a year (``2026``).

    ``format``: ``json`` (the tables), ``csv`` (text/csv) or ``xlsx``
    (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet); the files' headings
    are in the reader's language, their figures are numbers, a withheld one is a word.
    """
    chosen = Period.parse(period)
    if chosen is None:  # the pattern lets only good periods through; a year 1000 to 2999 at worst
        raise InvalidValueError("period must be a month, a quarter or a year", field="period")
    content = await statistics_file(ctx, actor, chosen, _threshold(services), format, _language(principal))
    return _file(content, format, f"statistiques-{chosen.code}")


@post("/reports", guards=[requires(*ISSUERS)])
async def issue(
    data: JSONBody[Months],
    command: NamedDependency[Command],
    services: NamedDependency[Services],
    principal: NamedDependency[Principal],
) -> Response[IssuedReport]:
    """Freeze the figures as handed out (DPO); a retry with the same Idempotency-Key answers the same report.

    ``period_to`` must not be before ``period_from``: otherwise 422, naming ``period_to``.
    The report's JSON, CSV and XLSX are made now and kept as they are: reading them back
    later gives the same bytes (``Repr-Digest``: their SHA-256).
    """
    period = _months(data.period_from, data.period_to)
    frozen = await issue_report(
        command.ctx,
        command.actor,
        period,
        _threshold(services),
        _language(principal),
        idempotency_key=command.idempotency_key,
    )
    return _file(frozen.content, "json", "", frozen.digest, status=201)


@get("/reports")
async def reports(ctx: NamedDependency[ApplicationContext], actor: NamedDependency[Actor]) -> list[FrozenReport]:
    """The reports handed out, the latest first, with the SHA-256 of each of their files."""
    return await issued_reports(ctx, actor)


@get("/reports/{report_id:uuid}", operation_class=_Files, response_description="The report as handed out.")
async def report(
    report_id: FromPath[UUID],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    format: FromQuery[FileFormat] = "json",
) -> Response[IssuedReport]:
    """A frozen report, byte for byte as handed out: ``json``, ``csv`` or ``xlsx`` (``Repr-Digest``: its SHA-256)."""
    frozen = await issued_file(ctx, actor, report_id, format)
    return _file(frozen.content, format, f"rapport-{report_id}", frozen.digest)


ROUTES = [
    Router(
        "/statistics",
        route_handlers=[statistics, report_file, issue, reports, report],
        guards=[requires(*READERS)],
        tags=["statistics"],
    )
]
