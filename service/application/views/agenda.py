"""Appointments read: one appointment, a staff member's agenda, a site's agenda.

The access policy decides per person: an appointment's category is its service's
(social-legal or office hours), so a social worker sees who comes to a social-legal
appointment only if the person is hers (caseload, or a recorded reason elsewhere), and a
helper sees office-hours appointments. Every person shown is opened through
``open_for_reading`` (one access event each). An appointment the reader may not read is
still shown as a busy slot (its time, place and kind), without the person: whoever books
must see when a colleague is taken.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from uuid import UUID

import msgspec

from domain.appointment import Appointment, AppointmentKind, AppointmentStatus
from domain.base import Category
from domain.errors import InvalidValueError
from domain.office_hours import known_site
from domain.person import PersonErasedError
from domain.policy import Relation, Scope, access
from projections.agenda import AgendaLine, agenda_of_site, agenda_of_staff
from projections.directory import listings
from service.application.appointments import BOOKERS, category_of_kind
from service.application.authorisation import require_role
from service.application.context import Actor, ApplicationContext
from service.application.errors import NotAuthorisedError
from service.application.reading import ReadGrant, ReadPurpose, open_for_reading
from service.storage.keys.subject_keys import SubjectErasedError
from service.storage.repository import AggregateErasedError, AggregateNotFoundError
from service.words.formatting import CENTRE_TIME_ZONE

_FILE_NUMBER = re.compile(r"^\d{4}-\d{5}$")
AGENDA_ROLES = frozenset().union(*BOOKERS.values())
"""Who reads agendas: whoever may book (social workers, helpers)."""


class Attendee(msgspec.Struct, frozen=True):
    """The person an appointment is with, as the reader may see them."""

    person_id: UUID
    file_number: str
    given_name: str | None
    family_name: str | None


class AppointmentView(msgspec.Struct, frozen=True):
    appointment_id: UUID
    kind: AppointmentKind
    status: AppointmentStatus
    staff_id: UUID | None
    staff_name: str | None
    site: str
    starts_at: datetime
    ends_at: datetime
    minutes: int
    version: int
    person: Attendee | None
    """None when the reader may not read the person (a colleague's appointment): a busy slot."""
    visit_id: UUID | None = None


class AgendaView(msgspec.Struct, frozen=True):
    first_day: date
    days: int
    staff_id: UUID | None
    staff_name: str | None
    site: str | None
    appointments: list[AppointmentView]


class BookableStaff(msgspec.Struct, frozen=True):
    staff_id: UUID
    display_name: str
    kinds: list[AppointmentKind]


def day_range(first_day: date, days: int) -> tuple[datetime, datetime]:
    """[start, end) of ``days`` days at the centre, from midnight of ``first_day`` (daylight saving included)."""
    start = datetime.combine(first_day, time(0), CENTRE_TIME_ZONE)
    end = datetime.combine(first_day + timedelta(days=days), time(0), CENTRE_TIME_ZONE)
    return start, end


async def bookable_staff(ctx: ApplicationContext, actor: Actor) -> list[BookableStaff]:
    """The active staff members appointments may be booked with, and for which kinds."""
    require_role(actor, AGENDA_ROLES, "agendas")
    found = []
    for member in await ctx.accounts.all():
        kinds = [kind for kind, roles in BOOKERS.items() if not member.roles.isdisjoint(roles)]
        if member.active and kinds:
            found.append(BookableStaff(member.staff_id, member.display_name, kinds))
    return sorted(found, key=lambda s: s.display_name.casefold())


async def appointment(
    ctx: ApplicationContext, actor: Actor, appointment_id: UUID, purpose: ReadPurpose = ReadPurpose.FOLLOW_UP
) -> AppointmentView:
    """One appointment, with its person: refused (403) unless the reader may read it."""
    require_role(actor, AGENDA_ROLES, "agendas")
    found = await ctx.repository.get(Appointment, appointment_id)
    category = category_of_kind(found.kind)
    if found.person_id is None:
        raise AggregateNotFoundError("Appointment", appointment_id)
    grant = await open_for_reading(ctx, actor, found.person_id, "appointment", purpose, needs=category)
    people = await _attendees(ctx, {found.person_id: grant})
    staff = await _staff_names(ctx, [found.staff_id])
    return AppointmentView(
        appointment_id=found.id,
        kind=found.kind,
        status=found.status,
        staff_id=found.staff_id,
        staff_name=staff.get(found.staff_id) if found.staff_id else None,
        site=found.site,
        starts_at=found.starts_at,
        ends_at=found.ends_at,
        minutes=found.minutes,
        version=found.version,
        person=people.get(found.person_id),
        visit_id=found.visit_id,
    )


async def staff_agenda(
    ctx: ApplicationContext,
    actor: Actor,
    staff_id: UUID,
    first_day: date,
    days: int = 1,
    purpose: ReadPurpose = ReadPurpose.FOLLOW_UP,
    *,
    view: str = "staff_agenda",
) -> AgendaView:
    """A staff member's appointments over ``days`` days from ``first_day``."""
    require_role(actor, AGENDA_ROLES, "agendas")
    start, end = day_range(first_day, days)
    async with ctx.pool.acquire() as db:
        lines = await agenda_of_staff(db, staff_id, start, end)
    shown = await _shown(ctx, actor, lines, purpose, view)
    names = await _staff_names(ctx, [staff_id])
    return AgendaView(first_day, days, staff_id, names.get(staff_id), None, shown)


async def site_agenda(
    ctx: ApplicationContext,
    actor: Actor,
    site: str,
    first_day: date,
    days: int = 1,
    purpose: ReadPurpose = ReadPurpose.OFFICE_HOURS,
) -> AgendaView:
    """A site's appointments over ``days`` days from ``first_day``, whoever they are with."""
    require_role(actor, AGENDA_ROLES, "agendas")
    site = known_site(site, ctx.centre.sites)
    start, end = day_range(first_day, days)
    async with ctx.pool.acquire() as db:
        lines = await agenda_of_site(db, site, start, end)
    shown = await _shown(ctx, actor, lines, purpose, "site_agenda")
    return AgendaView(first_day, days, None, None, site, shown)


async def _shown(
    ctx: ApplicationContext, actor: Actor, lines: list[AgendaLine], purpose: ReadPurpose, view: str
) -> list[AppointmentView]:
    grants = await _open_each(ctx, actor, lines, purpose, view)
    people = await _attendees(ctx, grants)
    staff = await _staff_names(ctx, [line.staff_id for line in lines])
    return [
        AppointmentView(
            appointment_id=line.appointment_id,
            kind=line.kind,
            status=line.status,
            staff_id=line.staff_id,
            staff_name=staff.get(line.staff_id) if line.staff_id else None,
            site=line.site,
            starts_at=line.starts_at,
            ends_at=line.starts_at + timedelta(minutes=line.minutes),
            minutes=line.minutes,
            version=line.version,
            person=people.get(line.person_id) if _readable(grants.get(line.person_id), line.kind) else None,
            visit_id=line.visit_id,
        )
        for line in lines
    ]


def _readable(grant: ReadGrant | None, kind: AppointmentKind) -> bool:
    return grant is not None and grant.may_read(category_of_kind(kind))


async def _open_each(
    ctx: ApplicationContext, actor: Actor, lines: Iterable[AgendaLine], purpose: ReadPurpose, view: str
) -> dict[UUID, ReadGrant]:
    """Open each person once: for social-legal data if an appointment shown needs it and the reader may,
    else for office hours; a person the reader may not read is left out (a busy slot)."""
    needs: dict[UUID, set[Category]] = {}
    for line in lines:
        needs.setdefault(line.person_id, set()).add(category_of_kind(line.kind))
    may_ever = access(actor.roles, _ROLE_CHECK)
    order = [c for c in (Category.SOCIAL_LEGAL, Category.OFFICE_HOURS) if may_ever[c].allows_read()]

    async def open_one(person_id: UUID) -> ReadGrant | None:
        for category in order:
            if category in needs[person_id]:
                grant = await _open(ctx, actor, person_id, category, purpose, view)
                if grant is not None:
                    return grant
        return None

    opened = await asyncio.gather(*(open_one(p) for p in needs))
    return {p: g for p, g in zip(needs, opened, strict=True) if g is not None}


_ROLE_CHECK = Relation(in_own_caseload=True, break_glass_reason="role check")


async def _open(
    ctx: ApplicationContext, actor: Actor, person_id: UUID, needs: Category, purpose: ReadPurpose, view: str
) -> ReadGrant | None:
    try:
        return await open_for_reading(ctx, actor, person_id, view, purpose, needs=needs)
    except NotAuthorisedError:
        return None  # not hers to read: shown as a busy slot
    except (AggregateErasedError, PersonErasedError, SubjectErasedError, AggregateNotFoundError):
        return None  # erased while the read model had not caught up


async def _attendees(ctx: ApplicationContext, grants: dict[UUID, ReadGrant]) -> dict[UUID, Attendee]:
    """File number and, where the identity may be read, the name; from the directory (sealed there)."""
    if not grants:
        return {}
    async with ctx.pool.acquire() as db:
        found = await listings(db, ctx.sealer, list(grants), limit=len(grants))
    attendees = {}
    for listing in found:
        named = grants[listing.person_id].may_read(Category.IDENTITY, Scope.COURSE_DETAILS)
        attendees[listing.person_id] = Attendee(
            listing.person_id,
            listing.file_number,
            listing.details.given_name if named else None,
            listing.details.family_name if named else None,
        )
    return attendees


async def _staff_names(ctx: ApplicationContext, staff_ids: Iterable[UUID | None]) -> dict[UUID, str]:
    wanted = {s for s in staff_ids if s is not None}
    if not wanted:
        return {}
    return {m.staff_id: m.display_name for m in await ctx.accounts.all() if m.staff_id in wanted}


async def person_to_book(
    ctx: ApplicationContext, actor: Actor, person_id: UUID, purpose: ReadPurpose = ReadPurpose.FOLLOW_UP
) -> Attendee:
    """Whom the booking form is for: their name and file number (an access, recorded as such)."""
    require_role(actor, AGENDA_ROLES, "agendas")
    grant = await open_for_reading(ctx, actor, person_id, "appointment_booking", purpose)
    found = await _attendees(ctx, {person_id: grant})
    if person_id not in found:
        raise AggregateNotFoundError("Person", person_id)
    return found[person_id]


async def person_by_file_number(ctx: ApplicationContext, actor: Actor, file_number: str) -> UUID:
    """The person a file number (``2026-00042``) names, through the blind index; a record merged away
    is found as the one it was merged into. Refused (naming ``file_number``) when nobody has it."""
    require_role(actor, AGENDA_ROLES, "agendas")
    text = file_number.strip()
    person_id = None
    if ctx.index is not None and _FILE_NUMBER.match(text):
        async with ctx.pool.acquire() as db:
            person_id = await db.fetchval(
                """SELECT coalesce(p.merged_into, p.person_id) FROM rm_directory.tokens t
                   JOIN rm_directory.people p USING (person_id)
                   WHERE t.kind = 'file' AND t.token = $1 LIMIT 1""",
                ctx.index.file_number(text),
            )
    if person_id is None:
        raise InvalidValueError("no person has this file number", field="file_number")
    return UUID(str(person_id))
