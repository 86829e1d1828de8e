"""Anonymous statistics per month, and frozen reports issued by the DPO.

The figures hold no person id and no name, so reading them is no access to anyone's
data. Social workers, the DPO and the admin read them; only the DPO issues a report.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from domain.errors import InvalidValueError
from service.application.context import Actor, ApplicationContext
from service.application.views.statistics import ISSUERS, READERS, Figures, Report, issue_report, issued_report
from service.application.views.statistics import statistics as figures
from service.http.deps import Command
from service.http.guards import requires
from service.http.wire import Request

_MONTH = r"^[12]\d{3}-(0[1-9]|1[0-2])$"
Month = Annotated[str, msgspec.Meta(pattern=_MONTH, examples=["2026-09"])]
MonthQuery = Annotated[str, QueryParameter(pattern=_MONTH)]


class Period(Request, frozen=True):
    period_from: Month
    period_to: Month


def _months(period_from: str, period_to: str) -> tuple[date, date]:
    first, last = (date(int(m[:4]), int(m[5:7]), 1) for m in (period_from, period_to))
    if last < first:
        raise InvalidValueError("period_to must not be before period_from", field="period_to")
    return first, last


@get("/")
async def statistics(
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    period_from: FromQuery[MonthQuery],
    period_to: FromQuery[MonthQuery],
) -> Figures:
    """Figures for the months from ``period_from`` to ``period_to`` (both YYYY-MM, inclusive).

    ``period_to`` must not be before ``period_from``: otherwise 422, naming ``period_to``.
    """
    return await figures(ctx, actor, *_months(period_from, period_to))


@post("/reports", guards=[requires(*ISSUERS)])
async def issue(data: JSONBody[Period], command: NamedDependency[Command]) -> Response[Report]:
    """Freeze the figures as handed out (DPO); a retry with the same Idempotency-Key answers the same report.

    ``period_to`` must not be before ``period_from``: otherwise 422, naming ``period_to``.
    """
    first, last = _months(data.period_from, data.period_to)
    report = await issue_report(command.ctx, command.actor, first, last, idempotency_key=command.idempotency_key)
    return Response(report, status_code=201)


@get("/reports/{report_id:uuid}")
async def report(
    report_id: FromPath[UUID], ctx: NamedDependency[ApplicationContext], actor: NamedDependency[Actor]
) -> Report:
    return await issued_report(ctx, actor, report_id)


ROUTES = [
    Router("/statistics", route_handlers=[statistics, issue, report], guards=[requires(*READERS)], tags=["statistics"])
]
