"""The access log: every staff member reads their own entries; the DPO reads it in full.

The DPO reading a person's log is itself recorded, as oversight, without the DPO being
granted the person's identity (the file number names the person on the DPO's pages). The
entries about people since erased are kept pseudonymously (``service.application.kept_access_log``):
the DPO still reads who accessed, when, through which view, and why, but never whom.

A log adds a row for every page that shows a person, so it is read grouped: one line per
staff member, view and day (``grouped``), with the entries behind each line.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from uuid import UUID

import msgspec

from domain.access import AccessRecord
from domain.base import Category
from domain.consent import ConsentRecord, consent_record_id
from domain.policy import Relation, Scope, access
from projections.access_log import AccessEntry, read_access_log
from projections.directory import listings
from service.application.authorisation import consents_of
from service.application.context import Actor, ApplicationContext
from service.application.errors import NotAuthorisedError
from service.application.kept_access_log import KeptAccess, read_kept
from service.application.reading import ReadPurpose
from service.storage.repository import AggregateErasedError, AggregateNotFoundError
from service.words.formatting import CENTRE_TIME_ZONE


class AccessLogEntry(msgspec.Struct, frozen=True):
    position: int
    staff_id: UUID
    person_id: UUID | None
    """None once the person is erased: the entry is kept without saying whose file it was."""
    accessed_at: datetime
    view: str
    purpose: str
    basis: str
    break_glass: bool
    reason: str | None
    """The break-glass reason; only in the DPO's views (it is personal data)."""
    file_number: str | None = None
    """The person's file number, in the DPO's views: how the DPO's pages name a person."""
    consents_given_on: dict[str, date] = {}
    """In the DPO's views, the day each consent the basis cites was given (``"<record>:<version>"``)."""
    access_id: UUID | None = None
    erased: bool = False
    """The person was erased since: a pseudonymous entry, kept for the DPO's accountability."""

    @classmethod
    def of(cls, entry: AccessEntry, *, with_reason: bool) -> AccessLogEntry:
        e = entry
        reason = e.reason if with_reason else None
        return cls(
            e.position,
            e.staff_id,
            e.person_id,
            e.accessed_at,
            e.view,
            e.purpose,
            e.basis,
            e.break_glass,
            reason,
            access_id=e.access_id,
        )

    @classmethod
    def kept(cls, entry: KeptAccess) -> AccessLogEntry:
        e = entry
        return cls(
            e.position,
            e.staff_id,
            None,
            e.accessed_at,
            e.view,
            e.purpose,
            e.basis,
            e.break_glass,
            e.reason,
            access_id=e.access_id,
            erased=True,
        )


class AccessGroup(msgspec.Struct, frozen=True):
    """The accesses of one staff member through one view on one day (the centre's day, in Liège)."""

    staff_id: UUID
    view: str
    day: date
    count: int
    first_at: datetime
    last_at: datetime
    break_glass: int
    """How many of them broke the glass (each one is also in the break-glass list)."""
    people: int
    """How many different people (erased people each count once)."""
    entries: list[AccessLogEntry]


class StaffName(msgspec.Struct, frozen=True):
    staff_id: UUID
    display_name: str


def reads_access_log(actor: Actor, scope: Scope) -> None:
    if not access(actor.roles, Relation())[Category.ACCESS].allows_read(scope):
        raise NotAuthorisedError(Category.ACCESS, action="read")


async def record_oversight(ctx: ApplicationContext, actor: Actor, person_ids: list[UUID], view: str) -> None:
    """The DPO reading these people's accesses is itself recorded, in one append."""
    at = ctx.clock()
    purpose = str(ReadPurpose.DATA_PROTECTION)
    records = [
        AccessRecord.record(ctx.new_id(), p, actor.staff_id, view, purpose, "dpo_oversight", at)
        for p in dict.fromkeys(person_ids)
    ]
    if records:
        await ctx.repository.save(*records, actor_id=actor.staff_id)


async def my_access_log(ctx: ApplicationContext, actor: Actor, limit: int = 200) -> list[AccessLogEntry]:
    """What the actor read: ids, views and bases only."""
    reads_access_log(actor, Scope.OWN_ENTRIES)
    async with ctx.pool.acquire() as db:
        entries = await read_access_log(db, ctx.sealer, staff_id=actor.staff_id, limit=limit)
    return [AccessLogEntry.of(e, with_reason=False) for e in entries]


async def person_access_log(
    ctx: ApplicationContext, actor: Actor, person_id: UUID, limit: int = 200
) -> list[AccessLogEntry]:
    """Who read this person's data, when, why and on what basis (DPO); break-glass entries flagged."""
    reads_access_log(actor, Scope.ALL)
    await consents_of(ctx, person_id)  # 404 or 410 first
    await record_oversight(ctx, actor, [person_id], "access_log")
    async with ctx.pool.acquire() as db:
        entries = await read_access_log(db, ctx.sealer, person_id=person_id, limit=limit)
    return await _readable(ctx, [AccessLogEntry.of(e, with_reason=True) for e in entries])


async def staff_access_log(
    ctx: ApplicationContext, actor: Actor, staff_id: UUID, limit: int = 200
) -> list[AccessLogEntry]:
    """Whose data this staff member read (DPO), people since erased included, pseudonymously.

    Each person shown is recorded as oversight.
    """
    reads_access_log(actor, Scope.ALL)
    await ctx.accounts.get(staff_id)  # 404 for an unknown staff member
    async with ctx.pool.acquire() as db:
        entries = await read_access_log(db, ctx.sealer, staff_id=staff_id, limit=limit)
    kept = await read_kept(ctx, staff_id=staff_id, limit=limit)
    await record_oversight(ctx, actor, [e.person_id for e in entries], "access_log")
    readable = await _readable(ctx, [AccessLogEntry.of(e, with_reason=True) for e in entries])
    merged = readable + [AccessLogEntry.kept(k) for k in kept]
    return sorted(merged, key=lambda e: e.position, reverse=True)[:limit]


def grouped(entries: list[AccessLogEntry]) -> list[AccessGroup]:
    """One line per staff member, view and day, newest first; each keeps its entries (newest first)."""
    groups: dict[tuple[UUID, str, date], list[AccessLogEntry]] = {}
    for entry in sorted(entries, key=lambda e: e.accessed_at, reverse=True):
        day = entry.accessed_at.astimezone(CENTRE_TIME_ZONE).date()
        groups.setdefault((entry.staff_id, entry.view, day), []).append(entry)
    return [
        AccessGroup(
            staff_id=staff_id,
            view=view,
            day=day,
            count=len(members),
            first_at=members[-1].accessed_at,
            last_at=members[0].accessed_at,
            break_glass=sum(1 for m in members if m.break_glass),
            people=len({m.person_id or m.position for m in members}),
            entries=members,
        )
        for (staff_id, view, day), members in groups.items()
    ]


async def _readable(ctx: ApplicationContext, entries: list[AccessLogEntry]) -> list[AccessLogEntry]:
    """Each entry with the person's file number and the day of each consent its basis cites.

    One query for the file numbers, and one consent record per person whose readings cite a consent.
    """
    people = list(dict.fromkeys(e.person_id for e in entries if e.person_id is not None))
    if not people:
        return entries
    async with ctx.pool.acquire() as db:
        numbers = {f.person_id: f.file_number for f in await listings(db, ctx.sealer, people, limit=len(people))}
    citing = list(dict.fromkeys(e.person_id for e in entries if e.person_id is not None and "consent:" in e.basis))
    records = await asyncio.gather(*(_consents(ctx, person_id) for person_id in citing))
    days = {f"{r.id}:{g.given_version}": g.given_on for r in records if r is not None for g in r.grants}
    return [
        msgspec.structs.replace(
            e,
            file_number=numbers.get(e.person_id) if e.person_id is not None else None,
            consents_given_on={cited: day for cited, day in days.items() if f"consent:{cited}" in e.basis},
        )
        for e in entries
    ]


async def _consents(ctx: ApplicationContext, person_id: UUID) -> ConsentRecord | None:
    try:
        return await ctx.repository.get(ConsentRecord, consent_record_id(person_id))
    except (AggregateNotFoundError, AggregateErasedError):
        return None  # erased since: the log keeps the basis as it was written


async def staff_names(ctx: ApplicationContext, actor: Actor) -> list[StaffName]:
    """Every staff member by name, for whoever reads the whole log (the DPO): whose log to open, who read."""
    reads_access_log(actor, Scope.ALL)
    return [StaffName(s.staff_id, s.display_name) for s in await ctx.accounts.all()]
