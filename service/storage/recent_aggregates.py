"""Streams recently loaded or saved, kept per process so that a command need not read its stream again.

An entry is a stream's events up to one version, as their encoded payloads (the plaintext
msgpack the store decrypts, never the ciphertext's key). Each load decodes and folds them into a
new aggregate of its own, which the command may change freely; that is cheaper than any copy of
the aggregate (a third of ``pickle.loads``, a twentieth of ``deepcopy``, for a case with ten notes).

Why payloads and not the decoded events: a decoded event is four or five objects that Python's
garbage collector tracks (the event, its ``__dict__``, its UUIDs), and a full cache of decoded
events held 425,000 of them, which every full collection walked: 113 ms with the process
otherwise idle, the event loop stopped meanwhile. A tuple of a topic, bytes and a version holds
nothing the collector tracks. Decoding again costs about 1.7 µs an event.

Nothing here is trusted beyond what the append checks:

- an entry is never checked against the database when it is taken. If another process (or
  another command here) has written to the stream since, the command's append conflicts on
  (stream, version); the repository then drops the entry, and the command is decided again on
  the stream read afresh (``StaleAggregateError``). A stale entry costs a retry, never a write lost
  or a decision taken on old state;
- an entry remembers whose keys its events were encrypted under. It is served only while the key
  store still holds every one of them, so a person erased here or in another process (the key
  store forgets the key on the erasure notice, or stops trusting its memory while notices cannot
  arrive) is never served from memory.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from service.storage.codec import EventCodec

SIZE = 5_000
"""Streams kept: the cases and people a centre's staff work on in an hour, and far below its memory."""


Encoded = tuple[str, bytes, int]
"""One event as the codec reads it: its topic, its plaintext payload and its version."""


@dataclass(frozen=True)
class Recent:
    version: int
    events: tuple[Encoded, ...]
    subjects: frozenset[UUID]
    """The people whose keys the stream's events are encrypted under."""

    def fold(self, codec: EventCodec, stream_id: UUID) -> Any:
        """A new aggregate, the caller's own."""
        aggregate = None
        decode = codec.decode
        for topic, payload, version in self.events:
            aggregate = decode(topic, payload, stream_id, version).mutate(aggregate)
        return aggregate


class RecentAggregates:
    def __init__(self, size: int = SIZE) -> None:
        self._entries: OrderedDict[UUID, Recent] = OrderedDict()
        self._size = size
        self.hits = 0
        self.misses = 0

    def get(self, stream_id: UUID) -> Recent | None:
        entry = self._entries.get(stream_id)
        if entry is None:
            self.misses += 1
        else:
            self.hits += 1
            self._entries.move_to_end(stream_id)
        return entry

    def put(self, stream_id: UUID, events: Sequence[Encoded], subjects: frozenset[UUID]) -> None:
        """Keep the stream as these events make it (its first to its last, in order)."""
        if not events:
            return
        version = events[-1][2]
        known = self._entries.get(stream_id)
        if known is not None and known.version > version:
            return  # another command here got further: keep the later state
        self._entries[stream_id] = Recent(version, tuple(events), subjects)
        self._entries.move_to_end(stream_id)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def extend(self, stream_id: UUID, after: int, events: Sequence[Encoded], subjects: frozenset[UUID]) -> None:
        """The stream moved on from version ``after`` by ``events``: keep it, if its state at ``after`` is here."""
        if after == 0:
            self.put(stream_id, events, subjects)
            return
        known = self._entries.get(stream_id)
        if known is None or known.version != after:
            self.discard(stream_id, after)
            return
        self.put(stream_id, known.events + tuple(events), known.subjects | subjects)

    def discard(self, stream_id: UUID, up_to_version: int | None = None) -> None:
        """Drop the stream's entry (only if it is not later than ``up_to_version``, when given)."""
        known = self._entries.get(stream_id)
        if known is not None and (up_to_version is None or known.version <= up_to_version):
            del self._entries[stream_id]

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
