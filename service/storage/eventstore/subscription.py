"""A subscription delivers the whole log in order, then tails it live.

It wakes on ``LISTEN/NOTIFY`` and on appends made in this process, and polls as a
fallback. Rows that are committed but not yet safe to hand out (an older transaction
is still running) are retried after a short pause, never skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

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


async def subscribe(
    store: PostgresEventStore,
    notifier: LogNotifier,
    *,
    after: LogCursor = LOG_START,
    batch_size: int = 1000,
    poll_interval: float = 1.0,
) -> AsyncIterator[list[RecordedEvent]]:
    """Yield batches of events after ``after`` forever; each event exactly once, in order."""
    wake = await notifier.waiter()
    cursor = after
    retry = _FIRST_RETRY
    try:
        while True:
            wake.clear()
            batch = await store.read_log(cursor, limit=batch_size)
            if batch:
                cursor = batch[-1].cursor
                retry = _FIRST_RETRY
                yield batch
                if len(batch) == batch_size:
                    continue
            if await store.has_pending(cursor):
                await asyncio.sleep(retry)
                retry = min(retry * 2, _LAST_RETRY)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), poll_interval)
    finally:
        await notifier.drop(wake)
