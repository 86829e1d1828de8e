"""Where the database is: the server named by DATABASE_URL, or the embedded one."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from service import embedded_pg
from service.settings import Settings

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


async def create_pool(url: str, *, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(url, min_size=min_size, max_size=max_size)
    assert pool is not None
    return pool
