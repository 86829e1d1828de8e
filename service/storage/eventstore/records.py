"""The shapes that cross the event store's boundary."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class NewEvent(msgspec.Struct, frozen=True):
    """An event to append. ``payload`` is the serialised event, still in plaintext.

    The store encrypts it under the subject's key; ``subject_id`` None marks a
    non-personal event, stored unencrypted.
    """

    stream_id: UUID
    version: int
    topic: str
    category: str
    subject_id: UUID | None
    payload: bytes


class LogCursor(msgspec.Struct, frozen=True, order=True):
    """A place in the log: readers order by (transaction id, position)."""

    transaction_id: int = 0
    position: int = 0


LOG_START = LogCursor()


class RecordedEvent(msgspec.Struct, frozen=True, gc=False):
    """An event read back. ``payload`` is None when the subject has been erased.

    ``gc=False``: read by the thousand and never part of a cycle, it is left out of garbage collection.
    """

    position: int
    transaction_id: int
    stream_id: UUID
    version: int
    topic: str
    category: str
    subject_id: UUID | None
    recorded_at: datetime
    actor_id: UUID | None
    key_version: int
    payload: bytes | None

    @property
    def erased(self) -> bool:
        return self.payload is None

    @property
    def cursor(self) -> LogCursor:
        return LogCursor(self.transaction_id, self.position)


class AppendResult(msgspec.Struct, frozen=True):
    """What an append did. ``replayed`` is True when an idempotency key matched."""

    stream_versions: dict[UUID, int]
    response: bytes = b""
    replayed: bool = False
    log_position: LogCursor | None = None
    """Where the command's last event is in the log (the first attempt's, when replayed): a read model
    whose tracking position has reached it shows the command. None when it appended nothing."""


class StoreError(Exception):
    """The root of the event store's errors."""


class ConcurrencyError(StoreError):
    """Another writer got to the stream first."""

    def __init__(self, stream_id: UUID, expected: int, actual: int) -> None:
        super().__init__(f"stream {stream_id} is at version {actual}, the command expected version {expected}")
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


class IdempotencyKeyReusedError(StoreError):
    """The idempotency key was already used for a different command."""

    def __init__(self) -> None:
        super().__init__("this idempotency key was already used for a different command")


class InvalidAppendError(StoreError):
    """The events given to append do not form consecutive versions per stream."""


class TransientStoreError(StoreError):
    """A serialization failure or deadlock: the whole command may be retried."""
