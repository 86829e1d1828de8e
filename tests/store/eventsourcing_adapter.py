"""A thin synchronous eventsourcing recorder over Suivi's asynchronous event store.

It exists so that the eventsourcing library's own recorder tests can run against our store.
The store runs on one event loop in a background thread; every call hands a coroutine to
that loop and waits for its result.

How the two models meet:

- ``originator_id`` is the stream id (a UUID), and also the data subject: each stream gets
  its own data key, so every payload goes through encryption and decryption.
- Suivi streams begin at version 1 and grow by one. The library's tests begin streams at
  version 0, so ``first_version`` says which originator version begins a stream, and the
  adapter shifts versions by the difference.
- A notification id is the event's ``position``. ``select_notifications`` reads by position,
  as the library's contract asks; Suivi's own readers follow ``(transaction_id, position)``
  instead, because positions are not handed out in commit order. ``subscribe`` follows Suivi's
  log (``follow``), so it delivers in log order and never skips a late commit.
- Conflicts and malformed appends become the library's ``IntegrityError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Coroutine, Iterable, Sequence
from typing import Any, Self, TypeVar
from uuid import UUID

from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    DataError,
    IntegrityError,
    Notification,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    StoredEvent,
    Subscription,
)

from service.storage.eventstore.chain import associated_data
from service.storage.eventstore.records import (
    ConcurrencyError,
    InvalidAppendError,
    LogCursor,
    NewEvent,
    RecordedEvent,
    TransientStoreError,
)
from service.storage.eventstore.subscription import follow
from service.storage.keys.master_key import MasterKey
from service.storage.runtime import Runtime, open_runtime

CATEGORY = "identity"

_T = TypeVar("_T")

_POSITIONS = """
SELECT e.position FROM events e
JOIN unnest($1::uuid[], $2::int[]) WITH ORDINALITY AS w(s, v, n) ON e.stream_id = w.s AND e.version = w.v
ORDER BY w.n
"""

_NOTIFICATIONS = """
SELECT position, stream_id, version, topic, subject_id, payload FROM events
WHERE position >= $1 AND ($2::bigint IS NULL OR position <= $2)
  AND (cardinality($3::text[]) = 0 OR topic = ANY($3::text[]))
ORDER BY position
LIMIT $4
"""


class _BackgroundLoop:
    """One event loop running forever in its own thread, until ``close``."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="suivi-recorder-loop", daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def close(self) -> None:
        self.run(_cancel_other_tasks())  # none are left when the runtime closed cleanly
        self.run(self.loop.shutdown_asyncgens())
        self.run(self.loop.shutdown_default_executor())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


async def _cancel_other_tasks() -> None:
    await _cancel(t for t in asyncio.all_tasks() if t is not asyncio.current_task())


async def _cancel(tasks: Iterable[asyncio.Task[Any]]) -> None:
    pending = list(tasks)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


class SuiviAggregateRecorder(AggregateRecorder):
    """The library's aggregate recorder contract: ``insert_events`` returns None."""

    def __init__(
        self,
        database_url: str,
        master_key: MasterKey,
        *,
        first_version: int = 1,
        pool_size: int = 10,
        poll_interval: float = 0.2,
    ) -> None:
        self._offset = 1 - first_version  # Suivi version = originator version + offset
        self._poll_interval = poll_interval
        self._background = _BackgroundLoop()
        self._exits = contextlib.AsyncExitStack()
        try:
            self._runtime: Runtime = self._run(
                self._exits.enter_async_context(
                    open_runtime(database_url, master_key, pool_size=pool_size, poll_interval=poll_interval)
                )
            )
        except BaseException:
            self._background.close()
            raise
        self._closed = False
        self._tasks: set[asyncio.Task[None]] = set()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._run(_cancel(list(self._tasks)))  # subscriptions still running
            self._run(self._exits.aclose())
        finally:
            self._background.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        self._insert(stored_events, **kwargs)
        return None

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        after = 0 if gt is None else gt + self._offset
        recorded = self._run(self._runtime.store.read_stream(_stream_id(originator_id), after_version=after))
        if lte is not None:
            recorded = [e for e in recorded if e.version <= lte + self._offset]
        if desc:
            recorded.reverse()
        if limit is not None:
            recorded = recorded[:limit]
        return [
            StoredEvent(
                originator_id=e.stream_id,
                originator_version=e.version - self._offset,
                topic=e.topic,
                state=_plaintext(e.payload, e.position),
            )
            for e in recorded
        ]

    def _insert(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> list[int]:
        if kwargs.get("tracking") is not None:
            raise NotSupportedError("Suivi's event store has no tracking table")
        if not stored_events:
            return []
        events = [
            NewEvent(
                stream_id=_stream_id(s.originator_id),
                version=s.originator_version + self._offset,
                topic=s.topic,
                category=CATEGORY,
                subject_id=_stream_id(s.originator_id),
                payload=s.state,
            )
            for s in stored_events
        ]
        try:
            return self._run(self._append(events))
        except (ConcurrencyError, InvalidAppendError) as error:
            raise IntegrityError(str(error)) from error
        except TransientStoreError as error:
            raise OperationalError(str(error)) from error

    async def _append(self, events: list[NewEvent]) -> list[int]:
        await self._runtime.store.append(events)
        async with self._runtime.pool.acquire() as connection:
            rows = await connection.fetch(_POSITIONS, [e.stream_id for e in events], [e.version for e in events])
        return [row["position"] for row in rows]

    def _run(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        return self._background.run(coroutine)


class SuiviRecorder(SuiviAggregateRecorder, ApplicationRecorder):
    """The library's application recorder contract: notification ids are positions."""

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        return self._insert(stored_events, **kwargs)

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        first = 1 if start is None else start if inclusive_of_start else start + 1
        return self._run(self._select_notifications(first, stop, list(topics), limit))

    def max_notification_id(self) -> int | None:
        return self._run(self._max_position())

    def subscribe(self, gt: int | None = None, topics: Sequence[str] = ()) -> Subscription[ApplicationRecorder]:
        return SuiviSubscription(self, gt=gt, topics=topics)

    def notification(self, event: RecordedEvent) -> Notification:
        return Notification(
            id=event.position,
            originator_id=event.stream_id,
            originator_version=event.version - self._offset,
            topic=event.topic,
            state=_plaintext(event.payload, event.position),
        )

    def cursor_after(self, gt: int | None) -> LogCursor:
        """The place in Suivi's log just after the event at position ``gt``."""
        if not gt:
            return LogCursor()
        transaction_id = self._run(self._transaction_at(gt))
        if transaction_id is None:
            raise ProgrammingError(f"no event has position {gt}: a subscription resumes after a delivered event")
        return LogCursor(transaction_id, gt)

    def start(self, coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = self._run(_create_task(coroutine))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def settle(self, task: asyncio.Task[None]) -> None:
        self._run(_settle(task))

    def cancel(self, task: asyncio.Task[None]) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            self._background.loop.call_soon_threadsafe(task.cancel)

    @property
    def runtime(self) -> Runtime:
        return self._runtime

    @property
    def poll_interval(self) -> float:
        return self._poll_interval

    async def _select_notifications(
        self, first: int, stop: int | None, topics: list[str], limit: int
    ) -> list[Notification]:
        async with self._runtime.pool.acquire() as connection:
            rows = await connection.fetch(_NOTIFICATIONS, first, stop, topics, limit)
        keys = await self._runtime.keys.keys_for_reading({r["subject_id"] for r in rows if r["subject_id"]})
        notifications = []
        for row in rows:
            payload: bytes | None = row["payload"]
            if row["subject_id"] is not None:
                key = keys.get(row["subject_id"])
                payload = (
                    None
                    if key is None
                    else key.decrypt(row["payload"], associated_data(row["stream_id"], row["version"], row["topic"]))
                )
            notifications.append(
                Notification(
                    id=row["position"],
                    originator_id=row["stream_id"],
                    originator_version=row["version"] - self._offset,
                    topic=row["topic"],
                    state=_plaintext(payload, row["position"]),
                )
            )
        return notifications

    async def _max_position(self) -> int | None:
        async with self._runtime.pool.acquire() as connection:
            value: int | None = await connection.fetchval("SELECT max(position) FROM events")
        return value

    async def _transaction_at(self, position: int) -> int | None:
        async with self._runtime.pool.acquire() as connection:
            value: int | None = await connection.fetchval(
                "SELECT transaction_id::text::bigint FROM events WHERE position = $1", position
            )
        return value


class SuiviSubscription(Subscription[SuiviRecorder]):
    """Suivi's own subscription (log order, live tail), handed over to the calling thread."""

    def __init__(self, recorder: SuiviRecorder, gt: int | None = None, topics: Sequence[str] = ()) -> None:
        super().__init__(recorder, gt=gt, topics=topics)
        self._received: queue.Queue[list[Notification] | BaseException | None] = queue.Queue()
        self._batch: list[Notification] = []
        self._index = 0
        self._task = recorder.start(self._pump(recorder.cursor_after(gt)))

    def __next__(self) -> Notification:
        while not self._has_been_stopped:
            if self._index < len(self._batch):
                self._index += 1
                return self._batch[self._index - 1]
            item = self._received.get()
            if isinstance(item, BaseException):
                self.stop()
                raise item
            if item is not None:
                self._batch, self._index = item, 0
        raise StopIteration

    def stop(self) -> None:
        super().stop()
        self._recorder.cancel(self._task)
        self._received.put(None)  # wakes a __next__ waiting in another thread

    def __exit__(self, *args: object, **kwargs: Any) -> None:
        super().__exit__(*args, **kwargs)
        self._recorder.settle(self._task)

    async def _pump(self, cursor: LogCursor) -> None:
        runtime = self._recorder.runtime
        batches = follow(runtime.store, runtime.notifier, after=cursor, poll_interval=self._recorder.poll_interval)
        try:
            async with contextlib.aclosing(batches):
                async for batch in batches:
                    notifications = [
                        self._recorder.notification(e) for e in batch if not self._topics or e.topic in self._topics
                    ]
                    if notifications:
                        self._received.put(notifications)
        except Exception as error:
            self._received.put(error)


async def _create_task(coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
    return asyncio.get_running_loop().create_task(coroutine)


async def _settle(task: asyncio.Task[None]) -> None:
    await asyncio.gather(task, return_exceptions=True)


def _stream_id(originator_id: UUID | str) -> UUID:
    if not isinstance(originator_id, UUID):
        raise NotSupportedError("Suivi stream ids are UUIDs")
    return originator_id


def _plaintext(payload: bytes | None, position: int) -> bytes:
    if payload is None:
        raise DataError(f"the event at position {position} belongs to an erased data subject")
    return payload
