"""The outbox table (``reminder_outbox``): what is left to send, who holds it, and how it went.

A row names a reminder (its stream, which is also the delivery id), its appointment, the
person and the channel: never the address, the phone number or the text, which the sender
reads from the reminder's sealed event. Senders claim rows with ``FOR UPDATE SKIP LOCKED``
and a lease: a row is held until ``leased_until``, so two senders never send one reminder
at once, and the row of a sender that died is taken up again once its lease has run out.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime, timedelta
from uuid import UUID

import msgspec

from domain.reminder import Channel, FailureReason, Reminder, WithdrawalReason
from service.storage.database import Connection


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"


class Claimed(msgspec.Struct, frozen=True):
    reminder_id: UUID
    attempts: int
    """Attempts so far, this one included (a sender that died mid-send used one)."""


class OutboxRow(msgspec.Struct, frozen=True):
    reminder_id: UUID
    appointment_id: UUID
    person_id: UUID
    channel: Channel
    status: OutboxStatus
    attempts: int
    reason: str | None
    """A code: why it failed (``FailureReason``), why it was withdrawn (``WithdrawalReason``)."""
    next_attempt_at: datetime
    finished_at: datetime | None


_COLUMNS = "reminder_id, appointment_id, person_id, channel, status, attempts, reason, next_attempt_at, finished_at"


def _row(record: object) -> OutboxRow:
    return msgspec.convert(dict(record), OutboxRow)  # type: ignore[call-overload]


async def enqueue(db: Connection, reminder: Reminder, at: datetime) -> bool:
    """Put a reminder that was made due in the outbox; False if it is there already."""
    assert reminder.appointment_id is not None and reminder.person_id is not None
    status = await db.execute(
        """INSERT INTO reminder_outbox (reminder_id, appointment_id, person_id, channel, next_attempt_at, made_due_at)
           VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (reminder_id) DO NOTHING""",
        reminder.id,
        reminder.appointment_id,
        reminder.person_id,
        str(reminder.channel),
        at,
    )
    return bool(status.endswith(" 1"))


async def known(db: Connection, reminder_ids: Sequence[UUID]) -> set[UUID]:
    """Which of these reminders are in the outbox already (whatever their state)."""
    rows = await db.fetch("SELECT reminder_id FROM reminder_outbox WHERE reminder_id = ANY($1::uuid[])", reminder_ids)
    return {row["reminder_id"] for row in rows}


async def claim(db: Connection, now: datetime, lease: timedelta, holder: str, limit: int) -> list[Claimed]:
    """Take up to ``limit`` reminders to send now, each held for ``lease`` by ``holder``."""
    rows = await db.fetch(
        """UPDATE reminder_outbox o SET leased_until = $1 + $2::interval, leased_by = $3, attempts = o.attempts + 1
           FROM (SELECT reminder_id FROM reminder_outbox
                 WHERE status = 'pending' AND next_attempt_at <= $1 AND (leased_until IS NULL OR leased_until <= $1)
                 ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED) free
           WHERE o.reminder_id = free.reminder_id
           RETURNING o.reminder_id, o.attempts""",
        now,
        lease,
        holder,
        limit,
    )
    return [Claimed(row["reminder_id"], row["attempts"]) for row in rows]


async def finish(
    db: Connection,
    reminder_id: UUID,
    status: OutboxStatus,
    at: datetime,
    reason: FailureReason | WithdrawalReason | None = None,
) -> None:
    """The reminder was sent, failed for good or withdrawn: no sender takes it again."""
    await db.execute(
        """UPDATE reminder_outbox SET status = $2, reason = $3, finished_at = $4, leased_until = NULL, leased_by = NULL
           WHERE reminder_id = $1""",
        reminder_id,
        str(status),
        None if reason is None else str(reason),
        at,
    )


async def later(db: Connection, reminder_id: UUID, at: datetime, reason: FailureReason) -> None:
    """Give the reminder back, to be tried again from ``at`` (the backoff's choice)."""
    await db.execute(
        """UPDATE reminder_outbox SET next_attempt_at = $2, reason = $3, leased_until = NULL, leased_by = NULL
           WHERE reminder_id = $1 AND status = 'pending'""",
        reminder_id,
        at,
        str(reason),
    )


async def reopen(db: Connection, reminder_id: UUID, at: datetime) -> None:
    """A failed reminder is to be sent again (a staff member asked): a fresh count of attempts."""
    await db.execute(
        """UPDATE reminder_outbox SET status = 'pending', attempts = 0, reason = NULL, next_attempt_at = $2,
                  finished_at = NULL, leased_until = NULL, leased_by = NULL
           WHERE reminder_id = $1 AND status = 'failed'""",
        reminder_id,
        at,
    )


async def of_appointments(db: Connection, appointment_ids: Sequence[UUID]) -> list[OutboxRow]:
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM reminder_outbox WHERE appointment_id = ANY($1::uuid[]) ORDER BY made_due_at, channel",
        appointment_ids,
    )
    return [_row(row) for row in rows]


async def failed(db: Connection, limit: int) -> list[OutboxRow]:
    """The reminders that failed for good, the latest first."""
    rows = await db.fetch(
        f"SELECT {_COLUMNS} FROM reminder_outbox WHERE status = 'failed' ORDER BY finished_at DESC LIMIT $1", limit
    )
    return [_row(row) for row in rows]


async def row_of(db: Connection, reminder_id: UUID) -> OutboxRow | None:
    row = await db.fetchrow(f"SELECT {_COLUMNS} FROM reminder_outbox WHERE reminder_id = $1", reminder_id)
    return None if row is None else _row(row)
