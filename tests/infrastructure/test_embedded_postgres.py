"""The embedded server keeps its data, survives a stale pid file, and stops with its owner."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg

from service.storage import embedded_pg


async def query(url: str, sql: str) -> object:
    connection = await asyncpg.connect(url)
    try:
        return await connection.fetchval(sql)
    finally:
        await connection.close()


def test_data_is_kept_between_runs_and_a_stale_pid_file_is_ignored(tmp_path: Path) -> None:
    server = embedded_pg.start(tmp_path, durable=False)
    asyncio.run(query(server.url, "CREATE TABLE kept (id int)"))
    server.stop()
    assert not (tmp_path / "pgdata" / "postmaster.pid").exists()

    # A killed server leaves a pid file behind, here naming a live process that is not postgres.
    (tmp_path / "pgdata" / "postmaster.pid").write_text(f"1\n{tmp_path / 'pgdata'}\n0\n5432\n/tmp\n\n0 0\nready\n")
    server = embedded_pg.start(tmp_path, durable=False)
    try:
        assert asyncio.run(query(server.url, "SELECT count(*) FROM kept")) == 0
        second = embedded_pg.start(tmp_path, durable=False)
        assert not second.owned and second.url == server.url
    finally:
        server.stop()
    assert not (tmp_path / "pgdata" / "postmaster.pid").exists()
