"""One reader of the log for several projections: each event read, decrypted and decoded once.

The reader follows the log and hands every batch, already decoded, to each member's queue; a
member gets only the events of the topics it handles (the batch's end position always, so that
its tracking position moves on). Each member applies its batches in its own transaction, at its
own pace within ``depth`` batches: the reader waits for the slowest, and a member that stops
(an event at fault, a lost lock) leaves without holding up the others.

A member joins at its own position, which must not be behind the reader's: ``join`` refuses one
that is (it catches up on a reader of its own, then joins); one ahead skips what it has.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple
from uuid import UUID

import msgspec

from service.storage.codec import CodecError, EventCodec
from service.storage.eventstore.records import LOG_START, LogCursor, RecordedEvent
from service.storage.eventstore.subscription import follow
from service.storage.runtime import Runtime


class ProjectedEvent(msgspec.Struct, frozen=True, gc=False):
    """What a projection is handed (``gc=False``: made by the thousand, never part of a cycle)."""

    position: int
    stream_id: UUID
    subject_id: UUID | None
    recorded_at: Any
    actor_id: UUID | None
    category: str
    topic: str
    event: Any
    transaction_id: int = 0

    @property
    def cursor(self) -> LogCursor:
        return LogCursor(self.transaction_id, self.position)


class Undecodable(msgspec.Struct, frozen=True):
    """Stands for an event whose payload could not be decoded: only a member that handles its topic fails."""

    error: CodecError


class Batch(NamedTuple):
    envelopes: list[ProjectedEvent]
    """This member's events of the batch (of the topics it handles), in log order."""
    last: LogCursor
    """Where the batch ends in the log, whatever it held."""


CAUGHT_UP = "caught up"
"""The reader reached the head of the log (a reader that does not tail ends there)."""
REBUILD_REQUESTED = "rebuild requested"

Item = Batch | str | BaseException
RebuildRequests = Callable[[list[str]], Awaitable[set[str]]]
"""Of these members, those asked to rebuild (one query for all of them, before each read)."""


class Member:
    __slots__ = ("_held", "name", "queue", "topics")

    def __init__(self, name: str, topics: frozenset[str], depth: int) -> None:
        self.name = name
        self.topics = topics
        self.queue: asyncio.Queue[Item] = asyncio.Queue(maxsize=depth)
        self._held: Item | None = None

    async def next(self) -> Item:
        if self._held is not None:
            item, self._held = self._held, None
            return item
        return await self.queue.get()

    def waiting_batch(self) -> Batch | None:
        """The next batch if one is waiting already (anything else is kept for ``next``)."""
        if self._held is not None or self.queue.empty():
            return None
        item = self.queue.get_nowait()
        if isinstance(item, Batch):
            return item
        self._held = item
        return None

    def tell(self, item: Item) -> None:
        """Send ``item`` at once: what was waiting is dropped (never committed, so read again later)."""
        self.drain()
        self.queue.put_nowait(item)

    def drain(self) -> None:
        self._held = None
        while not self.queue.empty():
            self.queue.get_nowait()


class LogFanout:
    def __init__(
        self,
        runtime: Runtime,
        codec: EventCodec,
        topics: frozenset[str],
        *,
        batch_size: int,
        tail: bool,
        rebuild_requests: RebuildRequests | None = None,
        depth: int = 4,
    ) -> None:
        self._runtime = runtime
        self._codec = codec
        self._topics = topics
        self._batch_size = batch_size
        self._tail = tail
        self._rebuild_requests = rebuild_requests
        self._depth = depth
        self._members: dict[str, Member] = {}
        self._reader: asyncio.Task[None] | None = None
        self.cursor = LOG_START
        """Where the reader is: the end of the last batch it handed out."""

    @property
    def reading(self) -> bool:
        return self._reader is not None and not self._reader.done()

    def join(self, name: str, topics: frozenset[str], cursor: LogCursor) -> Member | None:
        """A member from ``cursor`` on; None if the reader is already past it (catch up first)."""
        if not self.reading:
            self.cursor = cursor
            self._reader = asyncio.get_running_loop().create_task(self._read(), name="suivi-log-reader")
        elif cursor < self.cursor:
            return None
        member = self._members[name] = Member(name, topics, self._depth)
        return member

    def leave(self, member: Member) -> None:
        if self._members.get(member.name) is member:
            del self._members[member.name]
        member.drain()  # a reader waiting to put here goes on
        if not self._members and self._reader is not None:
            self._reader.cancel()  # nobody left to read for
            self._reader = None

    async def close(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)

    async def _read(self) -> None:
        me = asyncio.current_task()
        batches = follow(
            self._runtime.store,
            self._runtime.notifier,
            after=self.cursor,
            topics=self._topics,
            batch_size=self._batch_size,
            poll_interval=self._runtime.poll_interval,
            until_caught_up=not self._tail,
            stop_if=self._stop_if,
        )
        try:
            async with contextlib.aclosing(batches):
                async for batch in batches:
                    if self._reader is not me:
                        return
                    self.cursor = batch[-1].cursor  # first: whoever joins from now on has this batch already
                    await self._hand_out(decode_batch(self._codec, batch), self.cursor)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a lost database, say: every member goes back to take its lock again
            if self._reader is me:
                for member in list(self._members.values()):
                    member.tell(error)
                self._members.clear()
            return
        if self._reader is me:
            # Done: whoever joins from now on starts a reader of its own (one joining while these
            # were told would otherwise wait for ever).
            members = list(self._members.values())
            self._members.clear()
            self._reader = None
            for member in members:
                await member.queue.put(CAUGHT_UP)

    async def _stop_if(self) -> bool:
        if self._rebuild_requests is not None and self._members:
            for name in await self._rebuild_requests(list(self._members)):
                member = self._members.pop(name, None)
                if member is not None:
                    member.tell(REBUILD_REQUESTED)
        return not self._members

    async def _hand_out(self, envelopes: list[ProjectedEvent], last: LogCursor) -> None:
        members = list(self._members.values())
        if not members:
            return
        shares: dict[str, list[ProjectedEvent]] = {m.name: [] for m in members}
        takers: dict[str, list[list[ProjectedEvent]]] = {}
        for envelope in envelopes:
            if envelope.event is None:
                continue  # erased, or no member handles it: nothing to project
            lists = takers.get(envelope.topic)
            if lists is None:
                lists = takers[envelope.topic] = [shares[m.name] for m in members if envelope.topic in m.topics]
            for share in lists:
                share.append(envelope)
        for member in members:
            if self._members.get(member.name) is member:  # it may have left meanwhile
                await member.queue.put(Batch(shares[member.name], last))


def decode_batch(codec: EventCodec, batch: list[RecordedEvent]) -> list[ProjectedEvent]:
    """Each event decoded (None when erased or not asked for; ``Undecodable`` when its payload is at fault)."""
    decode = codec.decode
    envelopes = []
    for r in batch:
        event: Any = None
        if r.payload is not None:
            try:
                event = decode(r.topic, r.payload, r.stream_id, r.version)
            except CodecError as error:
                event = Undecodable(error)
        envelopes.append(
            ProjectedEvent(
                r.position,
                r.stream_id,
                r.subject_id,
                r.recorded_at,
                r.actor_id,
                r.category,
                r.topic,
                event,
                r.transaction_id,
            )
        )
    return envelopes
