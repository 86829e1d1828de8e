"""No byte of a document in clear at rest: not in a pg_dump, not in any file of the data directory.

A PDF carrying a known sentence is cleaned and stored as an upload is; the dump and every file
of the data directory (after a CHECKPOINT, so that the pages are on disk, and the WAL with them)
are searched for every part of the sentence, raw and as pg_dump writes bytea (hex), before and
after the person's erasure. On disk, only the files written since the upload began are read: a
file untouched since cannot hold a byte of it (and a long test run leaves a large WAL behind).
The same search then finds the sentence once it is written in clear: the search itself can fail.
"""

from __future__ import annotations

import secrets
import subprocess
import time
import uuid
from pathlib import Path

import asyncpg
import pytest

from service.documents.content import cleaned
from service.documents.store import DocumentStore
from service.gdpr.erasure import erase
from service.storage import embedded_pg
from service.storage.runtime import Runtime
from tests.application.support import register
from tests.documents.samples import joined, pdf_with, pieces

_PART = 14  # characters: every stretch of the sentence this long is looked for


def parts_of(sentence: str) -> list[bytes]:
    raw = sentence.encode()
    return [raw[at : at + _PART] for at in range(0, len(raw) - _PART + 1, 3)]


def dump_of(database_url: str) -> bytes:
    return subprocess.run(
        [str(embedded_pg.binary("pg_dump")), "--format=plain", database_url], capture_output=True, check=True
    ).stdout


async def data_directory(database_url: str) -> Path:
    """The server's data directory, once a CHECKPOINT has written every dirty page to it."""
    db = await asyncpg.connect(database_url)
    try:
        await db.execute("CHECKPOINT")
        return Path(await db.fetchval("SHOW data_directory"))
    finally:
        await db.close()


def files_holding(directory: Path, parts: list[bytes], *, since: float) -> list[str]:
    if not directory.is_dir():
        pytest.skip("the database server's data directory is not on this machine")
    found = []
    for path in sorted(directory.rglob("*")):
        try:
            written = path.is_file() and path.stat().st_mtime >= since
            content = path.read_bytes() if written else b""
        except (FileNotFoundError, PermissionError):  # a file the server removed meanwhile
            continue
        found.extend(f"{path.name}: {part!r}" for part in parts if part in content)
    return found


def found_in_dump(database_url: str, parts: list[bytes]) -> list[bytes]:
    dump = dump_of(database_url)
    return [part for part in parts if part in dump or part.hex().encode() in dump]


async def found_on_disk(database_url: str, parts: list[bytes], *, since: float) -> list[str]:
    return files_holding(await data_directory(database_url), parts, since=since)


async def test_no_part_of_a_document_is_in_a_dump_or_the_data_directory_before_or_after_an_erasure(
    runtime: Runtime, documents: DocumentStore, ctx, social_worker, dpo, tools, database_url: str
) -> None:
    token = secrets.token_hex(6)
    sentence = f"Madame Petrenko must answer the residence office before the {token} deadline."
    upload = pdf_with(sentence)
    parts = parts_of(sentence)
    assert all(part in upload for part in parts)  # the file does carry the sentence in clear

    began = time.time() - 2  # the file systems' timestamps may be coarse
    person = await register(ctx, social_worker, "Olga", "Petrenko")
    document_id = uuid.uuid4()
    _, content = await cleaned(pieces(upload, 4096), max_bytes=20 * 1024 * 1024)
    await documents.write(document_id, 1, person, content)
    assert await joined(await documents.read(document_id, 1, person)) == upload

    assert found_in_dump(database_url, parts) == []
    assert await found_on_disk(database_url, parts, since=began) == []

    await erase(ctx, dpo, person, tools)

    assert found_in_dump(database_url, parts) == []
    assert await found_on_disk(database_url, parts, since=began) == []

    async with runtime.pool.acquire() as db:  # the control: the same search finds it once it is in clear
        await db.execute("CREATE TABLE control (line text, raw bytea)")
        await db.execute("INSERT INTO control VALUES ($1, $2)", sentence, sentence.encode())
    assert found_in_dump(database_url, parts) == parts
    assert len(await found_on_disk(database_url, parts, since=began)) >= len(parts)
