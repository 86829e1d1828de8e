"""Work that one process of a deployment does at a time, however many start it: the daily retention run.

Each HTTP process (``suivi serve --workers N``) starts it; the one that holds a session advisory
lock does the work, the others wait for it. (The reminders' tasks need no such lock: they are
safe side by side, see ``service.background``.) The lock lives with its own connection (never a
pooled one): when that connection is lost, so is the right to work, the work is cancelled, and
whoever takes the lock next starts it again.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable

import asyncpg

from service.storage.database import LOST_CONNECTION, Backoff, close_quietly, until_lost

_CONNECT_TIMEOUT = 10.0


def singleton_lock_key(name: str) -> int:
    """The advisory lock of one background task (apart from the projections' own locks)."""
    return int.from_bytes(hashlib.sha256(b"suivi singleton " + name.encode()).digest()[:8], "big", signed=True)


async def run_alone(
    url: str, name: str, work: Callable[[], Awaitable[None]], *, look_every: float = 5.0, ping_every: float = 5.0
) -> None:
    """Run ``work`` once this process holds ``name``'s lock; give it up (cancelling it) if the lock is lost.

    Returns when ``work`` returns, raises what it raises; a lost database is waited out, never raised.
    """
    lock = singleton_lock_key(name)
    backoff = Backoff(first=0.5, cap=look_every)
    while True:
        holder: asyncpg.Connection | None = None
        try:
            holder = await asyncpg.connect(url, timeout=_CONNECT_TIMEOUT)
            while not await holder.fetchval("SELECT pg_try_advisory_lock($1)", lock):  # noqa: ASYNC110
                await asyncio.sleep(look_every)
            backoff.reset()
            # The lock came free: its last holder's connection ended, and that holder stops once it
            # notices (at once for a closed connection, by its next ping otherwise). Its work and
            # ours must not overlap: wait one ping interval before starting.
            await asyncio.sleep(ping_every)
            if await _until_done_or_lost(holder, work, ping_every):
                return
        except LOST_CONNECTION:
            pass
        finally:
            await close_quietly(holder)
        await asyncio.sleep(backoff.next())


async def _until_done_or_lost(holder: asyncpg.Connection, work: Callable[[], Awaitable[None]], ping: float) -> bool:
    """True once the work returned; False if the lock's connection was lost first (the work is cancelled)."""
    working = asyncio.ensure_future(work())
    watching = asyncio.ensure_future(until_lost(holder, ping_every=ping))
    try:
        await asyncio.wait({working, watching}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (working, watching):
            task.cancel()
        await asyncio.gather(working, watching, return_exceptions=True)
    if working.done() and not working.cancelled():
        working.result()  # its own error comes first
        return True
    return False
