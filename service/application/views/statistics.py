"""Anonymous statistics of a period, as published (small cells withheld), and the frozen reports.

The figures hold no person id and no name, and every count of fewer than ``threshold``
people is withheld (``service.application.reports``), so reading them is no access to
anyone's data and records none. They are still not for every role: ``READERS`` read them,
``ISSUERS`` hand them out. ``threshold`` is the setting ``small_cell_threshold``: the
route or the page reads it and passes it here.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid5

import asyncpg
import msgspec

from domain.policy import Role
from projections import statistics as figures_of
from service.application.authorisation import require_role
from service.application.context import Actor, ApplicationContext
from service.application.frozen_reports import (
    Format,
    FrozenFile,
    FrozenReport,
    IssuedReport,
    frozen_file,
    frozen_reports,
    store,
)
from service.application.report_files import report_csv, report_xlsx
from service.application.reports import Period, StatisticsReport, build_report
from service.storage.eventstore.records import IdempotencyKeyReusedError
from service.storage.repository import AggregateNotFoundError
from service.words.translator import Translator

READERS = frozenset({Role.SOCIAL_WORKER, Role.DPO, Role.ADMIN})
"""Trainers and office-hours helpers do not read them: referral counts describe the social-legal service."""
ISSUERS = frozenset({Role.DPO})
"""Only the DPO hands figures out, as a report frozen when issued."""

_REPORTS = UUID("5d1b7a52-2f8e-4a39-bb0e-7c1f3e9d6a41")  # namespace of report ids derived from an Idempotency-Key


async def statistics(ctx: ApplicationContext, actor: Actor, period: Period, threshold: int) -> StatisticsReport:
    """The published figures of ``period``."""
    require_role(actor, READERS, "statistics")
    async with ctx.pool.acquire() as db:
        figures = await figures_of.read_statistics(db, period.first, period.last)
    return build_report(figures, threshold)


async def statistics_file(
    ctx: ApplicationContext, actor: Actor, period: Period, threshold: int, kind: Format, language: str
) -> bytes:
    """The published figures of ``period`` as a file, headings in ``language``."""
    report = await statistics(ctx, actor, period, threshold)
    return _file(report, Translator(language), ctx.clock(), kind)


async def issue_report(
    ctx: ApplicationContext,
    actor: Actor,
    period: Period,
    threshold: int,
    language: str,
    *,
    idempotency_key: str | None = None,
) -> FrozenFile:
    """Freeze the figures of ``period`` as handed out; a retry with the same key answers the same report.

    The report id is derived from the key, so a retry finds the report the first attempt
    froze; the same key for another period is refused. Answers the frozen JSON.
    """
    require_role(actor, ISSUERS, "issuing a report")
    key = idempotency_key
    report_id = ctx.new_id() if key is None else uuid5(_REPORTS, f"{actor.staff_id}:{key}")
    async with ctx.pool.acquire() as db:
        frozen = await frozen_file(db, report_id, "json")
        if frozen is None:
            figures = await figures_of.read_statistics(db, period.first, period.last)
            issued = IssuedReport(report_id, ctx.clock(), build_report(figures, threshold))
            t = Translator(language)
            files: dict[Format, bytes] = {"json": msgspec.json.encode(issued)}
            for kind in ("csv", "xlsx"):
                files[kind] = _file(issued.report, t, issued.issued_at, kind)
            try:
                async with db.transaction():
                    await store(db, issued, actor.staff_id, language, files)
            except asyncpg.UniqueViolationError:  # the same retry, committed meanwhile
                pass
            frozen = await frozen_file(db, report_id, "json")
    if frozen is None:
        raise AggregateNotFoundError("Report", report_id)
    report = msgspec.json.decode(frozen.content, type=IssuedReport).report
    if (report.period_from, report.period_to) != (period.first, period.last):
        raise IdempotencyKeyReusedError()
    return frozen


async def issued_file(ctx: ApplicationContext, actor: Actor, report_id: UUID, kind: Format) -> FrozenFile:
    """A frozen report's JSON, CSV or XLSX, byte for byte as handed out (404 for an unknown one)."""
    require_role(actor, READERS, "statistics")
    async with ctx.pool.acquire() as db:
        found = await frozen_file(db, report_id, kind)
    if found is None:
        raise AggregateNotFoundError("Report", report_id)
    return found


async def issued_reports(ctx: ApplicationContext, actor: Actor) -> list[FrozenReport]:
    """The reports handed out, the latest first."""
    require_role(actor, READERS, "statistics")
    async with ctx.pool.acquire() as db:
        return await frozen_reports(db)


def _file(report: StatisticsReport, t: Translator, made_at: datetime, kind: Format) -> bytes:
    if kind == "csv":
        return report_csv(report, t, made_at)
    if kind == "xlsx":
        return report_xlsx(report, t, made_at)
    return msgspec.json.encode(report)
