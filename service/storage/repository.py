"""Loads aggregates from the event store and saves their new events, atomically.

The bridge between ``domain/`` and the store: each pending event becomes a
``NewEvent`` whose subject (the key that encrypts it) and category come from the
aggregate itself (``SuiviAggregate.subject_of`` and ``category_of``).
"""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from domain.base import SuiviAggregate
from service.storage.codec import EventCodec
from service.storage.eventstore.records import AppendResult, ConcurrencyError, NewEvent
from service.storage.eventstore.store import PostgresEventStore

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


class Repository:
    def __init__(
        self, store: PostgresEventStore, codec: EventCodec | None = None, expected: dict[UUID, int] | None = None
    ) -> None:
        self.store = store
        self.codec = codec or EventCodec()
        self._expected = expected or {}

    def expecting(self, versions: dict[UUID, int]) -> Repository:
        """A repository that refuses to load these aggregates at any other version (HTTP If-Match)."""
        return Repository(self.store, self.codec, {**self._expected, **versions})

    async def get(self, kind: type[A], aggregate_id: UUID) -> A:
        recorded = await self.store.read_stream(aggregate_id)
        if not recorded:
            raise AggregateNotFoundError(kind.__name__, aggregate_id)
        aggregate = None
        for event in recorded:
            if event.payload is None:
                raise AggregateErasedError(aggregate_id)
            aggregate = self.codec.decode(event.topic, event.payload, event.stream_id, event.version).mutate(aggregate)
        if not isinstance(aggregate, kind):
            raise AggregateNotFoundError(kind.__name__, aggregate_id)
        expected = self._expected.get(aggregate_id)
        if expected is not None and expected != aggregate.version:
            raise ConcurrencyError(aggregate_id, expected, aggregate.version)
        return aggregate

    async def save(
        self,
        *aggregates: SuiviAggregate,
        actor_id: UUID | None,
        idempotency_key: str | None = None,
        fingerprint: bytes = b"",
        response: bytes = b"",
    ) -> AppendResult:
        """Append every pending event of every aggregate in one atomic append."""
        new_events = [
            NewEvent(
                stream_id=event.originator_id,
                version=event.originator_version,
                topic=self.codec.topic_of(event),
                category=str(aggregate.category_of(event)),
                subject_id=aggregate.subject_of(event),
                payload=self.codec.encode(event),
            )
            for aggregate in aggregates
            for event in aggregate.collect_events()
        ]
        return await self.store.append(
            new_events,
            actor_id=actor_id,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            response=response,
        )
