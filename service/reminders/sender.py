"""Delivering the reminders in the outbox: at least once, never twice at the same time.

A pass claims what is due (``outbox.claim``: ``FOR UPDATE SKIP LOCKED`` and a lease), opens
each reminder's sealed event for the recipient, sends it with its delivery id, then records
the outcome: first as an event (``Reminder.Delivered`` / ``Reminder.Failed``), then in the
outbox. A sender that dies between sending and recording leaves the row leased; once the lease
has run out another pass sends it again, with the same delivery id (at most one duplicate,
which the provider can drop), and never loses it. One that dies after the event but before the
outbox finds the event on the next pass and only finishes the row.

Before sending, the appointment is looked at again: cancelled, moved, begun or over, or the
consent withdrawn, and the reminder is withdrawn instead.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID, uuid4

import asyncpg

from domain.appointment import AppointmentStatus
from domain.consent import ConsentRecord, consent_record_id
from domain.person import Person
from domain.reminder import Channel, FailureReason, Reminder, ReminderStatus, WithdrawalReason
from service.reminders import messages, outbox
from service.reminders.appointments import current
from service.reminders.outbox import Claimed, OutboxStatus
from service.reminders.scheduler import PURPOSE_OF, RETRIED
from service.reminders.transports import Refused, Sent, Transport, TryLater
from service.storage.database import Backoff
from service.storage.eventstore.records import ConcurrencyError
from service.storage.repository import AggregateErasedError, AggregateNotFoundError, Repository
from service.words.formatting import CENTRE_TIME_ZONE

log = logging.getLogger("suivi.reminders")


@dataclass(frozen=True)
class Retries:
    """How often and how long a reminder is tried: doubling from ``first`` up to ``cap``, jittered."""

    attempts: int = 6
    first: timedelta = timedelta(minutes=1)
    cap: timedelta = timedelta(hours=1)
    rng: Callable[[], float] = random.random

    def delay(self, attempts: int) -> timedelta:
        step = min(self.cap, self.first * (1 << min(max(attempts - 1, 0), 30)))
        return step / 2 + step * (self.rng() / 2)


def holder_name() -> str:
    """Who holds a lease, for an operator reading the outbox: this machine and process."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid4().hex[:6]}"


@dataclass
class Sender:
    pool: asyncpg.Pool
    repository: Repository
    transports: Mapping[Channel, Transport | None]
    """A channel without a transport (no SMTP server, no SMS gateway configured) fails at once, saying so."""
    clock: Callable[[], datetime]
    retries: Retries = field(default_factory=Retries)
    lease: timedelta = timedelta(minutes=5)
    """Longer than any one send takes (the transports time out after 30 s)."""
    batch: int = 20
    holder: str = field(default_factory=holder_name)

    async def send_due(self) -> int:
        """One pass: send every reminder due now; returns how many were claimed."""
        async with self.pool.acquire() as db:
            claimed = await outbox.claim(db, self.clock(), self.lease, self.holder, self.batch)
        for claim in claimed:
            try:
                await self._deliver(claim)
            except RETRIED:
                raise  # the lease gives the reminder back once the database is there again
            except Exception as error:
                # One reminder that cannot be sent (a bug, a store error) must not stop the others; after
                # the last attempt it is given up in the outbox, where the staff see it.
                log.error("reminder not sent: %s", type(error).__name__, extra={"event": "reminder_error"})
                if claim.attempts >= self.retries.attempts:
                    await self._finish(claim.reminder_id, OutboxStatus.FAILED, FailureReason.UNREACHABLE)
        return len(claimed)

    async def run_forever(self, *, every: float = 15.0, woken: asyncio.Event | None = None) -> None:
        """Send for ever; a lost database is waited for (the pool reconnects), then sending resumes."""
        backoff = Backoff(first=1.0, cap=60.0)
        woken = woken or asyncio.Event()
        while True:
            try:
                claimed = await self.send_due()
            except RETRIED as error:
                log.warning("reminder sender waiting for the database (%s)", type(error).__name__)
                await asyncio.sleep(backoff.next())
                continue
            backoff.reset()
            if claimed:
                continue  # there may be more
            woken.clear()
            try:
                async with asyncio.timeout(every):
                    await woken.wait()
            except TimeoutError:
                pass

    async def _deliver(self, claim: Claimed) -> None:
        try:
            reminder = await self.repository.get(Reminder, claim.reminder_id)
        except (AggregateNotFoundError, AggregateErasedError):
            await self._finish(claim.reminder_id, OutboxStatus.WITHDRAWN)  # erased meanwhile: nobody to remind
            return
        if reminder.status is not ReminderStatus.DUE:
            await self._finish_as(reminder)  # recorded before a crash: only the outbox row was left
            return
        withdrawal = await self._no_longer_due(reminder)
        if withdrawal is not None:
            reminder.withdraw(withdrawal, self.clock())
            await self._record(reminder)
            return
        transport = self.transports.get(reminder.channel)
        if transport is None:
            reminder.fail(FailureReason.NOT_CONFIGURED, claim.attempts, self.clock())
            await self._record(reminder)
            return
        message = (messages.email if reminder.channel is Channel.EMAIL else messages.sms)(
            reminder.language, reminder.starts_at, reminder.address
        )
        result = await transport.send(reminder.recipient, message, reminder.delivery_id)
        now = self.clock()
        if isinstance(result, Sent):
            reminder.deliver(claim.attempts, now)
        elif isinstance(result, Refused):
            reminder.fail(FailureReason.REFUSED, claim.attempts, now)
        elif isinstance(result, TryLater) and claim.attempts >= self.retries.attempts:
            reminder.fail(FailureReason.UNREACHABLE, claim.attempts, now)
        else:
            async with self.pool.acquire() as db:
                await outbox.later(db, reminder.id, now + self.retries.delay(claim.attempts), FailureReason.UNREACHABLE)
            return
        await self._record(reminder)

    async def _no_longer_due(self, reminder: Reminder) -> WithdrawalReason | None:
        assert reminder.appointment_id is not None and reminder.person_id is not None
        appointment = await current(self.repository, reminder.appointment_id)
        if appointment is None or appointment.status is AppointmentStatus.CANCELLED:
            return WithdrawalReason.CANCELLED
        if appointment.starts_at != reminder.starts_at:
            return WithdrawalReason.MOVED
        if appointment.status is not AppointmentStatus.BOOKED or appointment.starts_at <= self.clock():
            return WithdrawalReason.NO_LONGER_DUE
        try:
            person = await self.repository.get(Person, reminder.person_id)
        except (AggregateNotFoundError, AggregateErasedError):
            return WithdrawalReason.NO_LONGER_DUE
        if person.erased or person.restricted:
            return WithdrawalReason.NO_LONGER_DUE  # Art. 18: while restricted, nothing is processed
        try:
            consents = await self.repository.get(ConsentRecord, consent_record_id(reminder.person_id))
        except (AggregateNotFoundError, AggregateErasedError):
            return WithdrawalReason.NO_LONGER_DUE
        today = self.clock().astimezone(CENTRE_TIME_ZONE).date()
        if not consents.allows(PURPOSE_OF[reminder.channel], today):
            return WithdrawalReason.NO_LONGER_DUE
        return None

    async def _record(self, reminder: Reminder) -> None:
        """The event first, then the outbox: a crash in between is mended by the next pass."""
        try:
            await self.repository.save(reminder, actor_id=None)
        except ConcurrencyError:
            # Recorded meanwhile (a staff member's retry, another sender after a lease ran out).
            reminder = await self.repository.get(Reminder, reminder.id)
            if reminder.status is ReminderStatus.DUE:
                async with self.pool.acquire() as db:
                    await outbox.later(db, reminder.id, self.clock(), FailureReason.UNREACHABLE)
                return
        await self._finish_as(reminder)

    async def _finish_as(self, reminder: Reminder) -> None:
        status = {
            ReminderStatus.DELIVERED: OutboxStatus.SENT,
            ReminderStatus.FAILED: OutboxStatus.FAILED,
            ReminderStatus.WITHDRAWN: OutboxStatus.WITHDRAWN,
        }.get(reminder.status)
        if status is not None:
            await self._finish(reminder.id, status, reminder.failure or reminder.withdrawal)

    async def _finish(
        self, reminder_id: UUID, status: OutboxStatus, reason: FailureReason | WithdrawalReason | None = None
    ) -> None:
        async with self.pool.acquire() as db:
            await outbox.finish(db, reminder_id, status, self.clock(), reason)
