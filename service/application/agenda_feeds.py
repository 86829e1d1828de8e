"""A staff member's agenda as an iCalendar feed, at a secret URL they can revoke.

The token is random and shown once, when the feed is made; only its SHA-256 is kept
(``agenda_feeds``), so a copy of the database opens no one's agenda. Making a new feed
revokes the previous one; a revoked or unknown token answers 404.

What a calendar application shows is outside Suivi's control (phones, notifications,
cloud sync), so an entry tells the time, the place and the file number only: never a name,
never the service (every entry is a "Rendez-vous"). Reading the feed is recorded as the
staff member's access to each person it shows (it shows their file numbers), as any agenda.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from uuid import UUID

import icalendar

from domain.appointment import AppointmentStatus
from service.application.appointments import local_day
from service.application.authorisation import require_role
from service.application.context import Actor, ApplicationContext
from service.application.reading import ReadPurpose
from service.application.views.agenda import AGENDA_ROLES, AppointmentView, staff_agenda
from service.staff.accounts import StaffNotFoundError
from service.storage.repository import AggregateNotFoundError

DAYS_BEFORE = 30
DAYS_AFTER = 120
"""The feed covers a month back and four months ahead."""


class FeedNotFoundError(AggregateNotFoundError):
    """No live feed has this token (never made, or revoked): 404, naming nothing."""

    def __init__(self) -> None:
        Exception.__init__(self, "no such calendar feed")


def feed_path(token: str) -> str:
    """Where the feed of ``token`` is served (the API's public path); prefix the service's public address."""
    return f"/agenda/feeds/{token}.ics"


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


async def create_feed(ctx: ApplicationContext, actor: Actor) -> str:
    """A new secret token for the actor's own feed; any earlier one stops working."""
    require_role(actor, AGENDA_ROLES, "agendas")
    token = secrets.token_urlsafe(32)
    now = ctx.clock()
    async with ctx.pool.acquire() as db, db.transaction():
        await db.execute(
            "UPDATE agenda_feeds SET revoked_at = $2 WHERE staff_id = $1 AND revoked_at IS NULL", actor.staff_id, now
        )
        await db.execute(
            "INSERT INTO agenda_feeds (token_hash, staff_id, created_at) VALUES ($1, $2, $3)",
            _digest(token),
            actor.staff_id,
            now,
        )
    return token


async def revoke_feed(ctx: ApplicationContext, actor: Actor) -> bool:
    """Stop the actor's feed; False if there was none."""
    require_role(actor, AGENDA_ROLES, "agendas")
    async with ctx.pool.acquire() as db:
        status = await db.execute(
            "UPDATE agenda_feeds SET revoked_at = $2 WHERE staff_id = $1 AND revoked_at IS NULL",
            actor.staff_id,
            ctx.clock(),
        )
    return status != "UPDATE 0"


async def has_feed(ctx: ApplicationContext, actor: Actor) -> datetime | None:
    """When the actor's live feed was made, or None."""
    async with ctx.pool.acquire() as db:
        made: datetime | None = await db.fetchval(
            "SELECT created_at FROM agenda_feeds WHERE staff_id = $1 AND revoked_at IS NULL", actor.staff_id
        )
    return made


async def _owner(ctx: ApplicationContext, token: str) -> Actor:
    async with ctx.pool.acquire() as db:
        staff_id: UUID | None = await db.fetchval(
            "SELECT staff_id FROM agenda_feeds WHERE token_hash = $1 AND revoked_at IS NULL", _digest(token)
        )
    if staff_id is None:
        raise FeedNotFoundError()
    try:
        member = await ctx.accounts.get(staff_id)
    except StaffNotFoundError:
        raise FeedNotFoundError() from None
    if not member.active or member.roles.isdisjoint(AGENDA_ROLES):
        raise FeedNotFoundError()  # deactivated, or no longer in a role that keeps an agenda
    return Actor(staff_id=member.staff_id, roles=member.roles)


async def feed_calendar(ctx: ApplicationContext, token: str, centre_address: str) -> bytes:
    """The iCalendar of the token's owner (404 if revoked), read as them and recorded as their access."""
    owner = await _owner(ctx, token)
    first_day = local_day(ctx.clock()) - timedelta(days=DAYS_BEFORE)
    agenda = await staff_agenda(
        ctx, owner, owner.staff_id, first_day, DAYS_BEFORE + DAYS_AFTER, ReadPurpose.FOLLOW_UP, view="agenda_feed"
    )
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Suivi//Agenda//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Rendez-vous")
    stamp = ctx.clock()
    for shown in agenda.appointments:
        if shown.status is not AppointmentStatus.CANCELLED:
            calendar.add_component(_entry(shown, centre_address, stamp))
    return bytes(calendar.to_ical())


def _entry(shown: AppointmentView, centre_address: str, stamp: datetime) -> icalendar.Event:
    entry = icalendar.Event()
    entry.add("uid", f"{shown.appointment_id}@suivi")
    entry.add("dtstamp", stamp)
    entry.add("dtstart", shown.starts_at)
    entry.add("dtend", shown.ends_at)
    file_number = None if shown.person is None else shown.person.file_number
    entry.add("summary", "Rendez-vous" if file_number is None else f"Rendez-vous, dossier {file_number}")
    entry.add("location", ", ".join(part for part in (shown.site, centre_address) if part))
    return entry
