"""What every projection shares: the envelope it receives, sealing, and dispatch by event type.

A projection is a set of handlers, one per event class it cares about, that write to
the tables of its own schema. The runner (in ``service/``) feeds it the log in order,
inside a transaction whose ``search_path`` is the projection's schema, and commits the
writes together with the tracking position.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Protocol, TypeVar
from uuid import UUID

from domain.person import Person


class Db(Protocol):
    """What projections and their queries use of a database connection (asyncpg's, or a batch writer)."""

    async def execute(self, query: str, *args: Any) -> str: ...
    async def executemany(self, query: str, args: Any) -> None: ...
    async def fetch(self, query: str, *args: Any) -> list[Any]: ...
    async def fetchrow(self, query: str, *args: Any) -> Any: ...
    async def fetchval(self, query: str, *args: Any) -> Any: ...


class Envelope(Protocol):
    """The stored facts around an event; ``event`` is None when its subject was erased."""

    @property
    def position(self) -> int: ...
    @property
    def stream_id(self) -> UUID: ...
    @property
    def subject_id(self) -> UUID | None: ...
    @property
    def recorded_at(self) -> datetime: ...
    @property
    def actor_id(self) -> UUID | None: ...
    @property
    def category(self) -> str: ...
    @property
    def event(self) -> Any: ...


class SubjectCipher(Protocol):
    """One person's key, for read-model fields. ``context`` binds a ciphertext to its place."""

    def seal(self, plaintext: bytes, context: bytes) -> bytes: ...

    def open(self, token: bytes, context: bytes) -> bytes: ...


class Sealer(Protocol):
    """Finds the key of a data subject; None once the subject has been erased."""

    async def cipher(self, subject_id: UUID) -> SubjectCipher | None: ...

    async def ciphers(self, subject_ids: Iterable[UUID]) -> Mapping[UUID, SubjectCipher]:
        """Several subjects' keys in one fetch (for a list of rows); erased subjects are absent."""
        ...


Handler = Callable[[Any, Db, Envelope], Awaitable[None]]
P = TypeVar("P", bound="Projection")


class Projection:
    """Base class: subclasses register handlers with ``@handles(EventClass)``."""

    name: ClassVar[str]
    schema: ClassVar[str]
    _handlers: ClassVar[dict[type, Handler]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._handlers = {}
        for attribute in vars(cls).values():
            for event_class in getattr(attribute, "_handles", ()):
                cls._handlers[event_class] = attribute

    def begin(self) -> None:
        """A batch starts: forget anything gathered for a batch that was rolled back."""

    async def prepare(self, connection: Db, envelopes: Sequence[Envelope]) -> None:
        """A batch's events are about to be applied: load at once what their handlers will read."""

    def write_key(self, envelope: Envelope) -> Hashable | None:
        """The rows this event's writes touch, if only rows no event of another key touches.

        Writes of different keys commute, so the runner may send them grouped by statement, one
        round trip per statement for a whole batch. None (the default) keeps this event's writes
        in their place among all the others: say it for an erasure, or whenever unsure.
        """
        return None

    async def flush(self, connection: Db) -> None:
        """Write what this projection gathered over a batch, before its position is saved."""

    async def apply(self, connection: Db, envelope: Envelope) -> None:
        if envelope.event is None:
            return  # an erased subject's event: nothing left to project
        handler = self._handlers.get(type(envelope.event))
        if handler is not None:
            await handler(self, connection, envelope)

    @classmethod
    def handled_events(cls) -> set[type]:
        return set(cls._handlers)


def handles(*event_classes: type) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        function._handles = event_classes  # type: ignore[attr-defined]
        return function

    return register


ERASED = Person.Erased
"""The tombstone every projection with personal rows must handle."""


def events_of(*aggregates: type) -> tuple[type, ...]:
    """The concrete event classes an aggregate defines (its nested event classes)."""
    found = []
    for aggregate in aggregates:
        for value in vars(aggregate).values():
            if isinstance(value, type) and hasattr(value, "apply") and value.__name__ not in {"Event", "Created"}:
                found.append(value)
    return tuple(found)
