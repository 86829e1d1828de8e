"""A cohort's printed sheets: the day's signature sheet and the month's attendance summary.

Both hold the learners' names and file numbers, so printing one is a read of each learner:
every learner shown is opened through the access policy (``open_each``, one access event
each), as the roster is. Attendance is read from the learners' training records (the
events), the roster only says who they are.
"""

from __future__ import annotations

import asyncio
import calendar
from datetime import date
from decimal import Decimal
from uuid import UUID

import msgspec

from domain.base import Category
from domain.cohort import Cohort
from domain.errors import InvalidValueError
from domain.policy import Relation, Scope, access
from domain.training import AttendanceStatus, TrainingRecord
from projections.directory import Listing, listings
from projections.roster import RosterLine, read_roster
from service.application.context import Actor, ApplicationContext
from service.application.errors import NotAuthorisedError
from service.application.listing import open_each
from service.application.reading import ReadGrant, ReadPurpose
from service.printing.models import Absence, LearnerMonth, MonthSummary, SheetLearner, SignatureSheet
from service.staff.accounts import StaffNotFoundError
from service.storage.repository import AggregateErasedError, AggregateNotFoundError

SHEET_VIEW = "attendance_sheet"
SUMMARY_VIEW = "attendance_summary"
_ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
_AWAY = (AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED)


class SheetDayNotASessionError(InvalidValueError):
    """The cohort does not meet on the day asked for: there is no sheet to sign."""


def ensure_may_print_for_cohorts(actor: Actor) -> None:
    """Refuse before anything is read unless the actor's roles read a cohort's training (trainers, helpers)."""
    if not access(actor.roles, Relation(in_own_cohort=True))[Category.TRAINING].allows_read():
        raise NotAuthorisedError(Category.TRAINING, action="read")


async def signature_sheet(
    ctx: ApplicationContext, actor: Actor, cohort_id: UUID, day: date, centre: str
) -> SignatureSheet:
    """The learners holding a seat, alphabetically, each with a line to sign; one access event per learner."""
    ensure_may_print_for_cohorts(actor)
    cohort = await ctx.repository.get(Cohort, cohort_id)
    if not cohort.is_session_day(day):
        raise SheetDayNotASessionError("the cohort does not meet on that day", field="day")
    # Those holding a seat: still enrolled, or done with the course (a sheet printed again afterwards).
    lines = [line for line in await _roster(ctx, cohort_id, day) if line.status in ("enrolled", "completed")]
    named = await _named(ctx, actor, lines, SHEET_VIEW)
    learners = [SheetLearner(n.details.given_name, n.details.family_name, n.file_number) for n in named.values()]
    return SignatureSheet(
        centre=centre,
        cohort_name=cohort.name,
        site=cohort.site,
        day=day,
        hours_per_day=cohort.hours_per_day,
        trainers=await _trainer_names(ctx, cohort),
        learners=_alphabetical(learners),
    )


async def month_summary(
    ctx: ApplicationContext, actor: Actor, cohort_id: UUID, month: date, centre: str
) -> MonthSummary:
    """Every learner who held a seat: hours, sessions attended among those held, absences and their reasons."""
    ensure_may_print_for_cohorts(actor)
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    cohort = await ctx.repository.get(Cohort, cohort_id)
    lines = [line for line in await _roster(ctx, cohort_id, first) if line.record_id is not None]
    named = await _named(ctx, actor, lines, SUMMARY_VIEW)
    records = await asyncio.gather(*(_record(ctx, line.record_id) for line in lines if line.person_id in named))
    session_days = [d for d in cohort.session_days if first <= d <= last]
    held_until = min(last, ctx.clock().date())
    held = [d for d in session_days if d <= held_until]
    learners = [
        _learner_month(named[record.person_id], record, held, cohort.hours_per_day)
        for record in records
        if record is not None and record.person_id in named
    ]
    learners.sort(key=lambda x: (x.family_name.casefold(), x.given_name.casefold()))
    return MonthSummary(
        centre=centre,
        cohort_name=cohort.name,
        site=cohort.site,
        month=first,
        hours_per_day=cohort.hours_per_day,
        session_days=session_days,
        held_until=held_until,
        learners=learners,
    )


def _learner_month(who: Listing, record: TrainingRecord, held: list[date], hours_per_day: int) -> LearnerMonth:
    days = {d: record.attendance[d].status for d in held if d in record.attendance}
    return LearnerMonth(
        given_name=who.details.given_name,
        family_name=who.details.family_name,
        file_number=who.file_number,
        hours_attended=sum((record.attendance[d].hours for d in days), Decimal(0)),
        hours_planned=Decimal(hours_per_day * len(held)),
        sessions_attended=sum(1 for s in days.values() if s in _ATTENDED),
        sessions_held=len(held),
        sessions_unrecorded=len(held) - len(days),
        absences=[Absence(d, s) for d, s in sorted(days.items()) if s in _AWAY],
        days=days,
    )


async def _roster(ctx: ApplicationContext, cohort_id: UUID, day: date) -> list[RosterLine]:
    async with ctx.pool.acquire() as db:
        found = await read_roster(db, cohort_id, day)
    if found is None:
        raise AggregateNotFoundError("Cohort", cohort_id)
    return found.learners


async def _named(ctx: ApplicationContext, actor: Actor, lines: list[RosterLine], view: str) -> dict[UUID, Listing]:
    """Open every learner (one access event each); the names and file numbers of those whose identity is readable."""
    grants = await open_each(
        ctx, actor, [line.person_id for line in lines], view, ReadPurpose.TRAINING, Category.TRAINING
    )
    readable = [person_id for person_id, grant in grants.items() if _reads_name(grant)]
    if not readable:
        return {}
    async with ctx.pool.acquire() as db:
        found = await listings(db, ctx.sealer, readable, limit=len(readable))
    return {listing.person_id: listing for listing in found}


def _reads_name(grant: ReadGrant) -> bool:
    """Names and file numbers are part of the course details a trainer reads, and of the full identity."""
    return grant.may_read(Category.IDENTITY) or grant.may_read(Category.IDENTITY, Scope.COURSE_DETAILS)


async def _record(ctx: ApplicationContext, record_id: UUID | None) -> TrainingRecord | None:
    assert record_id is not None
    try:
        return await ctx.repository.get(TrainingRecord, record_id)
    except (AggregateErasedError, AggregateNotFoundError):
        return None  # erased meanwhile


async def _trainer_names(ctx: ApplicationContext, cohort: Cohort) -> list[str]:
    names = []
    for trainer_id in cohort.trainer_ids:
        try:
            names.append((await ctx.accounts.get(trainer_id)).display_name)
        except StaffNotFoundError:
            continue  # an account removed since: the line to sign is still there
    return names


def _alphabetical(learners: list[SheetLearner]) -> list[SheetLearner]:
    return sorted(learners, key=lambda x: (x.family_name.casefold(), x.given_name.casefold()))


class CohortCalendar(msgspec.Struct, frozen=True, kw_only=True):
    """What the cohort's documents page offers to print: its session days and its months (no personal data)."""

    cohort_id: UUID
    name: str
    site: str
    starts_on: date
    ends_on: date
    session_days: list[date]
    months: list[date]
    """The first day of each month the cohort meets in."""
    suggested_day: date
    """Today if the cohort meets today, else its next session day (or its last one, once it is over)."""


async def cohort_calendar(ctx: ApplicationContext, actor: Actor, cohort_id: UUID) -> CohortCalendar:
    ensure_may_print_for_cohorts(actor)
    cohort = await ctx.repository.get(Cohort, cohort_id)
    today = ctx.clock().date()
    days = list(cohort.session_days)
    months = sorted({d.replace(day=1) for d in days})
    coming = [d for d in days if d >= today]
    return CohortCalendar(
        cohort_id=cohort.id,
        name=cohort.name,
        site=cohort.site,
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        session_days=days,
        months=months,
        suggested_day=coming[0] if coming else days[-1],
    )
