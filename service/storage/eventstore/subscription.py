"""Following the log: the whole of it in order, then live (or only until caught up).

It wakes on ``LISTEN/NOTIFY`` and on appends made in this process, and polls as a
fallback. Rows that are committed but not yet safe to hand out (an older transaction
is still running) are retried after a short pause, never skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable

import asyncpg

from service.storage.eventstore.records import LOG_START, LogCursor, RecordedEvent
from service.storage.eventstore.store import PostgresEventStore

EVENTS_CHANNEL = "suivi_events"
_FIRST_RETRY = 0.002
_LAST_RETRY = 0.05


class LogNotifier:
    """Wakes subscribers here at once, and in other processes through NOTIFY.

    NOTIFY is sent after the append commits, at most once per ``NOTIFY_EVERY`` per process:
    each NOTIFY is a transaction of its own that waits for a WAL flush and wakes every
    listener, so one per append would cost more than the append. A process LISTENs only
    while something in it subscribes; a missed wake-up is caught by the polling fallback.
    """

    NOTIFY_EVERY = 0.025

    def __init__(self, pool: asyncpg.Pool | None = None, listener: asyncpg.Connection | None = None) -> None:
        self._pool = pool
        self._listener = listener
        self._waiters: set[asyncio.Event] = set()
        self._sending: asyncio.Task[None] | None = None
        # LISTEN and UNLISTEN run one at a time: subscribers starting together (every projection of a
        # worker) would otherwise both see no waiter and send LISTEN at once on the one connection.
        self._listening = asyncio.Lock()

    def appended(self) -> None:
        self.wake_local()
        if self._pool is not None and (self._sending is None or self._sending.done()):
            self._sending = asyncio.get_running_loop().create_task(self._send_soon())

    def wake_local(self, *_: object) -> None:
        for waiter in self._waiters:
            waiter.set()

    async def _send_soon(self) -> None:
        assert self._pool is not None
        await asyncio.sleep(self.NOTIFY_EVERY)  # every append until then rides on this NOTIFY
        with contextlib.suppress(asyncpg.PostgresError, OSError, asyncpg.InterfaceError):
            async with self._pool.acquire() as connection:
                await connection.execute(f"NOTIFY {EVENTS_CHANNEL}")

    async def waiter(self) -> asyncio.Event:
        event = asyncio.Event()
        async with self._listening:
            if not self._waiters and self._listener is not None:
                await self._listener.add_listener(EVENTS_CHANNEL, self.wake_local)
            self._waiters.add(event)
        return event

    async def drop(self, event: asyncio.Event) -> None:
        async with self._listening:
            self._waiters.discard(event)
            if not self._waiters and self._listener is not None and not self._listener.is_closed():
                with contextlib.suppress(asyncpg.PostgresError, OSError, asyncpg.InterfaceError):
                    await self._listener.remove_listener(EVENTS_CHANNEL, self.wake_local)

    async def close(self) -> None:
        if self._sending is not None:
            self._sending.cancel()
            await asyncio.gather(self._sending, return_exceptions=True)


async def follow(
    store: PostgresEventStore,
    notifier: LogNotifier,
    *,
    after: LogCursor = LOG_START,
    topics: frozenset[str] | None = None,
    batch_size: int = 1000,
    poll_interval: float = 1.0,
    until_caught_up: bool = False,
    stop_if: Callable[[], Awaitable[bool]] | None = None,
) -> AsyncGenerator[list[RecordedEvent], None]:
    """Yield batches of the log after ``after``, each event exactly once, in order.

    The only loop that reads the log: subscribers, projection catch-up, rebuilds and tailing all
    use it. ``topics`` is passed to ``read_log`` (other events come without payload). With
    ``until_caught_up`` it ends once nothing is left to hand out, committed or still in flight;
    otherwise it waits for appends and goes on forever. ``stop_if`` is asked before each read,
    and ends it when true. Close it (``contextlib.aclosing``) when leaving early.
    """
    # Registered before the first read, so an append made meanwhile still wakes it up.
    wake = None if until_caught_up else await notifier.waiter()
    cursor = after
    retry = _FIRST_RETRY
    try:
        while stop_if is None or not await stop_if():
            if wake is not None:
                wake.clear()
            batch = await store.read_log(cursor, limit=batch_size, topics=topics)
            if batch:
                cursor = batch[-1].cursor
                retry = _FIRST_RETRY
                yield batch
                if len(batch) == batch_size:
                    continue
            if await store.has_pending(cursor):
                # Committed rows behind a transaction still open: wait for it, never skip them.
                await asyncio.sleep(retry)
                retry = min(retry * 2, _LAST_RETRY)
                continue
            if wake is None:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), poll_interval)
    finally:
        if wake is not None:
            await notifier.drop(wake)
