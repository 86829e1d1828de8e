"""Where the database is: the server named by DATABASE_URL, or the embedded one.

DATABASE_URL may name several servers, a primary and its standbys:
``postgresql://suivi@db1:5432,db2:5432/suivi?target_session_attrs=read-write`` (asyncpg tries
them in turn and keeps the one that accepts writes). Nothing here holds on to a server: a pooled
connection found closed is opened again on acquire, through the same list, so after a failover
(the primary gone, a standby promoted) the pool, the LISTEN connection and the projections' lock
connections all end up on the new primary by themselves. Meanwhile requests get 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable, Iterator
from typing import TypeVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from service.settings import Settings
from service.storage import embedded_pg

T = TypeVar("T")

# What a function that runs SQL accepts: a plain connection or one borrowed from the pool.
Connection = asyncpg.Connection | PoolConnectionProxy


@contextlib.contextmanager
def database_url(settings: Settings) -> Iterator[str]:
    """The URL to connect to; starts (and afterwards stops) the embedded server if needed."""
    if settings.database_url is not None:
        yield settings.database_url
        return
    server = embedded_pg.start(settings.data_dir)
    try:
        yield server.url
    finally:
        server.stop()


async def _keep_session(_: asyncpg.Connection) -> None:
    """Pooled connections are not reset on release (asyncpg still rolls back an open transaction).

    The default reset costs a round trip per release. Nothing here leaves session state on a
    pooled connection: settings are SET LOCAL, LISTEN uses its own connection, and the one
    session advisory lock (a projection's owner) is released before the connection goes back.
    """


CONNECT_TIMEOUT = 10.0
"""Seconds to reach a server (all of a multi-host URL's, in turn): a request waits no longer for a lost
database before it is answered 503. asyncpg's own default is a minute."""


async def create_pool(url: str, *, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        url, min_size=min_size, max_size=max_size, reset=_keep_session, timeout=CONNECT_TIMEOUT
    )
    assert pool is not None
    return pool


LOST_CONNECTION: tuple[type[Exception], ...] = (
    asyncpg.PostgresConnectionError,  # includes "the connection was closed in the middle of an operation"
    asyncpg.OperatorInterventionError,  # shutting down, starting up, in recovery, cancelled
    asyncpg.TooManyConnectionsError,
    asyncpg.InterfaceError,  # a connection closed under us
    # A session the server ended (FATAL, then the socket closes) that was used in between: asyncpg
    # finds its protocol still waiting for the end of that error. Also: a pool closed under us.
    asyncpg.InternalClientError,
    OSError,  # refused, reset, no socket (FileNotFoundError), timed out
)
"""What a lost or unreachable database raises: the work that met it is tried again, never given up."""


CROSSED: tuple[type[Exception], ...] = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)
"""Two transactions crossed (PostgreSQL rolled one back to break a deadlock): nobody's fault, done again."""


async def crossing_retried(work: Callable[[], Awaitable[T]], *, attempts: int = 5) -> T:
    """``work`` (a whole transaction), done again after a short jittered wait when it meets ``CROSSED``."""
    backoff = Backoff(first=0.02, cap=0.5)
    for _ in range(attempts - 1):
        try:
            return await work()
        except CROSSED:
            await asyncio.sleep(backoff.next())
    return await work()


class Backoff:
    """Delays between attempts to reach the database: doubling from ``first`` up to ``cap``, jittered.

    Each delay is drawn between half and all of the current step, so that the tasks of a
    process (and the processes of a deployment) do not all knock at once when it comes back.
    """

    def __init__(self, first: float = 0.1, cap: float = 2.0, *, rng: Callable[[], float] = random.random) -> None:
        self.first = first
        self.cap = cap
        self._rng = rng
        self._step = first

    def next(self) -> float:
        step = self._step
        self._step = min(self.cap, step * 2)
        return step / 2 + self._rng() * step / 2

    def reset(self) -> None:
        self._step = self.first


async def until_lost(
    connection: asyncpg.Connection,
    *,
    ping_every: float,
    ping_timeout: float = 10.0,
    lock: asyncio.Lock | None = None,
) -> None:
    """Return once ``connection`` is lost: at once when it closes, or when a ping fails or goes unanswered.

    A server that shuts down or crashes closes its sockets, and asyncpg says so straight away; the
    ping (taken under ``lock``, when others use the connection too) finds a silent network failure.
    """
    lost = asyncio.Event()

    def on_terminated(_: object) -> None:
        lost.set()

    connection.add_termination_listener(on_terminated)
    try:
        while not connection.is_closed():
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation that
            # arrives as it times out, and this loop would then outlive the task that owns it.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(ping_every):
                    await lost.wait()
                return
            try:
                async with lock or contextlib.nullcontext():
                    async with asyncio.timeout(ping_timeout):
                        await connection.fetchval("SELECT 1")
            except LOST_CONNECTION:
                return
    finally:
        connection.remove_termination_listener(on_terminated)


async def close_quietly(connection: asyncpg.Connection | None, *, grace: float = 2.0) -> None:
    """Close a connection that may already be dead, without waiting long for it."""
    if connection is None or connection.is_closed():
        return
    try:
        await connection.close(timeout=grace)
    except Exception:
        connection.terminate()
    except BaseException:  # cancelled meanwhile: still leave no connection open
        connection.terminate()
        raise
