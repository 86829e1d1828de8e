"""A reminder (rappel) of an appointment, by one channel: made due, then delivered or failed.

Its events are sealed under the person's key: they carry the recipient (the email address or
the E.164 phone number as the identity held it when the reminder became due), so the outbox
that drives the sending holds none of it. They belong to the appointment's service (its
category), so a social-legal appointment's reminder is read, kept and erased as social-legal data.

The reminder's id is derived from the appointment, its start and the channel
(:func:`reminder_id`): making the same reminder due twice conflicts instead of sending twice,
and a moved appointment (a new start) gets a reminder of its own. The delivery id the
provider deduplicates on is that id, the same on every attempt.
"""

import enum
from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import CanMutateAggregate, DomainEvent

from domain.base import Category, SuiviAggregate, aware
from domain.errors import DomainError

_REMINDER_NAMESPACE = UUID("0b7e6b52-3c1d-4f0e-9a1e-5d2f8c4a9e31")


class Channel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"


class ReminderStatus(enum.StrEnum):
    DUE = "due"
    """Made due: waiting in the outbox to be sent (or sent again)."""
    DELIVERED = "delivered"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"


class FailureReason(enum.StrEnum):
    NOT_CONFIGURED = "not_configured"
    """The centre has no SMTP server (or no SMS gateway) configured."""
    REFUSED = "refused"
    """The provider refused the message (a wrong address or number): trying again will not help."""
    UNREACHABLE = "unreachable"
    """The provider could not be reached or kept failing, attempt after attempt."""


class WithdrawalReason(enum.StrEnum):
    CANCELLED = "cancelled"
    MOVED = "moved"
    NO_LONGER_DUE = "no_longer_due"
    """Consent withdrawn, the person restricted, or the appointment already over."""


class ReminderStateError(DomainError):
    """The reminder is not at the step this command needs (already delivered, withdrawn...)."""


def reminder_id(appointment_id: UUID, starts_at: datetime, channel: Channel) -> UUID:
    """One reminder per appointment, start and channel, found without a lookup."""
    return uuid5(_REMINDER_NAMESPACE, f"{appointment_id}:{aware(starts_at).timestamp():.0f}:{Channel(channel)}")


class Reminder(SuiviAggregate):
    CATEGORY = Category.SOCIAL_LEGAL  # the default; each reminder's appointment decides (category_of)

    def __init__(self) -> None:
        self.appointment_id: UUID | None = None
        self.person_id: UUID | None = None
        self.category = Category.SOCIAL_LEGAL
        self.channel = Channel.EMAIL
        self.recipient = ""
        self.language = "fr"
        self.starts_at = datetime.min
        self.address = ""
        self.status = ReminderStatus.DUE
        self.failure: FailureReason | None = None
        self.withdrawal: WithdrawalReason | None = None
        self.attempts = 0

    @property
    def delivery_id(self) -> str:
        """What the provider deduplicates on: the same for every attempt of this reminder."""
        return str(self.id)

    class MadeDue(SuiviAggregate.Created):
        appointment_id: UUID
        person_id: UUID
        category: Category
        channel: Channel
        recipient: str
        preferred_language: str
        starts_at: datetime
        address: str

        def apply(self, reminder: "Reminder") -> None:
            reminder.appointment_id = self.appointment_id
            reminder.person_id = self.person_id
            reminder.category = Category(self.category)
            reminder.channel = Channel(self.channel)
            reminder.recipient = self.recipient
            reminder.language = self.preferred_language
            reminder.starts_at = self.starts_at
            reminder.address = self.address

    class Delivered(SuiviAggregate.Event):
        attempts: int

        def apply(self, reminder: "Reminder") -> None:
            reminder.status = ReminderStatus.DELIVERED
            reminder.attempts = self.attempts

    class Failed(SuiviAggregate.Event):
        reason: FailureReason
        attempts: int

        def apply(self, reminder: "Reminder") -> None:
            reminder.status = ReminderStatus.FAILED
            reminder.failure = FailureReason(self.reason)
            reminder.attempts = self.attempts

    class RetryAsked(SuiviAggregate.Event):
        """A staff member asked to send a failed reminder again."""

        asked_by: UUID

        def apply(self, reminder: "Reminder") -> None:
            reminder.status = ReminderStatus.DUE
            reminder.failure = None

    class Withdrawn(SuiviAggregate.Event):
        reason: WithdrawalReason

        def apply(self, reminder: "Reminder") -> None:
            reminder.status = ReminderStatus.WITHDRAWN
            reminder.withdrawal = WithdrawalReason(self.reason)

    @classmethod
    def make_due(
        cls,
        appointment_id: UUID,
        person_id: UUID,
        category: Category,
        channel: Channel,
        recipient: str,
        language: str,
        starts_at: datetime,
        address: str,
        at: datetime,
    ) -> "Reminder":
        channel = Channel(channel)
        return cls._create(
            cls.MadeDue,
            id=reminder_id(appointment_id, starts_at, channel),
            timestamp=aware(at),
            appointment_id=appointment_id,
            person_id=person_id,
            category=Category(category),
            channel=channel,
            recipient=recipient,
            preferred_language=language,
            starts_at=aware(starts_at),
            address=address,
        )

    def subject_id(self) -> UUID | None:
        return self.person_id

    def category_of(self, event: DomainEvent | CanMutateAggregate[UUID]) -> Category:
        if isinstance(event, Reminder.MadeDue):  # applied only after this question is asked
            return Category(event.category)
        return self.category

    def deliver(self, attempts: int, at: datetime) -> None:
        self._ensure_status(ReminderStatus.DUE)
        self.trigger_event(self.Delivered, timestamp=aware(at), attempts=attempts)

    def fail(self, reason: FailureReason, attempts: int, at: datetime) -> None:
        self._ensure_status(ReminderStatus.DUE)
        self.trigger_event(self.Failed, timestamp=aware(at), reason=FailureReason(reason), attempts=attempts)

    def ask_retry(self, at: datetime, by: UUID) -> None:
        self._ensure_status(ReminderStatus.FAILED)
        self.trigger_event(self.RetryAsked, timestamp=aware(at), asked_by=by)

    def withdraw(self, reason: WithdrawalReason, at: datetime) -> None:
        self._ensure_status(ReminderStatus.DUE, ReminderStatus.FAILED)
        self.trigger_event(self.Withdrawn, timestamp=aware(at), reason=WithdrawalReason(reason))

    def _ensure_status(self, *allowed: ReminderStatus) -> None:
        if self.status not in allowed:
            raise ReminderStateError(f"reminder {self.id} is {self.status}")
