"""How reads cost as the store grows: the case file, the directory search and the caseload at 10k, 100k, 1M events.

Run from the repository root: ``.venv/bin/python -m tests.benchmarks.scaling [--sizes 10000,100000,1000000]``.

One reference social worker follows 12 people, one of whom (the reference person, with a
fixed case file of 40 notes) is read, searched for and listed at every size. The store is then
filled around them with the benchmark population (``population.fill``: people, consents,
cohorts, visits, cases of other staff), the read models are brought up to the head, and each
read is timed through the application layer, as the pages call it (access recorded, entries
decrypted). What they show stays the same at every size, so their cost should not grow: the
table gives each median next to the first size's, in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from uuid import UUID, uuid4

import asyncpg

from domain.case import CaseDomain
from domain.person import ContactDetails, PersonDetails
from domain.policy import Role
from service.application.case_notes import AddNote, add_note
from service.application.cases import OpenCase, open_case
from service.application.context import Actor, ApplicationContext
from service.application.people import RegisterPerson, register_person
from service.application.views.case_file import case_file
from service.application.views.caseload import caseload
from service.application.views.people import search_directory
from service.readmodels.registry import all_projections, blind_index
from service.readmodels.runner import ProjectionRunner
from service.storage.keys.master_key import MasterKey
from service.storage.runtime import open_runtime
from tests.benchmarks import environment, population
from tests.benchmarks.report import table

REFERENCE_WORKER = Actor(UUID("5a1e5a1e-0000-4000-8000-0000000000b1"), frozenset({Role.SOCIAL_WORKER}))
FAMILY_NAME = "Vandenberghe-Kaya"
NOTES, CASELOAD = 40, 12


def main(argv: Sequence[str] | None = None) -> None:
    args = _arguments(argv)
    began = time.perf_counter()
    print("# Suivi reads as the store grows\n")
    for line in environment.machine():
        print(f"- {line}")
    with environment.bench_database() as (url, where):
        print(f"- {where}")
        print(f"- {asyncio.run(environment.server_facts(url))}\n")
        master = MasterKey.generate()
        person_id = asyncio.run(_reference(url, master))
        results: dict[int, dict[str, list[float]]] = {}
        notes: dict[int, str] = {}
        for size in args.sizes:
            have = asyncio.run(_count(url))
            filled, seconds = population.fill(url, master, max(0, size - have)) if size > have else (0, 0.0)
            caught_up, behind = asyncio.run(_catch_up(url, master, args.catch_up_budget))
            notes[size] = f"filled {filled:,} events in {seconds:.0f} s, read models caught up in {caught_up:.0f} s" + (
                f" (still behind: {', '.join(behind)})" if behind else ""
            )
            results[size] = asyncio.run(_reads(url, master, person_id, args.reads))
            results[size]["store"] = [float(asyncio.run(_count(url)))]
    _print(results, notes, args)
    print(f"\nTotal time: {time.perf_counter() - began:.0f} s")


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.scaling", description=__doc__)
    parser.add_argument(
        "--sizes", type=_ints, default=[10_000, 100_000, 1_000_000], help="store sizes in events (default 10k,100k,1M)"
    )
    parser.add_argument("--reads", type=int, default=100, help="reads of each kind per size; medians (default 100)")
    parser.add_argument(
        "--catch-up-budget", type=float, default=1800.0, help="seconds the read models get to reach the head"
    )
    return parser.parse_args(argv)


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


async def _count(url: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        return int(await connection.fetchval("SELECT count(*) FROM events"))
    finally:
        await connection.close()


async def _reference(url: str, master: MasterKey) -> UUID:
    """The reference social worker's caseload; the first person's case has ``NOTES`` notes."""
    async with open_runtime(url, master, pool_size=4) as runtime:
        ctx = ApplicationContext.from_runtime(runtime)
        at = datetime.now(UTC)
        first: UUID | None = None
        for n in range(CASELOAD):
            details = PersonDetails(
                given_name="Aïcha" if n == 0 else f"Référence{n}",
                family_name=FAMILY_NAME if n == 0 else f"Suivie{n}",
                contact=ContactDetails(phone="+32 485 00 11 22"),
            )
            registered = await register_person(ctx, REFERENCE_WORKER, RegisterPerson(details))
            opened = await open_case(
                ctx,
                REFERENCE_WORKER,
                OpenCase(registered.person_id, CaseDomain.HOUSING, REFERENCE_WORKER.staff_id, "Loyer impayé"),
            )
            if n == 0:
                first = registered.person_id
                for i in range(NOTES):
                    text = f"Entretien n° {i}: dossier CPAS complété, pièces manquantes notées ({at:%d/%m})."
                    await add_note(ctx, REFERENCE_WORKER, AddNote(opened.case_id, note_id=uuid4(), text=text))
    assert first is not None
    return first


async def _catch_up(url: str, master: MasterKey, budget: float) -> tuple[float, list[str]]:
    began = time.perf_counter()
    async with open_runtime(url, master, pool_size=12) as runtime:
        runner = ProjectionRunner(runtime, await all_projections(runtime.keys))
        tasks = {name: asyncio.create_task(runner.catch_up(name)) for name in runner.projections}
        await asyncio.wait(tasks.values(), timeout=budget)
        behind = [name for name, task in tasks.items() if not task.done()]
        for task in tasks.values():
            task.cancel()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
    return time.perf_counter() - began, behind


async def _reads(url: str, master: MasterKey, person_id: UUID, reads: int) -> dict[str, list[float]]:
    async with open_runtime(url, master, pool_size=4) as runtime:
        ctx = ApplicationContext.from_runtime(runtime, index=await blind_index(runtime.keys))
        kinds: dict[str, Callable[[], Awaitable[object]]] = {
            "case file (read_case_file view)": lambda: case_file(ctx, REFERENCE_WORKER, person_id),
            "directory search by name": lambda: search_directory(ctx, REFERENCE_WORKER, FAMILY_NAME),
            f"caseload ({CASELOAD} cases)": lambda: caseload(ctx, REFERENCE_WORKER),
        }
        for read in kinds.values():  # warm-up: prepared statements, key cache; and the read works
            for _ in range(5):
                await read()
        samples: dict[str, list[float]] = {name: [] for name in kinds}
        for _ in range(reads):
            for name, read in kinds.items():
                begin = time.perf_counter()
                await read()
                samples[name].append((time.perf_counter() - begin) * 1000)
    return samples


def _print(results: dict[int, dict[str, list[float]]], notes: dict[int, str], args: argparse.Namespace) -> None:
    sizes = list(results)
    first = sizes[0]
    print(f"{args.reads} reads of each kind per size, interleaved, one process, key cache warm; medians in ms.\n")
    for size in sizes:
        print(f"- {size:,} events (store holds {int(results[size]['store'][0]):,}): {notes[size]}")
    print()
    header = ["read"] + [f"{size:,} events: ms" for size in sizes] + [f"{size:,} vs {first:,}" for size in sizes[1:]]
    rows = []
    for name in (n for n in results[first] if n != "store"):
        medians = [statistics.median(results[size][name]) for size in sizes]
        rows.append([name, *(f"{m:.2f}" for m in medians), *(f"{m / medians[0]:.2f}" for m in medians[1:])])
    print(table(header, rows))
    print("\nFlat means a ratio near 1.00 (the machine is shared: a few tenths either way is noise).")


if __name__ == "__main__":
    main()
