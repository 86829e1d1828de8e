"""The key cache of one process against erasures made in another: the notice, and a LISTEN connection lost meanwhile.

Two runtimes on one database stand for two processes (each has its own key cache, pools and
LISTEN connection). Process B reads a person's key (so holds it in memory); process A erases the
person. B must not serve the key again: after the notice; while its LISTEN connection is down
(no notice can arrive); and after it is back, even if it read nothing meanwhile.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest

from service.storage.keys.master_key import MasterKey
from service.storage.runtime import Runtime, open_runtime
from tests.processes.suivi_processes import until


@pytest.fixture
async def two_processes(database_url: str, master_key: MasterKey) -> AsyncIterator[tuple[Runtime, Runtime]]:
    async with (
        open_runtime(database_url, master_key, pool_size=2, poll_interval=0.2) as a,
        open_runtime(database_url, master_key, pool_size=2, poll_interval=0.2) as b,
    ):
        yield a, b


async def _known_to_both(a: Runtime, b: Runtime) -> uuid.UUID:
    subject = uuid.uuid4()
    await a.keys.keys_for_writing([subject])
    assert subject in await b.keys.keys_for_reading([subject])  # now in B's memory
    return subject


async def _erase(a: Runtime, subject: uuid.UUID) -> None:
    async with a.pool.acquire() as connection, connection.transaction():
        assert await a.keys.erase(subject, datetime.now(UTC), connection)


async def _cut_listen_connection(b: Runtime, url: str) -> None:
    assert b.listener is not None and b.listener._connection is not None
    pid = b.listener._connection.get_server_pid()
    admin = await asyncpg.connect(url)
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()
    await until(lambda: not b.listener.connected, deadline=10, what="B seeing its LISTEN connection lost")


async def test_an_erasure_in_one_process_reaches_the_key_cache_of_another(two_processes) -> None:
    a, b = two_processes
    subject = await _known_to_both(a, b)
    await _erase(a, subject)

    async def forgotten() -> bool:
        return subject not in await b.keys.keys_for_reading([subject])

    await until(forgotten, deadline=10, what="B dropping the erased key on the notice")


async def test_while_the_listen_connection_is_down_no_cached_key_is_served(two_processes, database_url) -> None:
    a, b = two_processes
    subject = await _known_to_both(a, b)
    reconnections = b.listener.reconnections
    await _cut_listen_connection(b, database_url)
    await _erase(a, subject)  # its notice goes nowhere in B
    assert subject not in await b.keys.keys_for_reading([subject]), "served from memory while deaf to notices"

    await until(lambda: b.listener.reconnections > reconnections, deadline=30, what="B's LISTEN connection back")
    other = await _known_to_both(a, b)  # cached again once notices arrive
    await _erase(a, other)

    async def forgotten() -> bool:
        return other not in await b.keys.keys_for_reading([other])

    await until(forgotten, deadline=10, what="B dropping the erased key on the notice, after reconnecting")


async def test_after_the_listen_connection_is_back_keys_cached_before_are_dropped(two_processes, database_url) -> None:
    a, b = two_processes
    subject = await _known_to_both(a, b)
    reconnections = b.listener.reconnections
    await _cut_listen_connection(b, database_url)
    await _erase(a, subject)  # B reads nothing until its connection is back
    await until(lambda: b.listener.reconnections > reconnections, deadline=30, what="B's LISTEN connection back")
    assert subject not in await b.keys.keys_for_reading([subject]), "a key erased while B was deaf was served"
