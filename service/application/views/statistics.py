"""Anonymous statistics per month, and the frozen reports the DPO hands out.

The figures hold no person id and no name (small nationality cells are suppressed), so
reading them is no access to anyone's data and records none. They are still not for
every role: ``READERS`` read them, ``ISSUERS`` hand them out.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

import asyncpg
import msgspec

from domain.policy import Role
from projections import statistics as figures_of
from service.application.authorisation import require_role
from service.application.context import Actor, ApplicationContext
from service.storage.eventstore.records import IdempotencyKeyReusedError
from service.storage.repository import AggregateNotFoundError

READERS = frozenset({Role.SOCIAL_WORKER, Role.DPO, Role.ADMIN})
"""Trainers and office-hours helpers do not read them: referral counts describe the social-legal service."""
ISSUERS = frozenset({Role.DPO})
"""Only the DPO hands figures out, as a report frozen when issued."""

_REPORTS = UUID("5d1b7a52-2f8e-4a39-bb0e-7c1f3e9d6a41")  # namespace of report ids derived from an Idempotency-Key


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
    def of(cls, figures: figures_of.Statistics) -> Figures:
        fields: dict[str, Any] = msgspec.structs.asdict(figures)
        return cls(**fields)


class Report(msgspec.Struct, frozen=True):
    report_id: UUID
    figures: Figures


async def statistics(ctx: ApplicationContext, actor: Actor, first: date, last: date) -> Figures:
    """Figures for the months from ``first`` to ``last`` (first days of months, inclusive)."""
    require_role(actor, READERS, "statistics")
    async with ctx.pool.acquire() as db:
        return Figures.of(await figures_of.read_statistics(db, first, last))


async def issued_report(ctx: ApplicationContext, actor: Actor, report_id: UUID) -> Report:
    """A report as it was handed out (404 for an unknown one)."""
    require_role(actor, READERS, "statistics")
    async with ctx.pool.acquire() as db:
        figures = await figures_of.issued_report(db, report_id)
    if figures is None:
        raise AggregateNotFoundError("Report", report_id)
    return Report(report_id, Figures.of(figures))


async def issue_report(
    ctx: ApplicationContext, actor: Actor, first: date, last: date, *, idempotency_key: str | None = None
) -> Report:
    """Freeze the figures as handed out; a retry with the same key answers the same report.

    The report id is derived from the key, so a retry finds the report the first attempt
    froze; the same key for another period is refused.
    """
    require_role(actor, ISSUERS, "issuing a report")
    key = idempotency_key
    report_id = ctx.new_id() if key is None else uuid5(_REPORTS, f"{actor.staff_id}:{key}")
    async with ctx.pool.acquire() as db:
        figures = await figures_of.issued_report(db, report_id)
        if figures is None:
            try:
                figures = await figures_of.issue_report(db, report_id, first, last, ctx.clock())
            except asyncpg.UniqueViolationError:  # the same retry, committed meanwhile
                figures = await figures_of.issued_report(db, report_id)
    if figures is None or (figures.period_from, figures.period_to) != (first, last):
        raise IdempotencyKeyReusedError()
    return Report(report_id, Figures.of(figures))
