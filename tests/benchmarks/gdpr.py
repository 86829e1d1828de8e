"""GDPR benchmarks: erasure and export of a person with 1,000 events, in stores of 10,000 and 1,000,000.

Run: ``.venv/bin/python -m tests.benchmarks --only gdpr`` (or ``python -m tests.benchmarks.gdpr``).

The unrelated events are bulk-inserted with COPY: real AES-256-GCM ciphertexts of a ~200-byte
payload under keys of unrelated subjects that are not kept (their rows are never read), with
random 32-byte chain hashes (``suivi verify`` is not run on this database). The measured people's
events (registration, a case, 998 notes) go through the store like any command's. After each
fill the table is analysed and a checkpoint is signed, as the nightly ``suivi checkpoint``
would: erasure signs a checkpoint of the log since the last one, so its cost grows with the
events appended since then, never with the size of the store.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from uuid import UUID, uuid4

import asyncpg
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.case import Case, CaseDomain
from domain.person import Person, PersonDetails
from domain.policy import Role
from service.application.context import Actor, ApplicationContext
from service.gdpr.erasure import erase
from service.gdpr.export import export_person
from service.gdpr.tools import ErasureLedgerFile, ErasureSigner, ErasureTools
from service.storage.codec import EventCodec
from service.storage.eventstore.tamper import write_checkpoint
from service.storage.keys.master_key import MasterKey
from service.storage.runtime import open_runtime
from tests.benchmarks import environment
from tests.benchmarks.report import table
from tests.benchmarks.workload import note

SIZES = (10_000, 1_000_000)
PERSON_EVENTS = 1_000
REPS = 5
TARGET_ERASURE_MS, TARGET_EXPORT_MS = 100.0, 500.0
_BATCH = 50_000
_COLUMNS = [
    "stream_id",
    "version",
    "topic",
    "category",
    "subject_id",
    "recorded_at",
    "actor_id",
    "key_version",
    "payload",
    "chain_hash",
]
DPO = Actor(staff_id=uuid4(), roles=frozenset({Role.DPO}))


async def fill_unrelated(url: str, count: int) -> float:
    """COPY ``count`` encrypted events of unrelated subjects (20 per stream, 2 streams per subject)."""
    codec = EventCodec()
    topic = codec.topic_of(note(uuid4(), 1))
    started = time.perf_counter()
    at = datetime(2026, 1, 1, tzinfo=UTC)
    connection = await asyncpg.connect(url)
    try:
        done = 0
        while done < count:
            rows = []
            for _ in range(done, min(count, done + _BATCH), 40):
                subject, aead = uuid4(), AESGCM(AESGCM.generate_key(bit_length=256))
                for stream in (uuid4(), uuid4()):
                    for version in range(1, 21):
                        payload = codec.encode(note(stream, version))
                        nonce = os.urandom(12)
                        rows.append(
                            (
                                stream,
                                version,
                                topic,
                                "social_legal",
                                subject,
                                at,
                                DPO.staff_id,
                                1,
                                nonce + aead.encrypt(nonce, payload, None),
                                os.urandom(32),
                            )
                        )
            await connection.copy_records_to_table("events", records=rows[: count - done], columns=_COLUMNS)
            done += min(len(rows), count - done)
        await connection.execute("VACUUM ANALYZE events")
    finally:
        await connection.close()
    return time.perf_counter() - started


async def person_with_events(ctx: ApplicationContext, events: int) -> UUID:
    at = ctx.clock()
    person = Person.register(uuid4(), "2026-00001", PersonDetails("Bench", "Person"), at, DPO.staff_id)
    await ctx.repository.save(person, actor_id=DPO.staff_id)
    case = Case.open(uuid4(), person.id, CaseDomain.WORK, DPO.staff_id, "bench", at, DPO.staff_id)
    for n in range(events - 2):
        case.add_note(uuid4(), f"note {n}: rendez-vous au guichet, pièces manquantes notées", at, DPO.staff_id)
        if n % 200 == 199:
            await ctx.repository.save(case, actor_id=DPO.staff_id)
    await ctx.repository.save(case, actor_id=DPO.staff_id)
    return person.id


async def measure(url: str, master: MasterKey, ledger: Path) -> dict[str, list[float]]:
    tools = ErasureTools(ErasureSigner.from_master_key(master), ErasureLedgerFile(ledger))
    async with open_runtime(url, master, pool_size=4) as runtime:
        ctx = ApplicationContext.from_runtime(runtime)
        people = [await person_with_events(ctx, PERSON_EVENTS) for _ in range(REPS + 1)]
        async with runtime.pool.acquire() as db:
            await write_checkpoint(db, master.signing_key())
        timings: dict[str, list[float]] = {"export": [], "erasure": []}
        for _ in range(REPS):
            started = time.perf_counter()
            export = await export_person(ctx, DPO, people[-1], record_access=False)
            timings["export"].append((time.perf_counter() - started) * 1000)
            assert len(export.social_legal) == PERSON_EVENTS - 1
        for person_id in people[:REPS]:
            started = time.perf_counter()
            receipt = await erase(ctx, DPO, person_id, tools)
            timings["erasure"].append((time.perf_counter() - started) * 1000)
            assert receipt.events_made_unreadable == PERSON_EVENTS
    return timings


def main(argv: Sequence[str] | None = None) -> None:
    del argv
    print("## GDPR: erasure and export of a person with 1,000 events\n")
    master = MasterKey.generate()
    results: dict[int, dict[str, list[float]]] = {}
    with environment.bench_database() as (url, where), TemporaryDirectory() as directory:
        print(f"- {where}\n")
        filled = 0
        for size in SIZES:
            seconds = asyncio.run(fill_unrelated(url, size - filled))
            filled = size
            print(f"- {size:,} unrelated events in the store (COPY, {seconds:.1f} s), plus the measured people's")
            results[size] = asyncio.run(measure(url, master, Path(directory) / f"ledger-{size}.jsonl"))
    rows = []
    for size, timings in results.items():
        for what, values in timings.items():
            rows.append(
                [f"{size:,}", what, f"{statistics.median(values):.1f}", f"{min(values):.1f}", f"{max(values):.1f}"]
            )
    print(f"\nMilliseconds, {REPS} runs each (erasure: {REPS} different people).\n")
    print(table(["store events", "operation", "median ms", "min", "max"], rows))
    big = results[SIZES[-1]]
    erasure, export = statistics.median(big["erasure"]), statistics.median(big["export"])
    print(
        f"\nTargets at {SIZES[-1]:,}: erasure {erasure:.1f} ms < {TARGET_ERASURE_MS:.0f} "
        f"({'met' if erasure < TARGET_ERASURE_MS else 'MISSED'}); export {export:.1f} ms < {TARGET_EXPORT_MS:.0f} "
        f"({'met' if export < TARGET_EXPORT_MS else 'MISSED'})."
    )


if __name__ == "__main__":
    main()
