"""Where each appointment's reminders stand, and the reminders that failed, for the staff.

Each state says why, in the reader's words: planned (and when), waiting to be sent, sent,
not sent (and why), withdrawn, or no reminder at all (no consent, no address or number...).
Every person shown is opened for reading first (an access event), under the appointment's
service: a helper sees the failed reminders of office hours, a social worker her people's.
"""

from __future__ import annotations

import enum
from datetime import datetime, time, timedelta
from uuid import UUID

import msgspec

from domain.appointment import Appointment, AppointmentStatus
from domain.base import Category
from domain.consent import ConsentRecord, consent_record_id
from domain.person import Person, PersonErasedError
from domain.reminder import Channel, Reminder, reminder_id
from projections.directory import listings
from service.application.context import Actor, ApplicationContext
from service.application.errors import NotAuthorisedError
from service.application.listing import ensure_role_may_read
from service.application.reading import ReadGrant, ReadPurpose, open_for_reading
from service.reminders import outbox
from service.reminders.outbox import OutboxRow, OutboxStatus
from service.reminders.scheduler import PURPOSE_OF, Schedule, category_of, recipient_for
from service.storage.keys.subject_keys import SubjectErasedError
from service.storage.repository import AggregateErasedError, AggregateNotFoundError
from service.words import formatting
from service.words.translator import Translator


class State(enum.StrEnum):
    PLANNED = "planned"
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"
    NONE = "none"


class NoReminder(enum.StrEnum):
    NO_CONSENT = "no_consent"
    NO_CONTACT = "no_contact"
    RESTRICTED = "restricted"
    PAST = "past"
    NOT_BOOKED = "not_booked"


class ReminderState(msgspec.Struct, frozen=True, kw_only=True):
    state: State
    channel: Channel | None
    reason: str | None = None
    """Why it failed, was withdrawn or there is none (a code; ``text`` says it)."""
    at: datetime | None = None
    """When it was sent or failed; for a planned one, from when it will be sent."""
    reminder_id: UUID | None = None
    text: str
    """The state in the reader's words."""


class AppointmentReminders(msgspec.Struct, frozen=True):
    appointment_id: UUID
    reminders: list[ReminderState]


class FailedReminder(msgspec.Struct, frozen=True, kw_only=True):
    reminder_id: UUID
    appointment_id: UUID
    person_id: UUID
    file_number: str | None
    given_name: str | None
    family_name: str | None
    starts_at: datetime
    channel: Channel
    reason: str | None
    reason_text: str
    failed_at: datetime | None


class FailedReminders(msgspec.Struct, frozen=True):
    reminders: list[FailedReminder]


async def appointment_reminders(
    ctx: ApplicationContext,
    actor: Actor,
    appointment_id: UUID,
    schedule: Schedule,
    *,
    purpose: ReadPurpose = ReadPurpose.FOLLOW_UP,
    language: str = "fr",
) -> AppointmentReminders:
    """The reminders of one appointment (at its current time), each channel's state with its reason."""
    appointment = await ctx.repository.get(Appointment, appointment_id)
    assert appointment.person_id is not None
    category = category_of(appointment.kind)
    await open_for_reading(ctx, actor, appointment.person_id, "appointment_reminders", purpose, needs=category)
    t = Translator(language)
    async with ctx.pool.acquire() as db:
        rows = {row.reminder_id: row for row in await outbox.of_appointments(db, [appointment_id])}
    made = {
        channel: rows[rid]
        for channel in Channel
        if (rid := reminder_id(appointment_id, appointment.starts_at, channel)) in rows
    }
    states = [_made(t, channel, row) for channel, row in made.items()]
    if not made:
        states = await _not_made(ctx, t, appointment, schedule)
    return AppointmentReminders(appointment_id, states)


def _made(t: Translator, channel: Channel, row: OutboxRow) -> ReminderState:
    how = t.of("reminder_channel", channel)
    if row.status is OutboxStatus.SENT:
        when = t.moment(row.finished_at) if row.finished_at else "—"
        return ReminderState(
            state=State.SENT,
            channel=channel,
            at=row.finished_at,
            reminder_id=row.reminder_id,
            text=t("reminder.state.sent", channel=how, when=when),
        )
    if row.status is OutboxStatus.FAILED:
        return ReminderState(
            state=State.FAILED,
            channel=channel,
            reason=row.reason,
            at=row.finished_at,
            reminder_id=row.reminder_id,
            text=t("reminder.state.failed", channel=how, reason=t.of("reminder_failure", row.reason)),
        )
    if row.status is OutboxStatus.WITHDRAWN:
        return ReminderState(
            state=State.WITHDRAWN,
            channel=channel,
            reason=row.reason,
            at=row.finished_at,
            reminder_id=row.reminder_id,
            text=t("reminder.state.withdrawn", channel=how, reason=t.of("reminder_withdrawal", row.reason)),
        )
    return ReminderState(
        state=State.PENDING, channel=channel, reminder_id=row.reminder_id, text=t("reminder.state.pending", channel=how)
    )


def _none(t: Translator, why: NoReminder, channel: Channel | None = None) -> ReminderState:
    return ReminderState(state=State.NONE, channel=channel, reason=str(why), text=t(f"reminder.none.{why}"))


def due_from(starts_at: datetime, schedule: Schedule) -> datetime:
    """When the scheduler makes an appointment's reminder due: ``days_before`` days before, at ``hour``."""
    day = formatting.local(starts_at).date() - timedelta(days=schedule.days_before)
    return datetime.combine(day, time(schedule.hour), formatting.CENTRE_TIME_ZONE)


async def _not_made(
    ctx: ApplicationContext, t: Translator, appointment: Appointment, schedule: Schedule
) -> list[ReminderState]:
    now = ctx.clock()
    if appointment.status is not AppointmentStatus.BOOKED:
        return [_none(t, NoReminder.NOT_BOOKED)]
    person = await ctx.repository.get(Person, appointment.person_id)  # type: ignore[arg-type]
    if person.restricted:
        return [_none(t, NoReminder.RESTRICTED)]
    try:
        consents = await ctx.repository.get(ConsentRecord, consent_record_id(person.id))
    except AggregateNotFoundError:
        return [_none(t, NoReminder.NO_CONSENT)]
    today = formatting.local(now).date()
    consented = [c for c in Channel if consents.allows(PURPOSE_OF[c], today)]
    if not consented:
        return [_none(t, NoReminder.NO_CONSENT)]
    if appointment.starts_at <= now:
        return [_none(t, NoReminder.PAST)]
    due = due_from(appointment.starts_at, schedule)
    states = []
    for channel in consented:
        how = t.of("reminder_channel", channel)
        if recipient_for(person, channel) is None:
            states.append(_none(t, NoReminder.NO_CONTACT, channel))
        elif due > now:
            text = t("reminder.state.planned", channel=how, day=t.moment(due))
            states.append(ReminderState(state=State.PLANNED, channel=channel, at=due, text=text))
        else:  # due, and the scheduler has not been by yet
            states.append(
                ReminderState(state=State.PENDING, channel=channel, text=t("reminder.state.pending", channel=how))
            )
    return states


async def failed_reminders(
    ctx: ApplicationContext,
    actor: Actor,
    *,
    purpose: ReadPurpose = ReadPurpose.FOLLOW_UP,
    language: str = "fr",
    limit: int = 200,
) -> FailedReminders:
    """The reminders that could not be sent, the latest first: those of people the reader may follow."""
    if not any(_may_read(actor, c) for c in (Category.SOCIAL_LEGAL, Category.OFFICE_HOURS)):
        ensure_role_may_read(actor, Category.OFFICE_HOURS)
    t = Translator(language)
    async with ctx.pool.acquire() as db:
        rows = await outbox.failed(db, limit)
    shown: list[tuple[OutboxRow, Reminder, ReadGrant]] = []
    for row in rows:
        try:
            reminder = await ctx.repository.get(Reminder, row.reminder_id)
            grant = await open_for_reading(
                ctx, actor, row.person_id, "failed_reminders", purpose, needs=reminder.category
            )
        except (
            NotAuthorisedError,
            AggregateNotFoundError,
            AggregateErasedError,
            SubjectErasedError,
            PersonErasedError,
        ):
            continue  # not this reader's to follow, or erased meanwhile
        shown.append((row, reminder, grant))
    readable = [row.person_id for row, _, grant in shown if grant.may_read(Category.IDENTITY)]
    async with ctx.pool.acquire() as db:
        found = {f.person_id: f for f in await listings(db, ctx.sealer, readable, limit=max(len(readable), 1))}
    failed = []
    for row, reminder, _ in shown:
        listing = found.get(row.person_id)
        failed.append(
            FailedReminder(
                reminder_id=row.reminder_id,
                appointment_id=row.appointment_id,
                person_id=row.person_id,
                file_number=listing.file_number if listing else None,
                given_name=listing.details.given_name if listing else None,
                family_name=listing.details.family_name if listing else None,
                starts_at=reminder.starts_at,
                channel=row.channel,
                reason=row.reason,
                reason_text=t.of("reminder_failure", row.reason),
                failed_at=row.finished_at,
            )
        )
    return FailedReminders(failed)


def _may_read(actor: Actor, category: Category) -> bool:
    try:
        ensure_role_may_read(actor, category)
    except NotAuthorisedError:
        return False
    return True
