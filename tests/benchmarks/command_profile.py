"""Where one HTTP command's time goes: cProfile of the server process, and its round trips to PostgreSQL.

Run from the repository root: ``.venv/bin/python -m tests.benchmarks.command_profile [--requests 2000]``.

The service runs as in ``http_load`` (uvicorn, its own process, projections on), under cProfile, with
every asyncpg call counted and timed by the statement it runs. The client sends ``--requests`` notes
(Idempotency-Key, 16 in flight) after a warm-up, and only those are profiled and counted (it tells
the server when to start, by SIGUSR1); the server's figures are divided by that number.
CPU shares come from cProfile (a coroutine's time counts only while it runs, never while it awaits);
round trips and their wall time from the asyncpg counter.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import re
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from service.storage.keys.master_key import MasterKey
from tests.benchmarks import environment, http_load
from tests.benchmarks.report import table

# What each stage of the command is, as the functions cProfile names (file fragment, function name).
# Their cumulative CPU time; each is nested in the one before only where noted.
STAGES: list[tuple[str, str, str]] = [
    ("session and principal lookup", "service/http/deps.py", "principal_of"),
    ("idempotency check (earlier_result)", "eventstore/store.py", "earlier_result"),
    ("aggregate load (Repository.get: read, decrypt, decode, mutate)", "storage/repository.py", "get"),
    ("decide (authorise, domain, whole step incl. loads)", "application/cases.py", "decide"),
    ("seal (encrypt, hash chain)", "eventstore/store.py", "_seal"),
    ("append (store.append, incl. seal)", "eventstore/store.py", "append"),
    ("execute (whole command, incl. the above but the principal)", "application/running.py", "execute"),
    ("freshness header (_after_writes)", "service/app.py", "_after_writes"),
    ("projections (run in the same process)", "readmodels/runner.py", "_apply"),
    ("request log middleware", "http/logging.py", "request_log_middleware"),
]


def install_counter(path: Path) -> None:
    """In the server process: count and time every asyncpg statement, and profile until exit."""
    import atexit

    import asyncpg

    counts: Counter[str] = Counter()
    seconds: Counter[str] = Counter()

    def wrap(name: str) -> None:
        original = getattr(asyncpg.Connection, name)

        async def counted(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            key = _shape(query)
            begin = time.perf_counter()
            try:
                return await original(self, query, *args, **kwargs)
            finally:
                counts[key] += 1
                seconds[key] += time.perf_counter() - begin

        setattr(asyncpg.Connection, name, counted)

    for name in ("fetch", "fetchrow", "fetchval", "execute", "executemany"):
        wrap(name)
    profiler = cProfile.Profile()

    def start(*_: object) -> None:
        """SIGUSR1, sent by the client after its warm-up: from now on, and only from now on."""
        counts.clear()
        seconds.clear()
        profiler.enable()

    signal.signal(signal.SIGUSR1, start)

    def dump() -> None:
        profiler.disable()
        profiler.dump_stats(str(path) + ".prof")
        path.with_suffix(".sql.json").write_text(
            json.dumps({k: [counts[k], seconds[k]] for k in counts}, ensure_ascii=False)
        )

    atexit.register(dump)
    # uvicorn re-raises the SIGTERM it caught once it has shut down; exit through Python, so atexit runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


def _shape(query: str) -> str:
    return re.sub(r"\s+", " ", query).strip()[:90]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.command_profile", description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--cases", type=int, default=50)
    parser.add_argument("--keep", type=Path, help="copy the server's cProfile file here, for pstats")
    args = parser.parse_args(argv)
    with environment.bench_database() as (url, where), tempfile.TemporaryDirectory(prefix="suivi-prof-") as logs:
        print(f"- {where}")
        master = MasterKey.generate()
        asyncio.run(http_load.staff_account(url, master))
        target = Path(logs) / "server"
        os.environ[http_load.PROFILE_ENV] = str(target)
        try:
            with http_load.server("suivi", url, master, Path(logs)) as base:
                sent = asyncio.run(_load(base, args))
        finally:
            del os.environ[http_load.PROFILE_ENV]
        _print(target, sent)
        if args.keep:
            shutil.copyfile(str(target) + ".prof", args.keep)


async def _load(base: str, args: argparse.Namespace) -> int:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        token = await http_load.sign_in(client)
        cases = await http_load.open_cases(client, args.cases)
    paths = [f"/cases/{case}/notes" for case in cases]
    body = json.dumps({"text": http_load.NOTE}).encode()
    async with http_load.Loopback(base, 16, {"Authorization": f"Bearer {token}"}) as http:
        counter = iter(range(10**9))

        async def worker(total: int) -> None:
            for _ in range(total):
                n = next(counter)
                headers = f"Idempotency-Key: {uuid.uuid4().hex}\r\n"
                status = await http.request("POST", paths[n % len(paths)], body, headers)
                assert status == 201, status

        await asyncio.gather(*(worker(20) for _ in range(16)))  # warm-up: not profiled
        os.kill(http_load.SERVER_PIDS[-1], signal.SIGUSR1)
        await asyncio.sleep(0.2)
        began = time.perf_counter()
        await asyncio.gather(*(worker(args.requests // 16) for _ in range(16)))
        elapsed = time.perf_counter() - began
    sent = 16 * (args.requests // 16)
    print(f"- {sent} notes in {elapsed:.1f} s: {sent / elapsed:,.0f} commands/s under the profiler\n")
    return sent


_LAYERS = [
    ("uvicorn", "uvicorn (HTTP server)"),
    ("h11", "h11 (HTTP parsing)"),
    ("litestar", "Litestar (routing, DI, serialisation)"),
    ("asyncpg", "asyncpg (driver)"),
    ("asyncio", "asyncio (event loop)"),
    ("/selectors", "asyncio (event loop)"),
    ("eventsourcing", "eventsourcing (aggregates)"),
    ("cryptography", "cryptography (AES-GCM)"),
    ("/service/readmodels", "Suivi read models (projections)"),
    ("/projections/", "Suivi read models (projections)"),
    ("/service/http", "Suivi HTTP layer"),
    ("/service/storage", "Suivi event store"),
    ("/service/application", "Suivi application"),
    ("/domain/", "Suivi domain"),
    ("/service/", "Suivi, other"),
    ("tests/benchmarks", "the profiler's own counter"),
]


def _layer(file: str, name: str) -> str:
    if name == "<method 'send' of '_socket.socket' objects>":
        return "socket send (wakes the receiving process: PostgreSQL or the client)"
    for fragment, layer in _LAYERS:
        if fragment in file:
            return layer
    return "Python built-ins, C extensions (msgspec, hashlib, socket ...)" if file == "~" else "other Python"


def _print(target: Path, requests: int) -> None:
    stats = pstats.Stats(str(target) + ".prof")
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, Any]] = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for (_, _, tt, _, _) in raw.values())
    rows = []
    for label, fragment, function in STAGES:
        cumulative = sum(
            ct for (file, _, name), (_, _, _, ct, _) in raw.items() if name == function and fragment in file
        )
        rows.append([label, f"{cumulative / requests * 1e6:,.0f}", f"{cumulative / total:.0%}"])
    print(f"CPU of the server process per request ({total / requests * 1e6:,.0f} µs in all, {requests} requests):\n")
    print(table(["stage", "µs/request", "share of CPU"], rows))
    print("\nThe same CPU by where the code is (own time, not cumulative):\n")
    layers: Counter[str] = Counter()
    for (file, _, name), (_, _, tt, _, _) in raw.items():
        layers[_layer(file, name)] += tt
    rows = [[layer, f"{tt / requests * 1e6:,.0f}", f"{tt / total:.0%}"] for layer, tt in layers.most_common()]
    print(table(["code", "µs/request", "share of CPU"], rows))
    others: Counter[str] = Counter()
    for (file, _, name), (_, _, tt, _, _) in raw.items():
        if _layer(file, name) in ("other Python", "Python built-ins, C extensions (msgspec, hashlib, socket ...)"):
            others[f"{file.rsplit('/', 2)[-2:]!s} {name}" if file != "~" else name] += tt
    print("\nOf which, the largest (own time):\n")
    rows = [[what[:90], f"{tt / requests * 1e6:,.0f}"] for what, tt in others.most_common(15)]
    print(table(["function", "µs/request"], rows))
    sql = json.loads(target.with_suffix(".sql.json").read_text())
    print("\nRound trips to PostgreSQL per request, by statement:\n")
    ordered = sorted(sql.items(), key=lambda kv: -kv[1][0])
    rows = [
        [query, f"{count / requests:.2f}", f"{seconds / count * 1e3:.2f}"]
        for query, (count, seconds) in ordered
        if count / requests >= 0.01
    ]
    print(table(["statement", "per request", "ms each (wall)"], rows))
    print(f"\nIn all: {sum(c for c, _ in sql.values()) / requests:.2f} round trips per request.")
    print("\nTop functions by own time:\n")
    stats.sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
