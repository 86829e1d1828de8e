"""Where the database is: the server named by DATABASE_URL, or the embedded one."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from service.settings import Settings
from service.storage import embedded_pg

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


async def create_pool(url: str, *, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(url, min_size=min_size, max_size=max_size, reset=_keep_session)
    assert pool is not None
    return pool
