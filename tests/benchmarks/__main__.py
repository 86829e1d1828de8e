"""``make bench``: append throughput and catch-up rate, each next to its baselines.

Run from the repository root: ``.venv/bin/python -m tests.benchmarks [--window 2 --reps 3]``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import statistics
import time
from collections.abc import Sequence

import asyncpg

from service.storage.keys.master_key import MasterKey
from tests.benchmarks import baselines, catch_up, environment, gdpr
from tests.benchmarks.harness import WriterGroup, WriterSpec
from tests.benchmarks.report import paired_ratio, rate, spread, table, verdict

SYSTEMS = ("suivi", "raw", "eventsourcing")
TARGET_WRITERS, TARGET_EVENTS = 8, 10
TARGET_OF_RAW, TARGET_OF_EVENTSOURCING, TARGET_CATCH_UP_OF_RAW = 0.80, 3.0, 0.45


def main(argv: Sequence[str] | None = None) -> None:
    args = _arguments(argv)
    if args.only == "gdpr":
        gdpr.main()
        return
    began = time.perf_counter()
    print("# Suivi event store benchmarks\n")
    for line in environment.machine():
        print(f"- {line}")
    with environment.bench_database() as (url, where):
        print(f"- {where}")
        print(f"- {asyncio.run(environment.server_facts(url))}\n")
        master = MasterKey.generate()
        asyncio.run(_prepare(url))
        if args.catch_up_events:
            _catch_up(url, master, args)
            asyncio.run(_truncate(url))
        if args.writers:
            _appends(url, master, args)
    if args.only is None:
        print()
        gdpr.main()
    print(f"\nTotal time: {time.perf_counter() - began:.0f} s")


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__)
    parser.add_argument("--only", choices=["store", "gdpr"], help="run one group of benchmarks (default: all)")
    parser.add_argument("--window", type=float, default=2.0, help="seconds per timed window (default 2)")
    parser.add_argument("--reps", type=int, default=3, help="windows per cell; medians are shown (default 3)")
    parser.add_argument("--writers", type=_ints, default=[1, 4, 8], help="writer processes, e.g. 1,4,8")
    parser.add_argument("--events", type=_ints, default=[1, 10, 100], help="events per command, e.g. 1,10,100")
    parser.add_argument("--catch-up-events", type=int, default=200_000, help="log size to catch up on; 0 skips")
    parser.add_argument("--batch-size", type=int, default=1000, help="catch-up batch size (default 1000)")
    parser.add_argument(
        "--no-idempotency-key",
        dest="idempotency",
        action="store_false",
        help="append without an idempotency key (default: every command has one)",
    )
    return parser.parse_args(argv)


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


async def _prepare(url: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await baselines.create_raw_table(connection)
    finally:
        await connection.close()
    baselines.create_eventsourcing_table(url)


async def _truncate(url: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await baselines.truncate_all(connection)
    finally:
        await connection.close()


def _catch_up(url: str, master: MasterKey, args: argparse.Namespace) -> None:
    total, batch = args.catch_up_events, args.batch_size
    seconds = asyncio.run(catch_up.fill(url, master, total))
    print(f"## Catch-up over {total:,} personal events (filled through the store in {seconds:.0f} s)\n")
    readers = {
        "raw SELECT through asyncpg (no decryption, no decoding)": lambda: catch_up.raw_select_rate(url, total, batch),
        "store.read_log (decrypted, not decoded)": lambda: catch_up.read_log_rate(url, master, total, batch),
        "subscribe + EventCodec.decode (decrypted and decoded)": lambda: catch_up.subscription_rate(
            url, master, total, batch
        ),
    }
    samples: dict[str, list[float]] = {name: [] for name in readers}
    for _ in range(args.reps):
        for name, read in readers.items():
            samples[name].append(asyncio.run(read()))
    raw = next(iter(samples.values()))
    rows = [
        [name, rate(statistics.median(s)), f"{paired_ratio(s, raw):.2f}", f"{spread(s):.0%}"]
        for name, s in samples.items()
    ]
    print(f"Batches of {batch}, one reader, fresh runtime (cold key cache) per run; median of {args.reps} runs.\n")
    print(table(["reader", "events/s", "vs raw SELECT", "spread"], rows))
    decoded = samples["subscribe + EventCodec.decode (decrypted and decoded)"]
    ratio = paired_ratio(decoded, raw)
    print(
        f"\nTarget: catch-up >= {TARGET_CATCH_UP_OF_RAW} of the raw SELECT: {rate(statistics.median(decoded))}, "
        f"{ratio:.2f} ({verdict(ratio, TARGET_CATCH_UP_OF_RAW)}).\n"
    )


def _appends(url: str, master: MasterKey, args: argparse.Namespace) -> None:
    cipher_key = base64.b64encode(os.urandom(32)).decode()
    secrets = {"suivi": master.to_hex(), "raw": "", "eventsourcing": cipher_key}
    results: dict[tuple[int, int], dict[str, list[float]]] = {}
    for writers in args.writers:
        groups = {
            system: WriterGroup(
                [WriterSpec(system, url, i, secrets[system], args.idempotency) for i in range(writers)]
            ).start()
            for system in SYSTEMS
        }
        try:
            for group in groups.values():
                group.ready()
            for group in groups.values():
                group.warm_up(args.events[len(args.events) // 2])
            for rep in range(args.reps):
                for events in args.events:
                    cell = results.setdefault((writers, events), {s: [] for s in SYSTEMS})
                    for system in SYSTEMS[rep % 3 :] + SYSTEMS[: rep % 3]:  # rotate who goes first
                        cell[system].append(groups[system].run(events, args.window))
        finally:
            for group in groups.values():
                group.close()
        asyncio.run(_truncate(url))
    _print_appends(results, args)


def _print_appends(results: dict[tuple[int, int], dict[str, list[float]]], args: argparse.Namespace) -> None:
    keyed = "with" if args.idempotency else "without"
    print("## Appends: personal events (~200-byte msgspec payload, AES-256-GCM), events per second\n")
    print(
        f"Each writer is a separate process with its own connections; every command is {keyed} an "
        "idempotency key and alternately starts a stream or continues one. "
        f"Median of {args.reps} windows of {args.window:g} s; ratios are medians of the ratios "
        "of windows run back to back.\n"
    )
    rows, spreads = [], {s: 0.0 for s in SYSTEMS}
    for (writers, events), cell in results.items():
        medians = {s: statistics.median(v) for s, v in cell.items()}
        for system, values in cell.items():
            spreads[system] = max(spreads[system], spread(values))
        rows.append(
            [
                str(writers),
                str(events),
                rate(medians["suivi"]),
                rate(medians["raw"]),
                rate(medians["eventsourcing"]),
                f"{paired_ratio(cell['suivi'], cell['raw']):.2f}",
                f"{paired_ratio(cell['suivi'], cell['eventsourcing']):.2f}",
            ]
        )
    print(
        table(
            ["writers", "events/cmd", "suivi", "raw INSERT", "eventsourcing", "suivi/raw", "suivi/eventsourcing"], rows
        )
    )
    print("\nLargest spread (max - min) / median of any cell: " + ", ".join(f"{s} {v:.0%}" for s, v in spreads.items()))
    cell = results.get((TARGET_WRITERS, TARGET_EVENTS))
    if cell is not None:
        of_raw = paired_ratio(cell["suivi"], cell["raw"])
        of_es = paired_ratio(cell["suivi"], cell["eventsourcing"])
        print(
            f"\nTargets at {TARGET_WRITERS} writers x {TARGET_EVENTS} events: "
            f"suivi/raw {of_raw:.2f} >= {TARGET_OF_RAW:.2f} ({verdict(of_raw, TARGET_OF_RAW)}); "
            f"suivi/eventsourcing {of_es:.2f} >= {TARGET_OF_EVENTSOURCING:.1f} "
            f"({verdict(of_es, TARGET_OF_EVENTSOURCING)})."
        )


if __name__ == "__main__":
    main()
