"""Loads aggregates from the event store and saves their new events, atomically.

The bridge between ``domain/`` and the store: each pending event becomes a
``NewEvent`` whose subject (the key that encrypts it) and category come from the
aggregate itself (``SuiviAggregate.subject_of`` and ``category_of``).

Streams recently loaded or saved in this process are taken from memory (``store.recent``, see
``service.storage.recent_aggregates``), checked only by the append: a conflict on a stream served
from memory drops it and raises ``StaleAggregateError``, which ``execute`` answers by deciding again
on the stream read afresh. Only loads made while a command decides (``deciding``) come from
memory: deciding again loads them again. Anything loaded before (a view, a command that loads its
aggregates before it decides) is read from the database, as it always was.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any, TypeVar
from uuid import UUID

from domain.base import SuiviAggregate
from service.storage.codec import EventCodec
from service.storage.eventstore.records import AppendResult, ConcurrencyError, NewEvent
from service.storage.eventstore.store import PostgresEventStore
from service.storage.recent_aggregates import Encoded, Recent

A = TypeVar("A", bound=SuiviAggregate)


class AggregateNotFoundError(Exception):
    """No stream has this id (or it holds another kind of aggregate)."""

    def __init__(self, kind: str, aggregate_id: UUID) -> None:
        super().__init__(f"no {kind} with id {aggregate_id}")
        self.kind = kind
        self.aggregate_id = aggregate_id


class AggregateErasedError(Exception):
    """The aggregate's data subject was erased: its history can no longer be read."""

    def __init__(self, aggregate_id: UUID) -> None:
        super().__init__(f"the data behind {aggregate_id} has been erased")
        self.aggregate_id = aggregate_id


class StaleAggregateError(ConcurrencyError):
    """The append conflicted on a stream taken from memory: it may only have been out of date here.

    The entry is gone; deciding again reads the stream from the database.
    """


_DECIDING: ContextVar[bool] = ContextVar("suivi_deciding", default=False)


@contextlib.contextmanager
def deciding() -> Iterator[None]:
    """Loads made inside may come from memory: the caller decides again when one turns out stale."""
    token = _DECIDING.set(True)
    try:
        yield
    finally:
        _DECIDING.reset(token)


_CODEC = EventCodec()  # its decoding plans are worked out once per topic, for every repository


class Repository:
    def __init__(
        self,
        store: PostgresEventStore,
        codec: EventCodec | None = None,
        expected: dict[UUID, int] | None = None,
        from_memory: dict[UUID, int] | None = None,
    ) -> None:
        self.store = store
        self.codec = codec or _CODEC
        self._expected = expected or {}
        self._from_memory = {} if from_memory is None else from_memory
        """Streams this repository took from memory, at the version it took them."""

    def expecting(self, versions: dict[UUID, int]) -> Repository:
        """A repository that refuses to load these aggregates at any other version (HTTP If-Match)."""
        return Repository(self.store, self.codec, {**self._expected, **versions}, self._from_memory)

    async def get(self, kind: type[A], aggregate_id: UUID) -> A:
        expected = self._expected.get(aggregate_id)
        aggregate = await self._from_recent(aggregate_id, expected) if _DECIDING.get() else None
        if aggregate is None:
            aggregate = await self._read(kind.__name__, aggregate_id)
        if not isinstance(aggregate, kind):
            raise AggregateNotFoundError(kind.__name__, aggregate_id)
        if expected is not None and expected != aggregate.version:
            raise ConcurrencyError(aggregate_id, expected, aggregate.version)
        return aggregate

    async def _from_recent(self, aggregate_id: UUID, expected: int | None) -> Any:
        recent = self.store.recent.get(aggregate_id)
        if recent is None or (expected is not None and expected != recent.version):
            return None  # a version check is decided on the stream as the database has it
        if recent.subjects:
            held = await self.store.keys.keys_for_reading(recent.subjects)
            if len(held) != len(recent.subjects):  # someone was erased: never from memory
                self.store.recent.discard(aggregate_id)
                return None
        self._from_memory[aggregate_id] = recent.version
        return recent.fold(self.codec, aggregate_id)

    async def _read(self, kind: str, aggregate_id: UUID) -> Any:
        recorded = await self.store.read_stream(aggregate_id)
        if not recorded:
            raise AggregateNotFoundError(kind, aggregate_id)
        encoded: list[Encoded] = []
        for event in recorded:
            if event.payload is None:
                raise AggregateErasedError(aggregate_id)
            encoded.append((event.topic, event.payload, event.version))
        self._from_memory.pop(aggregate_id, None)
        subjects = frozenset(e.subject_id for e in recorded if e.subject_id)
        self.store.recent.put(aggregate_id, encoded, subjects)
        return Recent(encoded[-1][2], tuple(encoded), subjects).fold(self.codec, aggregate_id)

    async def save(
        self,
        *aggregates: SuiviAggregate,
        actor_id: UUID | None,
        idempotency_key: str | None = None,
        fingerprint: bytes = b"",
        response: bytes = b"",
    ) -> AppendResult:
        """Append every pending event of every aggregate in one atomic append."""
        pending = [(aggregate, event) for aggregate in aggregates for event in aggregate.collect_events()]
        new_events = [
            NewEvent(
                stream_id=event.originator_id,
                version=event.originator_version,
                topic=self.codec.topic_of(event),
                category=str(aggregate.category_of(event)),
                subject_id=aggregate.subject_of(event),
                payload=self.codec.encode(event),
            )
            for aggregate, event in pending
        ]
        try:
            appended = await self.store.append(
                new_events,
                actor_id=actor_id,
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
                response=response,
            )
        except ConcurrencyError as conflict:
            stale = self._from_memory.get(conflict.stream_id) == conflict.expected
            self._forget(new_events)
            if stale:
                raise StaleAggregateError(conflict.stream_id, conflict.expected, conflict.actual) from None
            raise
        if not appended.replayed:
            self._remember(new_events)
        return appended

    def _forget(self, new_events: list[NewEvent]) -> None:
        """After a conflict: what this process holds of these streams, at the versions decided on, is out of date."""
        for event in new_events:
            self.store.recent.discard(event.stream_id, event.version - 1)
            self._from_memory.pop(event.stream_id, None)

    def _remember(self, new_events: list[NewEvent]) -> None:
        """Each stream as the database now has it: what was written, encoded as a load reads it."""
        by_stream: dict[UUID, list[NewEvent]] = {}
        for event in new_events:
            by_stream.setdefault(event.stream_id, []).append(event)
        for stream_id, written in by_stream.items():
            encoded = [(e.topic, e.payload, e.version) for e in written]
            subjects = frozenset(e.subject_id for e in written if e.subject_id)
            self.store.recent.extend(stream_id, written[0].version - 1, encoded, subjects)
            self._from_memory.pop(stream_id, None)
