"""The machine and the throw-away database every benchmark runs on."""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

import asyncpg

from service.storage import embedded_pg
from service.storage.migrations import migrate


def machine() -> list[str]:
    """What the figures were measured on: they mean little without it."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")]
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    total_kb = next((int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal")), 0)
    return [
        f"nproc {os.cpu_count()}, CPU {models[0] if models else platform.processor() or 'unknown'}, "
        f"memory {total_kb / 1024 / 1024:.1f} GiB, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        f"Python {platform.python_version()}, {platform.platform()}",
    ]


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def psycopg_params(url: str) -> dict[str, str]:
    """The URL as the keyword arguments eventsourcing's PostgresDatastore takes.

    The embedded server listens on a Unix socket only; libpq takes its directory as host.
    """
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    return {
        "dbname": unquote(parts.path.lstrip("/")) or "postgres",
        "host": query.get("host") or parts.hostname or "localhost",
        "port": query.get("port") or str(parts.port or 5432),
        "user": unquote(parts.username or query.get("user", "postgres")),
        "password": unquote(parts.password or query.get("password", "")),
    }


@contextlib.contextmanager
def bench_database() -> Iterator[tuple[str, str]]:
    """(URL of a fresh, migrated database, where it runs). Dropped, or the server stopped, after."""
    if os.environ.get("DATABASE_URL"):
        server_url = os.environ["DATABASE_URL"]
        with _own_database(server_url) as url:
            yield url, "the server at DATABASE_URL"
        return
    with tempfile.TemporaryDirectory(prefix="suivi-bench-") as directory:
        server = embedded_pg.start(Path(directory), durable=True)
        try:
            with _own_database(server.url) as url:
                yield url, f"a throw-away embedded PostgreSQL in {directory} (durable: fsync on)"
        finally:
            server.stop()


@contextlib.contextmanager
def _own_database(server_url: str) -> Iterator[str]:
    name = f"suivi_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_create(server_url, name))
    try:
        yield with_database(server_url, name)
    finally:
        asyncio.run(_drop(server_url, name))


async def _create(server_url: str, name: str) -> None:
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    connection = await asyncpg.connect(with_database(server_url, name))
    try:
        await migrate(connection)
    finally:
        await connection.close()


async def _drop(server_url: str, name: str) -> None:
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def server_facts(url: str) -> str:
    connection = await asyncpg.connect(url)
    try:
        row = await connection.fetchrow(
            """SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync,
                      current_setting('synchronous_commit') AS sync,
                      current_setting('shared_buffers') AS buffers"""
        )
    finally:
        await connection.close()
    assert row is not None
    return (
        f"PostgreSQL {row['version']}, fsync={row['fsync']}, synchronous_commit={row['sync']}, "
        f"shared_buffers={row['buffers']}"
    )
