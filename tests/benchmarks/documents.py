"""Documents: a 20 MB file uploaded and downloaded through the document store, memory and throughput.

Run: ``.venv/bin/python -m tests.benchmarks.documents [--megabytes 20 --reps 5]`` (``make bench`` runs it).

The upload is what the route does with a request body: the pieces (64 KiB, as a multipart parser
hands them over) go through ``cleaned`` (the type check, metadata stripping) and into
``DocumentStore.write`` (AES-256-GCM per 256 KiB chunk, one INSERT per chunk). The download reads
it back through ``DocumentStore.read``. The file is never whole in memory: its pieces are made as
they are sent, so that what is measured is what the store holds.

Next to each, in the same run and on the same database: the baseline, a raw INSERT (and SELECT)
of the same bytes in the same chunks on one connection, neither cleaned nor encrypted.

Memory, per operation: the peak of Python's allocations above what was allocated before it
(``tracemalloc``, in runs of their own, as tracing slows Python down), and the growth of the
process's resident set (RSS, sampled every 2 ms) over the operation. Throughput: MB/s, medians
of ``--reps`` runs, and the median of the paired ratios to the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import threading
import time
import tracemalloc
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path

import asyncpg
import httpx
import psutil

from service.documents.content import cleaned
from service.documents.store import CHUNK_BYTES, DocumentStore
from service.storage.keys.master_key import MasterKey
from service.storage.runtime import open_runtime
from tests.benchmarks import environment, http_load
from tests.benchmarks.report import paired_ratio, table

PIECE = 64 * 1024
MB = 1024 * 1024


async def a_pdf(size: int) -> AsyncIterator[bytes]:
    """A PDF-framed file of ``size`` bytes, made piece by piece (random bytes: nothing compresses)."""
    head, tail = b"%PDF-1.7\n", b"\nstartxref\n9\n%%EOF\n"
    yield head
    left = size - len(head) - len(tail)
    while left > 0:
        piece = os.urandom(min(PIECE, left))
        left -= len(piece)
        yield piece
    yield tail


class RssPeak:
    """The largest resident set of a process (this one by default) seen while the block runs, sampled by a thread."""

    def __init__(self, every: float = 0.002, process: psutil.Process | None = None) -> None:
        self._process = process or psutil.Process()
        self._every = every
        self.before = self.peak = 0
        self._done = threading.Event()

    def _sample(self) -> None:
        while not self._done.wait(self._every):
            self.peak = max(self.peak, self._process.memory_info().rss)

    def __enter__(self) -> RssPeak:
        self.before = self.peak = self._process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, self._process.memory_info().rss)

    @property
    def growth(self) -> int:
        return self.peak - self.before


class Bench:
    def __init__(self, pool: asyncpg.Pool, store: DocumentStore, size: int) -> None:
        self.pool = pool
        self.store = store
        self.size = size
        self.subject = uuid.uuid4()
        self.document = uuid.uuid4()
        self.version = 0

    async def suivi_upload(self) -> None:
        self.version += 1
        _, content = await cleaned(a_pdf(self.size), max_bytes=self.size)
        await self.store.write(self.document, self.version, self.subject, content)

    async def suivi_download(self) -> None:
        read = 0
        async for chunk in await self.store.read(self.document, self.version, self.subject):
            read += len(chunk)
        assert read == self.size

    async def raw_upload(self) -> None:
        self.version += 1
        buffer = bytearray()
        async with self.pool.acquire() as db:
            index = 0
            async for piece in a_pdf(self.size):
                buffer += piece
                while len(buffer) >= CHUNK_BYTES:
                    await db.execute(_RAW_INSERT, self.document, self.version, index, bytes(buffer[:CHUNK_BYTES]))
                    del buffer[:CHUNK_BYTES]
                    index += 1
            await db.execute(_RAW_INSERT, self.document, self.version, index, bytes(buffer))

    async def raw_download(self) -> None:
        read = 0
        async with self.pool.acquire() as db:
            last = await db.fetchval(
                "SELECT max(chunk_index) FROM bench_raw_chunks WHERE document_id = $1 AND version = $2",
                self.document,
                self.version,
            )
            for index in range(last + 1):
                read += len(await db.fetchval(_RAW_SELECT, self.document, self.version, index))
        assert read == self.size


_RAW_INSERT = "INSERT INTO bench_raw_chunks VALUES ($1, $2, $3, $4)"
_RAW_SELECT = "SELECT content FROM bench_raw_chunks WHERE document_id = $1 AND version = $2 AND chunk_index = $3"


async def _timed(operation: Callable[[], Awaitable[None]]) -> float:
    began = time.perf_counter()
    await operation()
    return time.perf_counter() - began


async def _traced(operation: Callable[[], Awaitable[None]]) -> tuple[int, int]:
    """(tracemalloc peak above the start, RSS growth), in bytes."""
    tracemalloc.start()
    try:
        start, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        with RssPeak() as rss:
            await operation()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - start, rss.growth


async def measure(url: str, master: MasterKey, megabytes: int, reps: int) -> dict[str, dict[str, list[float]]]:
    size = megabytes * MB
    async with open_runtime(url, master) as runtime:
        async with runtime.pool.acquire() as db:
            await db.execute(
                """CREATE TABLE bench_raw_chunks (document_id uuid, version int, chunk_index int, content bytea,
                       PRIMARY KEY (document_id, version, chunk_index));
                   ALTER TABLE bench_raw_chunks ALTER COLUMN content SET STORAGE EXTERNAL"""
            )
        suivi = Bench(runtime.pool, DocumentStore.from_runtime(runtime), size)
        raw = Bench(runtime.pool, DocumentStore.from_runtime(runtime), size)
        operations = {
            "upload": (suivi.suivi_upload, raw.raw_upload),
            "download": (suivi.suivi_download, raw.raw_download),
        }
        results: dict[str, dict[str, list[float]]] = {
            f"{what} {who}": {"seconds": [], "traced": [], "rss": []} for what in operations for who in ("suivi", "raw")
        }
        await suivi.suivi_upload()  # warm up: keys, pools, plans, the allocator
        await suivi.suivi_download()
        await raw.raw_upload()
        await raw.raw_download()
        for _ in range(reps):
            for what, (ours, theirs) in operations.items():
                for who, operation in (("suivi", ours), ("raw", theirs)):
                    results[f"{what} {who}"]["seconds"].append(await _timed(operation))
        for _ in range(max(1, reps // 2)):
            for what, (ours, theirs) in operations.items():
                for who, operation in (("suivi", ours), ("raw", theirs)):
                    traced, rss = await _traced(operation)
                    results[f"{what} {who}"]["traced"].append(traced)
                    results[f"{what} {who}"]["rss"].append(rss)
    return results


# --- through HTTP: the service in its own process, as in http_load -------------------------------------


async def through_http(
    base: str, server: psutil.Process, file: Path, size: int, reps: int
) -> dict[str, dict[str, list[float]]]:
    """Upload ``file`` as a multipart form to a case (POST .../documents/scans) and download it back.

    Memory is the server process's RSS growth; httpx streams the file from disk, in 64 KiB reads.
    """
    results: dict[str, dict[str, list[float]]] = {
        f"{what} HTTP": {"seconds": [], "traced": [], "rss": []} for what in ("upload", "download")
    }
    async with httpx.AsyncClient(base_url=base, timeout=300) as client:
        await http_load.sign_in(client)
        [case] = await http_load.open_cases(client, 1)

        async def upload() -> str:
            with file.open("rb") as scan:
                answer = await client.post(
                    f"/cases/{case}/documents/scans",
                    data={"title": "Scan de 20 Mo", "kind": "decision_letter"},
                    files={"file": ("scan.pdf", scan, "application/pdf")},
                    headers={"Idempotency-Key": uuid.uuid4().hex},
                )
            assert answer.status_code == 201, answer.text
            return str(answer.headers["Location"])

        async def download(location: str) -> None:
            read = 0
            async with client.stream("GET", location) as answer:
                assert answer.status_code == 200
                async for piece in answer.aiter_bytes():
                    read += len(piece)
            assert read == size

        await download(await upload())  # warm up
        for _ in range(reps):
            with RssPeak(process=server) as rss:
                began = time.perf_counter()
                location = await upload()
                results["upload HTTP"]["seconds"].append(time.perf_counter() - began)
            results["upload HTTP"]["rss"].append(rss.growth)
            with RssPeak(process=server) as rss:
                began = time.perf_counter()
                await download(location)
                results["download HTTP"]["seconds"].append(time.perf_counter() - began)
            results["download HTTP"]["rss"].append(rss.growth)
    return results


def http_figures(url: str, master: MasterKey, megabytes: int, reps: int) -> dict[str, dict[str, list[float]]]:
    asyncio.run(http_load.staff_account(url, master))
    with tempfile.TemporaryDirectory() as directory:
        file = Path(directory) / "scan.pdf"
        size = _write_pdf(file, megabytes * MB)
        with http_load.server("suivi", url, master, Path(directory)) as base:
            [server] = psutil.Process().children()
            return asyncio.run(through_http(base, server, file, size, reps))


def _write_pdf(file: Path, size: int) -> int:
    """The same PDF-framed random file as ``a_pdf``, on disk for the HTTP client to stream."""

    async def written() -> None:
        with file.open("wb") as out:
            async for piece in a_pdf(size):
                out.write(piece)

    asyncio.run(written())
    return file.stat().st_size


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--megabytes", type=int, default=20)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--no-http", dest="http", action="store_false", help="the store only")
    args = parser.parse_args(argv)
    print(f"## Documents: a {args.megabytes} MB file through the document store\n")
    with environment.bench_database() as (url, where):
        print(f"- {where}")
        print(f"- {asyncio.run(environment.server_facts(url))}")
        print(f"- pieces of {PIECE // 1024} KiB in, chunks of {CHUNK_BYTES // 1024} KiB stored, {args.reps} runs\n")
        master = MasterKey.generate()
        results = asyncio.run(measure(url, master, args.megabytes, args.reps))
        if args.http:
            results.update(http_figures(url, master, args.megabytes, args.reps))
    size = args.megabytes * MB
    rows = []
    for name, figures in results.items():
        seconds = statistics.median(figures["seconds"])
        rows.append(
            [
                name,
                f"{args.megabytes}",
                f"{size / MB / seconds:,.1f}",
                f"{statistics.median(figures['traced']) / MB:.2f}" if figures["traced"] else "(other process)",
                f"{statistics.median(figures['rss']) / MB:.2f}",
            ]
        )
    print(table(["operation", "file MB", "MB/s (median)", "tracemalloc peak MB", "RSS growth MB"], rows))
    print("\nRSS growth of the HTTP rows: the server process's, over each request.")
    print()
    for what in ("upload", "download"):
        ratio = paired_ratio(results[f"{what} raw"]["seconds"], results[f"{what} suivi"]["seconds"])
        peak = statistics.median(results[f"{what} suivi"]["traced"])
        print(
            f"- {what}: {ratio:.2f} of the raw baseline's throughput (median of paired ratios); "
            f"peak Python memory {peak / MB:.2f} MB for a {args.megabytes} MB file ({peak / size:.1%} of it)"
        )
        if f"{what} HTTP" in results:
            over_http = paired_ratio(results[f"{what} raw"]["seconds"], results[f"{what} HTTP"]["seconds"])
            rss = statistics.median(results[f"{what} HTTP"]["rss"])
            print(
                f"  through HTTP: {over_http:.2f} of the raw baseline's throughput; server RSS growth {rss / MB:.2f} MB"
            )


if __name__ == "__main__":
    main()
