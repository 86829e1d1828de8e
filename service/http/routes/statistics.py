"""Anonymous statistics per month, and frozen reports issued by the DPO.

The figures hold no person id and no name (small nationality cells are suppressed), so
reading them is no access to anyone's data. They are still not for everyone: social
workers, the DPO and the admin read them; trainers and office-hours helpers do not
(referral counts describe the social-legal service). Only the DPO issues a report.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID, uuid5

import asyncpg
import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from domain.policy import Role
from projections.statistics import Statistics, issue_report, issued_report, read_statistics
from service.application.context import ApplicationContext
from service.http.deps import Services
from service.http.headers import IdempotencyKey, idempotency_key
from service.http.problems import ForbiddenError
from service.http.security import Principal
from service.http.wire import Request
from service.storage.eventstore.records import IdempotencyKeyReusedError
from service.storage.repository import AggregateNotFoundError

_MONTH = r"^[12]\d{3}-(0[1-9]|1[0-2])$"
Month = Annotated[str, msgspec.Meta(pattern=_MONTH, examples=["2026-09"])]
MonthQuery = Annotated[str, QueryParameter(pattern=_MONTH)]
_READERS = frozenset({Role.SOCIAL_WORKER, Role.DPO, Role.ADMIN})
_REPORTS = UUID("5d1b7a52-2f8e-4a39-bb0e-7c1f3e9d6a41")  # namespace of report ids derived from an Idempotency-Key


class Period(Request, frozen=True):
    period_from: Month
    period_to: Month


class Figures(msgspec.Struct, frozen=True):
    period_from: date
    period_to: date
    people_served: int
    new_people: int
    nationalities: dict[str, int]
    nationalities_suppressed: int
    training_hours: Decimal
    attendance_rate: float | None
    completion_rate: float | None
    digcomp_gain_per_area: dict[str, float]
    office_hours_requests: dict[str, int]
    referrals_made: dict[str, int]
    referral_outcomes: dict[str, int]

    @classmethod
    def of(cls, figures: Statistics) -> Figures:
        fields: dict[str, Any] = msgspec.structs.asdict(figures)
        return cls(**fields)


class Report(msgspec.Struct, frozen=True):
    report_id: UUID
    figures: Figures


def _reader(principal: Principal) -> None:
    if not _READERS & principal.staff.roles:
        raise ForbiddenError("statistics are for social workers, the DPO and the admin")


def _months(period_from: str, period_to: str) -> tuple[date, date]:
    first, last = (date(int(m[:4]), int(m[5:7]), 1) for m in (period_from, period_to))
    if last < first:
        message = "period_to must not be before period_from"
        raise ValidationException(message, extra=[{"key": "period_to", "source": "query", "message": message}])
    return first, last


@get("/statistics", tags=["statistics"])
async def statistics(
    services: NamedDependency[Services],
    principal: NamedDependency[Principal],
    period_from: FromQuery[MonthQuery],
    period_to: FromQuery[MonthQuery],
) -> Figures:
    """Figures for the months from ``period_from`` to ``period_to`` (both YYYY-MM, inclusive)."""
    _reader(principal)
    first, last = _months(period_from, period_to)
    async with services.runtime.pool.acquire() as db:
        return Figures.of(await read_statistics(db, first, last))


@post("/statistics/reports", tags=["statistics"])
async def issue(
    data: JSONBody[Period],
    services: NamedDependency[Services],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
) -> Response[Report]:
    """Freeze the figures as handed out (DPO); a retry with the same Idempotency-Key answers the same report."""
    if Role.DPO not in principal.staff.roles:
        raise ForbiddenError("only the DPO issues a statistics report")
    first, last = _months(data.period_from, data.period_to)
    key = idempotency_key(key)
    report_id = ctx.new_id() if key is None else uuid5(_REPORTS, f"{principal.staff.staff_id}:{key}")
    async with services.runtime.pool.acquire() as db:
        figures = await issued_report(db, report_id)
        if figures is None:
            try:
                figures = await issue_report(db, report_id, first, last, services.clock())
            except asyncpg.UniqueViolationError:  # the same retry, committed meanwhile
                figures = await issued_report(db, report_id)
    if figures is None or (figures.period_from, figures.period_to) != (first, last):
        raise IdempotencyKeyReusedError()
    return Response(Report(report_id, Figures.of(figures)), status_code=201)


@get("/statistics/reports/{report_id:uuid}", tags=["statistics"])
async def report(
    report_id: FromPath[UUID], services: NamedDependency[Services], principal: NamedDependency[Principal]
) -> Report:
    _reader(principal)
    async with services.runtime.pool.acquire() as db:
        figures = await issued_report(db, report_id)
    if figures is None:
        raise AggregateNotFoundError("Report", report_id)
    return Report(report_id, Figures.of(figures))


ROUTES = [statistics, issue, report]
