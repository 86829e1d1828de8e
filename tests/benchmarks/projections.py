"""Projections: rebuild rate, lag under a sustained write load, and case-file reads.

Run from the repository root: ``.venv/bin/python -m tests.benchmarks.projections [--events 1000000]``.
Every figure is printed next to a baseline measured in the same run: the bare subscription
(read_log + decode, no projection) for rebuilds, the log head for lag, a raw SELECT for
case-file reads. The machine is shared and noisy: medians, percentiles and ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import multiprocessing
import os
import time
import traceback
from collections.abc import Sequence
from multiprocessing.connection import Connection
from uuid import UUID

import asyncpg

from projections.case_file import read_case_file
from service.readmodels.registry import PROJECTION_SCHEMAS, all_projections
from service.readmodels.runner import ProjectionRunner
from service.storage.keys.master_key import MasterKey
from service.storage.repository import Repository
from service.storage.runtime import Runtime, open_runtime
from service.storage.sealer import SubjectSealer
from tests.benchmarks import catch_up, environment, population
from tests.benchmarks.report import rate, table, verdict

TARGET_REBUILD_OF_BASELINE, TARGET_CASE_FILE_P99_MS = 0.35, 20.0
"""Every projection, rebuilt all at once, at >= 0.35 of the bare read-and-decode rate (issue 17)."""
_RAW_CASE_FILE = """SELECT position, recorded_at, category, kind, stream_id, actor_id, body_sealed
                    FROM rm_case_file.entries WHERE person_id = $1 ORDER BY position"""


def main(argv: Sequence[str] | None = None) -> None:
    args = _arguments(argv)
    began = time.perf_counter()
    print("# Suivi projection benchmarks\n")
    for line in environment.machine():
        print(f"- {line}")
    with environment.bench_database() as (url, where):
        print(f"- {where}")
        print(f"- {asyncio.run(environment.server_facts(url))}\n")
        master = MasterKey.generate()
        person_id = asyncio.run(population.big_case_file(url, master, args.case_file_events))
        written, seconds = population.fill(url, master, args.events - args.case_file_events, args.fill_processes)
        total = written + args.case_file_events
        print(
            f"Filled the store with {total:,} events ({written:,} from {args.fill_processes} writer processes x 8 "
            f"tasks, ~21 events per person per append, plus one person with {args.case_file_events:,}) "
            f"in {seconds:.0f} s ({rate(written / seconds)} events/s).\n"
        )
        _rebuilds(url, master, total, args)
        if args.reads:
            asyncio.run(_case_file_reads(url, master, person_id, args.reads))
        if args.lag_seconds:
            _lag(url, master, args)
    print(f"\nTotal time: {time.perf_counter() - began:.0f} s")


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.projections", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the store (default 1,000,000)")
    parser.add_argument("--fill-processes", type=int, default=2, help="writer processes for the fill (default 2)")
    parser.add_argument("--case-file-events", type=int, default=1000, help="events of the one big case file")
    parser.add_argument("--batch-size", type=int, default=1000, help="read_log batch size (the runner's default)")
    parser.add_argument(
        "--rebuild-seconds", type=float, default=75.0, help="cap on the all-projections rebuild (default 75)"
    )
    parser.add_argument(
        "--alone-seconds", type=float, default=6.0, help="window per projection rebuilt alone; 0 skips (default 6)"
    )
    parser.add_argument("--reads", type=int, default=200, help="case-file reads timed; 0 skips (default 200)")
    parser.add_argument("--rates", type=_ints, default=[1000, 3000], help="write rates for the lag run, events/s")
    parser.add_argument("--lag-seconds", type=float, default=20.0, help="seconds per write rate; 0 skips")
    return parser.parse_args(argv)


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


# --- rebuilds ---------------------------------------------------------------------------------------------


def _rebuilds(url: str, master: MasterKey, total: int, args: argparse.Namespace) -> None:
    baseline = asyncio.run(catch_up.subscription_rate(url, master, total, args.batch_size))
    together = asyncio.run(_rebuild(url, master, None, args.rebuild_seconds, total, args.batch_size))
    halves = _rebuild_in_processes(url, master, args.rebuild_seconds, total, args.batch_size)
    rows = [["subscribe + decode (baseline, no projection)", f"{total:,}", "-", rate(baseline), "1.00"]]
    rows += _rebuild_rows(f"all {len(together)} at once (one shared reader): ", together, baseline)
    rows += _rebuild_rows(f"all {len(halves)} over {len(SPLIT)} processes (a reader each): ", halves, baseline)
    slowest = min(together.values(), key=lambda r: r[0] / r[1])
    all_rate = slowest[0] / slowest[1]
    halves_slowest = min(halves.values(), key=lambda r: r[0] / r[1])
    if args.alone_seconds:
        alone: dict[str, tuple[int, float, bool]] = {}
        for name in PROJECTION_SCHEMAS:
            alone.update(asyncio.run(_rebuild(url, master, name, args.alone_seconds, total, args.batch_size)))
        rows += _rebuild_rows("alone: ", alone, baseline)
    print(f"## Rebuild from position zero over {total:,} events\n")
    print(
        "Each rebuild fills a shadow schema from position zero in batches of "
        f'{args.batch_size}, as `suivi projections rebuild` does. "all at once" is `rebuild_all`: one reader '
        "of the log reads, decrypts and decodes each event once and hands it to every projection, each "
        "applying it in its own transaction; capped in time, a capped rebuild's rate is the log it covered "
        "(events up to its tracking position) over the time. "
        '"alone" rebuilds one projection at a time, over a shorter window. The baseline reads and '
        "decodes the whole log through `subscribe`, in the same run. The reader decrypts and decodes only the "
        "events some projection handles (read_log's topic filter), so a projection alone that handles few event "
        "types can run faster than the baseline.\n"
    )
    print(table(["reader", "events covered", "seconds", "events/s", "vs baseline"], rows))
    of_baseline = all_rate / baseline
    print(
        f"\nAll projections rebuilt at once: the slowest covered {rate(all_rate)} events/s, {of_baseline:.2f} of "
        f"the bare read-and-decode rate; target >= {TARGET_REBUILD_OF_BASELINE:.2f} "
        f"({verdict(of_baseline, TARGET_REBUILD_OF_BASELINE)}). Over {len(SPLIT)} processes, each with a reader "
        f"of its own: the slowest at {halves_slowest[0] / halves_slowest[1] / baseline:.2f}.\n"
    )


SPLIT = (
    ("directory", "statistics", "roster", "board", "agenda", "certificates"),
    ("case_file", "caseload", "training_history", "access_log", "documents"),
)
"""The read models in two groups of about the same cost (measured alone), one process each."""


def _rebuild_in_processes(
    url: str, master: MasterKey, cap: float, total: int, batch_size: int
) -> dict[str, tuple[int, float, bool]]:
    """``_rebuild`` of each group of ``SPLIT`` in a process of its own, all started together."""
    assert sorted(n for group in SPLIT for n in group) == sorted(PROJECTION_SCHEMAS), "SPLIT names every read model"
    context = multiprocessing.get_context("spawn")
    running = []
    for group in SPLIT:
        parent, child = context.Pipe()
        process = context.Process(
            target=_rebuild_worker, args=(url, master.to_hex(), list(group), cap, total, batch_size, child)
        )
        process.start()
        running.append((process, parent))
    results: dict[str, tuple[int, float, bool]] = {}
    for process, pipe in running:
        kind, value = pipe.recv()
        process.join()
        if kind == "error":
            raise RuntimeError(f"a rebuild process failed:\n{value}")
        results.update(value)
    return results


def _rebuild_worker(
    url: str, master_hex: str, names: list[str], cap: float, total: int, batch_size: int, pipe: Connection
) -> None:
    try:
        master = MasterKey.from_hex(master_hex, source="the benchmark")
        pipe.send(("done", asyncio.run(_rebuild(url, master, names, cap, total, batch_size))))
    except BaseException:
        pipe.send(("error", traceback.format_exc()))


def _rebuild_rows(label: str, results: dict[str, tuple[int, float, bool]], baseline: float) -> list[list[str]]:
    return [
        [
            f"{label}{name}",
            f"{covered:,}",
            f"{seconds:.1f}" + ("" if done else " (cap)"),
            rate(covered / seconds),
            f"{covered / seconds / baseline:.2f}",
        ]
        for name, (covered, seconds, done) in results.items()
    ]


async def _rebuild(
    url: str, master: MasterKey, only: str | list[str] | None, cap: float, total: int, batch_size: int
) -> dict[str, tuple[int, float, bool]]:
    """{name: (events of the log covered, seconds, finished)} for one, several or all projections."""
    async with open_runtime(url, master, pool_size=12) as runtime:
        runner = ProjectionRunner(runtime, await all_projections(runtime.keys), batch_size=batch_size)
        names = list(runner.projections) if only is None else [only] if isinstance(only, str) else only
        started = time.perf_counter()
        # All at once: one rebuild_all, one reader of the log for every projection (as after an upgrade).
        tasks = {"all": asyncio.create_task(runner.rebuild_all(names))}
        finished: dict[str, float] = {}
        deadline = started + cap
        while len(finished) < len(names) and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)
            if tasks["all"].done():
                tasks["all"].result()  # a failed rebuild stops the benchmark with its error
            for name in names:
                if name not in finished and await _status(runtime, name) == "running":
                    finished[name] = time.perf_counter() - started
        stopped = time.perf_counter() - started
        for task in tasks.values():
            task.cancel()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
        results = {}
        async with runtime.pool.acquire() as connection:
            for name in names:
                if name in finished:
                    results[name] = (total, finished[name], True)
                    continue
                schema = f"{runner.projections[name].schema}_rebuild"
                row = await connection.fetchrow(f"SELECT transaction_id, position FROM {schema}.tracking")
                covered = 0
                if row is not None:
                    covered = await connection.fetchval(
                        "SELECT count(*) FROM events WHERE (transaction_id, position) <= ($1::text::xid8, $2)",
                        str(row["transaction_id"]),
                        row["position"],
                    )
                results[name] = (int(covered), stopped, False)
    return results


async def _status(runtime: Runtime, name: str) -> str | None:
    async with runtime.pool.acquire() as connection:
        state = await connection.fetchval("SELECT state FROM projection_status WHERE name = $1", name)
    return None if state is None else str(state)


# --- case-file reads --------------------------------------------------------------------------------------


async def _case_file_reads(url: str, master: MasterKey, person_id: UUID, reads: int) -> None:
    async with open_runtime(url, master, pool_size=4) as runtime:
        runner = ProjectionRunner(runtime, await all_projections(runtime.keys))
        async with runtime.pool.acquire() as connection:
            have = await connection.fetchval(
                "SELECT count(*) FROM rm_case_file.entries WHERE person_id = $1", person_id
            )
        if have == 0:
            # The capped rebuild did not swap in: project this person's events alone, from their subject's log.
            await _project_one_person(runtime, runner, person_id)
        sealer = SubjectSealer(runtime.keys)
        samples: dict[str, list[float]] = {"raw SELECT of the entries (no decryption)": [], "read_case_file": []}
        async with runtime.pool.acquire() as connection:
            statement = await connection.prepare(_RAW_CASE_FILE)
            entries = len(await read_case_file(connection, sealer, person_id))
            for _ in range(min(20, reads)):  # warm-up: prepared statements, key cache, buffers
                await statement.fetch(person_id)
                await read_case_file(connection, sealer, person_id)
            collections = [0]

            def count(phase: str, info: dict[str, int]) -> None:
                if phase == "start" and info["generation"] == 2:
                    collections[0] += 1

            gc.callbacks.append(count)
            with_full_gc = []  # read_case_file times (ms) of the reads during which a full collection ran
            try:
                for _ in range(reads):
                    for name in samples:
                        before, begin = collections[0], time.perf_counter()
                        if name.startswith("raw"):
                            await statement.fetch(person_id)
                        else:
                            await read_case_file(connection, sealer, person_id)
                        samples[name].append((time.perf_counter() - begin) * 1000)
                        if collections[0] != before and not name.startswith("raw"):
                            with_full_gc.append(samples[name][-1])
            finally:
                gc.callbacks.remove(count)
        async with runtime.pool.acquire() as connection:
            log_size = await connection.fetchval("SELECT count(*) FROM events")
    raw = samples["raw SELECT of the entries (no decryption)"]
    rows = [
        [name, f"{_pct(s, 50):.2f}", f"{_pct(s, 99):.2f}", f"{max(s):.2f}", f"{_pct(s, 50) / _pct(raw, 50):.2f}"]
        for name, s in samples.items()
    ]
    print(f"## Reading one case file of {entries:,} entries from a store of {log_size:,} events\n")
    print(
        f"{reads} reads each, alternating, on one pooled connection, key cache warm (20 warm-up reads). "
        "read_case_file selects, decrypts every entry under the person's key and decodes its body.\n"
    )
    print(table(["read", "p50 ms", "p99 ms", "max ms", "p50 vs raw"], rows))
    if with_full_gc:
        print(
            f"\n{len(with_full_gc)} of the {reads} read_case_file calls ran a full (generation 2) garbage "
            f"collection; they took {', '.join(f'{x:.1f}' for x in sorted(with_full_gc))} ms."
        )
    p99 = _pct(samples["read_case_file"], 99)
    met = "met" if p99 < TARGET_CASE_FILE_P99_MS else f"MISSED by {p99 / TARGET_CASE_FILE_P99_MS - 1:.0%}"
    print(f"\nTarget: case-file read p99 < {TARGET_CASE_FILE_P99_MS:g} ms: {p99:.1f} ms ({met}).\n")


async def _project_one_person(runtime: Runtime, runner: ProjectionRunner, person_id: UUID) -> None:
    """The case_file projection's own handler, applied to this one person's events."""
    projection = runner.projections["case_file"]
    recorded = await runtime.store.read_subject(person_id)
    async with runtime.pool.acquire() as connection, connection.transaction():
        await connection.execute(f"SET LOCAL search_path TO {projection.schema}, public")
        for event in recorded:
            await projection.apply(connection, runner._envelope(event))
    print(f"(The case_file rebuild was capped: the big case file's {len(recorded):,} events were projected alone.)\n")


def _pct(samples: Sequence[float], percent: int) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


# --- lag under a sustained write load --------------------------------------------------------------------


def _lag(url: str, master: MasterKey, args: argparse.Namespace) -> None:
    context = multiprocessing.get_context("spawn")
    asyncio.run(_forget_cut_rebuilds(url))
    behind = asyncio.run(_catch_up_all(url, master))
    print("## Lag of the projections under a sustained write load\n")
    if behind:
        asyncio.run(_fast_forward(url, behind))
        print(
            f"({', '.join(behind)} could not catch up on the whole log within the time allowed (see the rebuild "
            "rates): their tracking positions were moved to the head, so the lag below is steady-state lag, "
            "over read-model tables smaller than a real store would have.)\n"
        )
    runner_pipe, child = context.Pipe()
    runner = context.Process(target=_runner_process, args=(url, master.to_hex(), child), daemon=True)
    runner.start()
    rows = []
    try:
        _expect(runner_pipe, "ready", 120)
        for events_per_second in args.rates:
            writer_pipe, child = context.Pipe()
            writer = context.Process(
                target=_writer_process,
                args=(url, master.to_hex(), events_per_second, args.lag_seconds, child),
                daemon=True,
            )
            writer.start()
            try:
                _expect(writer_pipe, "ready", 60)
                samples = asyncio.run(_sample(url, args.lag_seconds))
                written = _expect(writer_pipe, "done", 60)
            finally:
                writer.join(timeout=30)
                if writer.is_alive():
                    writer.terminate()
            rows += _lag_rows(events_per_second, written, args.lag_seconds, samples)
    finally:
        with contextlib.suppress(OSError):
            runner_pipe.send(None)
        runner.join(timeout=30)
        if runner.is_alive():
            runner.terminate()
    print(
        "A writer process appends person bundles (~21 events per append) at a fixed rate while a runner "
        f"process keeps all {len(PROJECTION_SCHEMAS)} projections up to date (`run_forever`, as `suivi worker`). "
        "A sampler reads "
        "the log head (max position) and every projection's tracking position in one query every 50 ms. "
        "Lag in events = head position - projection position (positions are a sequence, so this is "
        "close to the count of unapplied events). Lag in ms = age of the oldest event the projection "
        "has not applied: now - the first time the sampler saw the head pass the projection's position "
        "(0 when caught up; 50 ms resolution). The last column: seconds from the writer's stop until the "
        "projection had applied the whole log (sampling goes on at most 20 s; the next rate starts after).\n"
    )
    print(
        table(
            [
                "events/s asked",
                "events/s written",
                "projection",
                "lag p50 ev",
                "lag p99 ev",
                "lag p50 ms",
                "lag p99 ms",
                "caught up s after stop",
            ],
            rows,
        )
    )


async def _catch_up_all(url: str, master: MasterKey, budget: float = 30.0) -> list[str]:
    """Bring every projection to the head, within ``budget`` seconds; the names of those still behind."""
    async with open_runtime(url, master, pool_size=12) as runtime:
        runner = ProjectionRunner(runtime, await all_projections(runtime.keys))
        tasks = {name: asyncio.create_task(runner.catch_up(name)) for name in runner.projections}
        await asyncio.wait(tasks.values(), timeout=budget)
        behind = [name for name, task in tasks.items() if not task.done()]
        for task in tasks.values():
            task.cancel()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
    return behind


async def _forget_cut_rebuilds(url: str) -> None:
    """The capped rebuilds above were cut short: as if never asked for (else the runner would do them again first)."""
    connection = await asyncpg.connect(url)
    try:
        for schema in PROJECTION_SCHEMAS.values():
            await connection.execute(f"DROP SCHEMA IF EXISTS {schema}_rebuild CASCADE")
        await connection.execute("UPDATE projection_status SET state = 'running', error = NULL")
    finally:
        await connection.close()


async def _fast_forward(url: str, names: list[str]) -> None:
    """Move these projections' tracking positions to the head of the log (this throw-away store only)."""
    connection = await asyncpg.connect(url)
    try:
        head = await connection.fetchrow(
            """SELECT transaction_id::text::bigint AS txid, position FROM events
               ORDER BY events.transaction_id DESC, events.position DESC LIMIT 1"""
        )
        assert head is not None
        for name in names:
            await connection.execute(
                f"""INSERT INTO {PROJECTION_SCHEMAS[name]}.tracking (transaction_id, position) VALUES ($1, $2)
                    ON CONFLICT (singleton) DO UPDATE SET transaction_id = $1, position = $2""",
                head["txid"],
                head["position"],
            )
    finally:
        await connection.close()


def _runner_process(url: str, master_hex: str, pipe: Connection) -> None:
    async def run() -> None:
        master = MasterKey.from_hex(master_hex, source="the benchmark")
        async with open_runtime(url, master, pool_size=12) as runtime:
            runner = ProjectionRunner(runtime, await all_projections(runtime.keys))
            task = asyncio.create_task(runner.run_forever())
            pipe.send(("ready", 0))
            # Polled rather than a blocking recv, so that a runner that stops reports why at once.
            while not pipe.poll() and not task.done():  # noqa: ASYNC110
                await asyncio.sleep(0.1)
            if task.done():
                task.result()  # run_forever never returns: this raises what stopped it
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    try:
        asyncio.run(run())
    except BaseException:
        pipe.send(("error", traceback.format_exc()))


def _writer_process(url: str, master_hex: str, events_per_second: int, seconds: float, pipe: Connection) -> None:
    """Append bundles on a schedule of ``events_per_second``; 2 tasks, so one slow commit does not stall it."""

    async def run() -> int:
        master = MasterKey.from_hex(master_hex, source="the benchmark")
        async with open_runtime(url, master, pool_size=3) as runtime:
            repository = Repository(runtime.store)
            builders = [population.Builder(9000 + i + os.getpid(), year=2900 + i) for i in range(2)]
            written = 0
            pipe.send(("ready", 0))
            started = time.perf_counter()

            async def task(builder: population.Builder) -> None:
                nonlocal written
                while (elapsed := time.perf_counter() - started) < seconds:
                    if written >= events_per_second * elapsed:
                        await asyncio.sleep(0.002)
                        continue
                    if not builder.reserved:
                        await runtime.keys.keys_for_writing(builder.reserve(50))
                    changed = builder.bundle()
                    written += population.count_pending(changed)
                    await repository.save(*changed, actor_id=population.HELPER)

            await asyncio.gather(*(task(b) for b in builders))
            return written

    try:
        pipe.send(("done", asyncio.run(run())))
    except BaseException:
        pipe.send(("error", traceback.format_exc()))


async def _sample(url: str, seconds: float, drain: float = 20.0) -> list[tuple[float, int, dict[str, int]]]:
    """(time, head position, {projection: position}) every 50 ms while the writer writes, then until
    every projection has caught up with the head (at most ``drain`` seconds more)."""
    positions = ", ".join(
        f"(SELECT position FROM {schema}.tracking) AS {name}" for name, schema in PROJECTION_SCHEMAS.items()
    )
    query = f"SELECT (SELECT max(position) FROM events) AS head, {positions}"
    connection = await asyncpg.connect(url)
    samples = []
    try:
        started = time.perf_counter()
        while (now := time.perf_counter() - started) < seconds + drain:
            row = await connection.fetchrow(query)
            assert row is not None
            projected = {n: int(row[n] or 0) for n in PROJECTION_SCHEMAS}
            samples.append((now, int(row["head"] or 0), projected))
            if now > seconds + 0.5 and min(projected.values()) >= samples[-1][1]:
                break
            await asyncio.sleep(max(0.0, 0.05 - (time.perf_counter() - started - now)))
    finally:
        await connection.close()
    return samples


def _lag_rows(
    asked: int, written: int, seconds: float, samples: list[tuple[float, int, dict[str, int]]]
) -> list[list[str]]:
    first_seen: list[tuple[int, float]] = []  # (head position, when the sampler first saw it)
    for at, head, _ in samples:
        if not first_seen or head > first_seen[-1][0]:
            first_seen.append((head, at))
    during = [s for s in samples if s[0] <= seconds]
    final_head = samples[-1][1]
    rows = []
    for name in PROJECTION_SCHEMAS:
        lag_events, lag_ms = [], []
        for at, head, projected in during:
            position = projected[name]
            lag_events.append(max(0, head - position))
            oldest = next((t for h, t in first_seen if h > position), None)
            lag_ms.append(0.0 if oldest is None or head <= position else (at - oldest) * 1000)
        rows.append(
            [
                f"{asked:,}",
                rate(written / seconds),
                name,
                f"{_pct(lag_events, 50):,}",
                f"{_pct(lag_events, 99):,}",
                f"{_pct(lag_ms, 50):.0f}",
                f"{_pct(lag_ms, 99):.0f}",
                _drained(samples, name, seconds, final_head),
            ]
        )
    return rows


def _drained(samples: list[tuple[float, int, dict[str, int]]], name: str, seconds: float, head: int) -> str:
    """Seconds after the writer stopped until the projection had applied the whole log."""
    caught = next((at for at, _, projected in samples if at >= seconds and projected[name] >= head), None)
    return f"> {samples[-1][0] - seconds:.0f}" if caught is None else f"{caught - seconds:.1f}"


def _expect(pipe: Connection, kind: str, timeout: float) -> int:
    if not pipe.poll(timeout):
        raise RuntimeError(f"a benchmark process gave no '{kind}' in {timeout:.0f} s")
    got, value = pipe.recv()
    if got == "error":
        raise RuntimeError(f"a benchmark process failed:\n{value}")
    assert got == kind, (got, kind)
    return int(value)


if __name__ == "__main__":
    main()
