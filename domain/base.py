"""What every Suivi aggregate shares: categories, data subjects and time.

The event store relies on this contract exactly. For each new event it asks
the aggregate two questions: whose personal data is this event about
(:meth:`SuiviAggregate.subject_of`, whose key encrypts it) and which category
of processing does it belong to (:meth:`SuiviAggregate.category_of`, which the
access policy filters on).

Nothing here reads a clock: every command receives its time as ``at`` and the
events carry that time as their ``timestamp``.
"""

import enum
from datetime import datetime
from typing import ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, CanMutateAggregate, DomainEvent

from domain.errors import InvalidValueError, NaiveTimestampError


class Category(enum.StrEnum):
    IDENTITY = "identity"
    CONSENT = "consent"
    TRAINING = "training"
    OFFICE_HOURS = "office_hours"
    SOCIAL_LEGAL = "social_legal"
    GDPR = "gdpr"
    ACCESS = "access"


def aware(at: datetime) -> datetime:
    """Return ``at`` unchanged, refusing naive datetimes.

    A naive time would be read back in whatever zone the reader lives in,
    so the order of events and the dates of consent would drift.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise NaiveTimestampError("the time of a command must carry a timezone")
    return at


def required_text(value: str, what: str) -> str:
    """Return ``value`` stripped, refusing blank text where a person must write."""
    text = value.strip()
    if not text:
        raise InvalidValueError(f"{what} must not be blank")
    return text


class SuiviAggregate(Aggregate):
    """Base for every aggregate of Suivi."""

    CATEGORY: ClassVar[Category]
    """Default category of this aggregate's events."""

    class Event(Aggregate.Event):
        """Base event. Subclasses may set ``PERSONAL = False`` and ``CATEGORY``."""

        PERSONAL: ClassVar[bool] = True
        """False for events that carry no personal data (e.g. the erasure tombstone)."""

    class Created(Event, Aggregate.Created):
        pass

    def subject_id(self) -> UUID | None:
        """The person this aggregate is about, or None for non-personal aggregates."""
        raise NotImplementedError

    def subject_of(self, event: DomainEvent | CanMutateAggregate[UUID]) -> UUID | None:
        """The data subject whose key encrypts ``event``; None if non-personal."""
        if not getattr(type(event), "PERSONAL", True):
            return None
        return self.subject_id()

    def category_of(self, event: DomainEvent | CanMutateAggregate[UUID]) -> Category:
        """The event's own ``CATEGORY`` if it declares one, else the aggregate's."""
        category = getattr(type(event), "CATEGORY", None)
        if isinstance(category, Category):
            return category
        return self.CATEGORY
