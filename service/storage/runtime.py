"""The composed infrastructure one process needs: pool, key store, event store, notifier.

The pools open new connections as they need them, and the LISTEN connection (``Listener``)
reconnects by itself, so a database that goes away and comes back needs no restart here.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from service.storage.database import create_pool
from service.storage.eventstore.store import Clock, PostgresEventStore
from service.storage.eventstore.subscription import Listener, LogNotifier
from service.storage.keys.master_key import MasterKey
from service.storage.keys.subject_keys import KEY_ERASED_CHANNEL, KeyStore


@dataclass
class Runtime:
    url: str
    pool: asyncpg.Pool
    keys: KeyStore
    store: PostgresEventStore
    notifier: LogNotifier
    poll_interval: float
    listener: Listener | None = None


@contextlib.asynccontextmanager
async def open_runtime(
    url: str,
    master_key: MasterKey,
    *,
    clock: Clock = lambda: datetime.now(UTC),
    pool_size: int = 10,
    key_cache_size: int = 10_000,
    poll_interval: float = 1.0,
) -> AsyncIterator[Runtime]:
    pool = await create_pool(url, max_size=pool_size)
    # The key store has its own connections: code holding a pooled connection may need a key,
    # and must never wait for the pool it is itself holding on to.
    key_pool = await create_pool(url, min_size=1, max_size=4)
    listener = Listener(url, ping_every=max(5 * poll_interval, 1.0))
    notifier = LogNotifier()
    try:
        keys = KeyStore(key_pool, master_key, cache_size=key_cache_size)
        await keys.check_master_key()
        await keys.reapply_erasure_ledger()
        await listener.listen(KEY_ERASED_CHANNEL, keys.on_key_erased)
        # An erasure made elsewhere while the connection was down sent a NOTIFY nobody heard: the
        # key cache is not used while it is down, and is dropped whole once it is back. Registered
        # first, and synchronous: it runs before anything else can read the cache again.
        keys.trust_cache_while(lambda: listener.connected)
        listener.on_reconnect(functools.partial(_forget_all_keys, keys))
        await listener.open()
        notifier = LogNotifier(pool, listener)
        store = PostgresEventStore(pool, keys, clock=clock, on_append=notifier.appended)
        yield Runtime(url, pool, keys, store, notifier, poll_interval, listener)
    finally:
        await notifier.close()
        await listener.close()
        await pool.close()
        await key_pool.close()


async def _forget_all_keys(keys: KeyStore) -> None:
    """After the LISTEN connection came back: the notices sent meanwhile are lost, so every cached key goes."""
    keys.forget_all()
