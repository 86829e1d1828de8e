"""Sending a failed reminder again, when a staff member asks (the list of failed reminders)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from domain.base import Category
from domain.policy import Scope
from domain.reminder import Reminder, ReminderStateError, ReminderStatus
from service.application.authorisation import authorise, person_open_to
from service.application.context import Actor, ApplicationContext
from service.application.running import Decision, Outcome, execute, versions_of
from service.reminders import outbox
from service.reminders.outbox import OutboxStatus


class RetryReminder(msgspec.Struct, frozen=True):
    reminder_id: UUID


class ReminderChanged(Outcome, frozen=True):
    reminder_id: UUID


def _authorise(actor: Actor, category: Category) -> None:
    # As booking: any social worker may act on a colleague's social-legal appointment.
    scope = Scope.INTAKE_ONLY if category is Category.SOCIAL_LEGAL else Scope.ALL
    authorise(actor, category, scope=scope)


async def retry_reminder(
    ctx: ApplicationContext, actor: Actor, command: RetryReminder, *, idempotency_key: str | None = None
) -> ReminderChanged:
    """The reminder goes back to the outbox with a fresh count of attempts (the event first, then the row)."""
    reminder = await ctx.repository.get(Reminder, command.reminder_id)
    _authorise(actor, reminder.category)

    async def decide(at: datetime) -> Decision[ReminderChanged]:
        found = await ctx.repository.get(Reminder, command.reminder_id)
        await person_open_to(ctx, actor, found.person_id)
        found.ask_retry(at, actor.staff_id)
        return Decision((found,), ReminderChanged(versions=versions_of(found), reminder_id=found.id))

    try:
        changed = await execute(
            ctx, actor, command, decide, ReminderChanged, idempotency_key=idempotency_key, repeatable=False
        )
    except ReminderStateError:
        if not await _mended(ctx, command.reminder_id):
            raise
        return ReminderChanged(versions=versions_of(reminder), reminder_id=reminder.id)
    async with ctx.pool.acquire() as db:
        await outbox.reopen(db, command.reminder_id, ctx.clock())  # a replay finds it pending: left as it is
    return changed


async def _mended(ctx: ApplicationContext, reminder_id: UUID) -> bool:
    """Asked already, and the outbox row was left failed (a crash in between): reopen it now."""
    reminder = await ctx.repository.get(Reminder, reminder_id)
    if reminder.status is not ReminderStatus.DUE:
        return False
    async with ctx.pool.acquire() as db:
        row = await outbox.row_of(db, reminder_id)
        if row is None or row.status is not OutboxStatus.FAILED:
            return False
        await outbox.reopen(db, reminder_id, ctx.clock())
    return True
