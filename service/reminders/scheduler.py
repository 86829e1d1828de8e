"""Making reminders due: ``days_before`` days before each appointment, from ``hour`` (Brussels time).

On day D, from the hour, every appointment still booked that starts before the end of day
D + days_before and has not begun gets a reminder per channel the person consented to (their
consent to be contacted by email, by SMS, on that day), in their preferred language. Before
the hour, the previous day's batch is still made (a scheduler that was down catches up), so an
appointment booked late still gets its reminder. No consent, no contact detail, a restricted
or erased person: nothing is made, and the status view says why.

A reminder's id comes from its appointment, start and channel, so a reminder made twice (two
schedulers, a crash between the event and the outbox row) conflicts instead of going twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from uuid import UUID

from domain.appointment import AppointmentKind
from domain.base import Category
from domain.consent import ConsentRecord, Purpose, consent_record_id
from domain.person import Person
from domain.reminder import Channel, Reminder, reminder_id
from projections.agenda import BookedAppointment
from service.application.context import ApplicationContext
from service.reminders import outbox
from service.reminders.appointments import booked_between
from service.settings import Settings
from service.storage.database import LOST_CONNECTION, Backoff
from service.storage.eventstore.records import ConcurrencyError, TransientStoreError
from service.storage.eventstore.subscription import LogNotifier
from service.storage.repository import AggregateErasedError, AggregateNotFoundError
from service.words.catalogue import language_or_default
from service.words.formatting import CENTRE_TIME_ZONE

log = logging.getLogger("suivi.reminders")

RETRIED: tuple[type[BaseException], ...] = (*LOST_CONNECTION, TransientStoreError)
"""A lost database (the pool reconnects by itself): wait, then go on."""

PURPOSE_OF: dict[Channel, Purpose] = {Channel.EMAIL: Purpose.CONTACT_EMAIL, Channel.SMS: Purpose.CONTACT_SMS}


@dataclass(frozen=True)
class Schedule:
    days_before: int = 1
    hour: int = 10
    address: str = "Rue de la Régence 1, 4000 Liège"

    @classmethod
    def of(cls, settings: Settings) -> Schedule:
        return cls(settings.reminder_days_before, settings.reminder_hour, settings.centre_address)


def window(now: datetime, schedule: Schedule) -> tuple[datetime, datetime]:
    """The appointments whose reminders are due at ``now``: from now to the end of the reminded day."""
    local = now.astimezone(CENTRE_TIME_ZONE)
    reminded_day = local.date() + timedelta(days=schedule.days_before - (0 if local.hour >= schedule.hour else 1))
    end = datetime.combine(reminded_day + timedelta(days=1), time(0), CENTRE_TIME_ZONE)
    return now, end


def recipient_for(person: Person, channel: Channel) -> str | None:
    """The address or number the reminder goes to, as the identity holds it now."""
    if person.details is None:
        return None
    contact = person.details.contact
    found = contact.email if channel is Channel.EMAIL else contact.phone
    return found.strip() if found and found.strip() else None


def category_of(kind: AppointmentKind) -> Category:
    return Category.SOCIAL_LEGAL if kind is AppointmentKind.SOCIAL_LEGAL else Category.OFFICE_HOURS


async def make_due(ctx: ApplicationContext, schedule: Schedule) -> int:
    """One pass: make every reminder due now; returns how many were made."""
    now = ctx.clock()
    start, end = window(now, schedule)
    booked = await booked_between(ctx.pool, start, end)
    every_id = [reminder_id(b.appointment_id, b.starts_at, channel) for b in booked for channel in Channel]
    async with ctx.pool.acquire() as db:
        done = await outbox.known(db, every_id)
    made = 0
    for appointment in booked:
        made += await _remind(ctx, schedule, appointment, done, now)
    return made


async def _remind(
    ctx: ApplicationContext, schedule: Schedule, booked: BookedAppointment, done: set[UUID], now: datetime
) -> int:
    ids = {channel: reminder_id(booked.appointment_id, booked.starts_at, channel) for channel in Channel}
    if all(i in done for i in ids.values()):
        return 0
    try:
        person = await ctx.repository.get(Person, booked.person_id)
    except (AggregateNotFoundError, AggregateErasedError):
        return 0
    if person.erased or person.restricted:
        return 0  # Art. 18: while restricted, nothing is processed but by the DPO
    try:
        consents = await ctx.repository.get(ConsentRecord, consent_record_id(booked.person_id))
    except (AggregateNotFoundError, AggregateErasedError):
        return 0  # no consent record: no consent to be contacted
    today = now.astimezone(CENTRE_TIME_ZONE).date()
    made = 0
    for channel, rid in ids.items():
        recipient = recipient_for(person, channel)
        if rid in done or recipient is None or not consents.allows(PURPOSE_OF[channel], today):
            continue
        reminder = Reminder.make_due(
            booked.appointment_id,
            booked.person_id,
            category_of(booked.kind),
            channel,
            recipient,
            language_or_default(person.details.preferred_language if person.details else None),
            booked.starts_at,
            schedule.address,
            now,
        )
        try:
            await ctx.repository.save(reminder, actor_id=None)
        except ConcurrencyError:
            # Made already (another scheduler, or this one before a crash): its outbox row may be missing.
            reminder = await ctx.repository.get(Reminder, rid)
        async with ctx.pool.acquire() as db:
            made += await outbox.enqueue(db, reminder, now)
    return made


async def run_forever(
    ctx: ApplicationContext,
    schedule: Schedule,
    notifier: LogNotifier | None = None,
    *,
    every: float = 60.0,
    pause: float = 5.0,
    wake: Callable[[], None] | None = None,
) -> None:
    """Make reminders due for ever: at least every ``every`` seconds, and soon after anything is
    written (``notifier``: an appointment booked for tomorrow after the hour gets its reminder at
    once), at most once per ``pause``. A lost database is waited for, never fatal."""
    backoff = Backoff(first=1.0, cap=60.0)
    written = None if notifier is None else await notifier.waiter()
    try:
        while True:
            if written is not None:
                written.clear()
            try:
                made = await make_due(ctx, schedule)
            except RETRIED as error:
                log.warning("reminder scheduler waiting for the database (%s)", type(error).__name__)
                await asyncio.sleep(backoff.next())
                continue
            backoff.reset()
            if made:
                log.info("reminders made due: %d", made, extra={"event": "reminders_due", "count": made})
                if wake is not None:
                    wake()
            await asyncio.sleep(pause)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(every - pause, 0)):
                    await (written or asyncio.Event()).wait()
    finally:
        if notifier is not None and written is not None:
            await notifier.drop(written)
