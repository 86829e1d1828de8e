"""Following the log: the whole of it in order, then live (or only until caught up).

It wakes on ``LISTEN/NOTIFY`` and on appends made in this process, and polls as a
fallback. Rows that are committed but not yet safe to hand out (an older transaction
is still running) are retried after a short pause, never skipped.

The process's one LISTEN connection (``Listener``) comes back by itself when the database
is lost: it reconnects with backoff, LISTENs again on every channel, and then wakes every
follower, since a notification may have been missed meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator
from typing import Any

import asyncpg

from service.storage.database import LOST_CONNECTION, Backoff, close_quietly, until_lost
from service.storage.eventstore.records import LOG_START, LogCursor, RecordedEvent
from service.storage.eventstore.store import PostgresEventStore

EVENTS_CHANNEL = "suivi_events"
_FIRST_RETRY = 0.002
_LAST_RETRY = 0.05
_CONNECT_TIMEOUT = 10.0

log = logging.getLogger("suivi.listener")

Notified = Callable[[Any, int, str, object], None]
"""An asyncpg notification callback: (connection, pid, channel, payload)."""


class Listener:
    """The process's LISTEN connection, kept open: lost, it is opened again and LISTENs again.

    ``listen`` and ``unlisten`` never fail for a lost connection: the channel is remembered and
    LISTENed to once the connection is back. After each reconnection the ``on_reconnect``
    callbacks run (a notification sent meanwhile is lost); if one fails for a lost database,
    the reconnection is tried again.
    """

    def __init__(self, url: str, *, ping_every: float = 5.0, backoff: Callable[[], Backoff] = Backoff) -> None:
        self._url = url
        self._ping_every = ping_every
        self._backoff = backoff
        self._connection: asyncpg.Connection | None = None
        self._channels: dict[tuple[str, Notified], None] = {}  # an ordered set
        self._reconnected: list[Callable[[], Awaitable[None]]] = []
        self._lock = asyncio.Lock()  # one operation at a time on the connection
        self._keeper: asyncio.Task[None] | None = None
        self.reconnections = 0

    @property
    def connected(self) -> bool:
        return self._connection is not None and not self._connection.is_closed()

    async def open(self) -> None:
        """Connect (failing if the database cannot be reached now), then keep the connection open."""
        await self._connect()
        self._keeper = asyncio.get_running_loop().create_task(self._keep_open(), name="suivi-listener")

    def on_reconnect(self, callback: Callable[[], Awaitable[None]]) -> None:
        self._reconnected.append(callback)

    async def listen(self, channel: str, callback: Notified) -> None:
        self._channels[(channel, callback)] = None
        async with self._lock:
            if self.connected:
                assert self._connection is not None
                with contextlib.suppress(*LOST_CONNECTION):  # the keeper LISTENs again once it is back
                    await self._connection.add_listener(channel, callback)

    async def unlisten(self, channel: str, callback: Notified) -> None:
        self._channels.pop((channel, callback), None)
        async with self._lock:
            if self.connected:
                assert self._connection is not None
                with contextlib.suppress(*LOST_CONNECTION):
                    await self._connection.remove_listener(channel, callback)

    async def close(self) -> None:
        if self._keeper is not None:
            self._keeper.cancel()
            await asyncio.gather(self._keeper, return_exceptions=True)
        await close_quietly(self._connection)
        self._connection = None

    async def _connect(self) -> None:
        connection = await asyncpg.connect(self._url, timeout=_CONNECT_TIMEOUT)
        async with self._lock:  # connected first: a slow server never holds up listen() meanwhile
            try:
                for channel, callback in list(self._channels):
                    await connection.add_listener(channel, callback)
            except BaseException:
                connection.terminate()
                raise
            self._connection = connection

    async def _keep_open(self) -> None:
        while True:
            assert self._connection is not None
            with contextlib.suppress(Exception):  # an unexpected answer to a ping: the connection is not trusted
                await until_lost(self._connection, ping_every=self._ping_every, lock=self._lock)
            log.warning("the LISTEN connection was lost; reconnecting", extra={"event": "listener_lost"})
            await close_quietly(self._connection)
            self._connection = None
            backoff = self._backoff()
            while True:
                await asyncio.sleep(backoff.next())
                try:
                    await self._connect()
                    for callback in self._reconnected:
                        await callback()
                except Exception as error:
                    if not isinstance(error, LOST_CONNECTION):
                        log.warning(
                            "the LISTEN connection could not be set up again",
                            extra={"event": "listener_retry", "error_type": type(error).__name__},
                        )
                    await close_quietly(self._connection)
                    self._connection = None
                    continue
                break
            self.reconnections += 1
            log.info("the LISTEN connection is back", extra={"event": "listener_reconnected"})


class LogNotifier:
    """Wakes subscribers here at once, and in other processes through NOTIFY.

    It also tells those waiting here for the read models (``service.readmodels.freshness``) that a
    projection of this process has committed a batch, so that they look again at once; waiting for a
    projection run elsewhere falls back on polling.

    NOTIFY is sent after the append commits, at most once per ``NOTIFY_EVERY`` per process:
    each NOTIFY is a transaction of its own that waits for a WAL flush and wakes every
    listener, so one per append would cost more than the append. A process LISTENs only
    while something in it subscribes; a missed wake-up is caught by the polling fallback,
    and when the LISTEN connection comes back after an outage every subscriber is woken to read again.
    """

    NOTIFY_EVERY = 0.025

    def __init__(self, pool: asyncpg.Pool | None = None, listener: Listener | None = None) -> None:
        self._pool = pool
        self._listener = listener
        self._waiters: set[asyncio.Event] = set()
        self._progress: set[asyncio.Event] = set()
        self._sending: asyncio.Task[None] | None = None
        # LISTEN and UNLISTEN run one at a time: subscribers starting together (every projection of a
        # worker) would otherwise both see no waiter and send LISTEN at once on the one connection.
        self._listening = asyncio.Lock()
        if listener is not None:
            listener.on_reconnect(self._reconnected)

    def appended(self) -> None:
        self.wake_local()
        if self._pool is not None and (self._sending is None or self._sending.done()):
            self._sending = asyncio.get_running_loop().create_task(self._send_soon())

    def wake_local(self, *_: object) -> None:
        for waiter in self._waiters:
            waiter.set()

    def projected(self) -> None:
        """A projection in this process has committed a batch."""
        for waiter in self._progress:
            waiter.set()

    @contextlib.contextmanager
    def progress(self) -> Iterator[asyncio.Event]:
        """An event set at each batch a projection of this process commits, while the block runs."""
        event = asyncio.Event()
        self._progress.add(event)
        try:
            yield event
        finally:
            self._progress.discard(event)

    async def _reconnected(self) -> None:
        self.wake_local()

    async def _send_soon(self) -> None:
        assert self._pool is not None
        await asyncio.sleep(self.NOTIFY_EVERY)  # every append until then rides on this NOTIFY
        with contextlib.suppress(asyncpg.PostgresError, *LOST_CONNECTION):
            async with self._pool.acquire() as connection:
                await connection.execute(f"NOTIFY {EVENTS_CHANNEL}")

    async def waiter(self) -> asyncio.Event:
        event = asyncio.Event()
        async with self._listening:
            if not self._waiters and self._listener is not None:
                await self._listener.listen(EVENTS_CHANNEL, self.wake_local)
            self._waiters.add(event)
        return event

    async def drop(self, event: asyncio.Event) -> None:
        async with self._listening:
            self._waiters.discard(event)
            if not self._waiters and self._listener is not None:
                await self._listener.unlisten(EVENTS_CHANNEL, self.wake_local)

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
            # asyncio.timeout, not wait_for: on 3.11, wait_for swallows a cancellation that comes as the
            # wake-up does, and the follower would then never stop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(poll_interval):
                    await wake.wait()
    finally:
        if wake is not None:
            await notifier.drop(wake)
