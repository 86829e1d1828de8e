"""HTTP load: command requests per second and latency at a fixed rate, next to a trivial Litestar app.

Run from the repository root: ``.venv/bin/python -m tests.benchmarks.http_load [--seconds 15 --rate 300]``.

The service runs in its own process (uvicorn serving ``create_app`` on a free 127.0.0.1 port,
on the bench database, projections on, JSON request logs on as in production); so does a
one-handler Litestar app under the same uvicorn settings, the baseline. The load comes from
this process over loopback: a minimal keep-alive HTTP/1.1 client on asyncio streams, because
httpx itself topped out near 450 requests/s on the 2-core machine (setup requests still use
httpx). Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from domain.policy import Role
from service.cli.collector import tune_collector
from service.staff.accounts import StaffAccounts
from service.storage.keys.master_key import MasterKey
from service.storage.runtime import open_runtime
from tests.benchmarks import environment
from tests.benchmarks.report import paired_ratio, rate, spread, table, verdict

TARGET_OF_TRIVIAL, TARGET_P99_TIMES = 0.20, 20.0
"""Commands/s: at least this share of the trivial app's; p99 at a fixed rate: at most this many times its."""
HOST = "127.0.0.1"
PASSWORD = "bench horse battery staple"  # a throw-away account in a throw-away database
NOTE = "Rendez-vous au CPAS de Liège mardi, apporter le bail et les fiches de paie."
_MASTER_ENV = "SUIVI_BENCH_MASTER_KEY"
PROFILE_ENV = "SUIVI_BENCH_PROFILE"

Request = Callable[["Loopback", int], Awaitable[int]]
SERVER_PIDS: list[int] = []
"""The server processes started, latest last (the profiler signals the one it profiles)."""
ERRORS: Counter[int] = Counter()
"""Every answer >= 400 of the run, by status (printed at the end: a 409 is a conflict given up, a 5xx a fault)."""


class Loopback:
    """Keep-alive HTTP/1.1 connections to one 127.0.0.1 port; ``request`` returns the status code."""

    def __init__(self, base: str, connections: int, headers: dict[str, str] | None = None) -> None:
        host, port = base.removeprefix("http://").split(":")
        assert host == HOST, "the load only ever goes to 127.0.0.1"
        self._port = int(port)
        self._size = connections
        self._idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
        self._opened: list[asyncio.StreamWriter] = []
        self._fixed = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())

    async def __aenter__(self) -> Loopback:
        return self

    async def __aexit__(self, *_: object) -> None:
        for writer in self._opened:
            writer.close()
        for writer in self._opened:
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._idle.empty() and len(self._opened) < self._size:
            reader, writer = await asyncio.open_connection(HOST, self._port)
            self._opened.append(writer)
            return reader, writer
        return await self._idle.get()

    async def request(self, method: str, path: str, body: bytes = b"", headers: str = "") -> int:
        head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{self._port}\r\n{self._fixed}{headers}"
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        message = head.encode() + b"\r\n" + body
        for attempt in (1, 2):
            if attempt == 1:
                reader, writer = await self._connection()
            else:
                reader, writer = await asyncio.open_connection(HOST, self._port)
                self._opened.append(writer)
            try:
                status = await self._exchange(reader, writer, message)
            except (asyncio.IncompleteReadError, ConnectionError):
                # The server closed an idle keep-alive connection: open a new one, once.
                writer.close()
                self._opened.remove(writer)
                if attempt == 2:
                    raise
                continue
            self._idle.put_nowait((reader, writer))
            return status
        raise AssertionError("unreachable")

    @staticmethod
    async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, message: bytes) -> int:
        writer.write(message)
        status_line, *lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)}
        if "content-length" in fields:
            await reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding") == "chunked":
            while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
                await reader.readexactly(size + 2)
            await reader.readuntil(b"\r\n")
        return int(status_line.split()[1])


def main(argv: Sequence[str] | None = None) -> None:
    args = _arguments(argv)
    if args.serve:
        _serve(args.serve, args.port, args.workers)
        return
    began = time.perf_counter()
    print("# Suivi HTTP load\n")
    for line in environment.machine():
        print(f"- {line}")
    with environment.bench_database() as (url, where), tempfile.TemporaryDirectory(prefix="suivi-http-") as logs:
        print(f"- {where}")
        print(f"- {asyncio.run(environment.server_facts(url))}")
        master = MasterKey.generate()
        asyncio.run(staff_account(url, master))
        with server("trivial", "", master, Path(logs)) as trivial:
            with server("suivi", url, master, Path(logs)) as suivi:
                print(f"- uvicorn {_uvicorn_facts()}; server processes: suivi on {suivi}, trivial on {trivial}\n")
                token, paths = asyncio.run(_setup(suivi, args))
                print("# One process: HTTP and the projections (`suivi serve`)\n")
                together = "the server's projections run in the same process"
                asyncio.run(_run(suivi, trivial, token, paths, args, together))
            _print_collections(Path(logs), "suivi")
            with server("worker", url, master, Path(logs)), server("suivi-http", url, master, Path(logs)) as apart:
                print("\n# Two processes: HTTP without projections (`--no-projections`), and `suivi worker`\n")
                layout = "the HTTP process runs no projection; a second process keeps them all, as `suivi worker`"
                asyncio.run(_run(apart, trivial, token, paths, args, layout))
            _print_collections(Path(logs), "suivi-http")
            _print_collections(Path(logs), "worker")
            counts = [int(n) for n in args.processes.split(",") if n.strip()]
            if counts:
                _scaling(url, master, Path(logs), trivial, token, paths, counts, args)
    if ERRORS:
        print("\nErrors by status: " + ", ".join(f"{status}: {n}" for status, n in sorted(ERRORS.items())))
    print(f"\nTotal time: {time.perf_counter() - began:.0f} s")


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.http_load", description=__doc__)
    parser.add_argument("--cases", type=int, default=200, help="cases the notes are spread over (default 200)")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight, closed loop (default 32)")
    parser.add_argument("--window", type=float, default=4.0, help="seconds per closed-loop window (default 4)")
    parser.add_argument("--reps", type=int, default=3, help="closed-loop windows per app; medians shown (default 3)")
    parser.add_argument("--rate", type=int, default=300, help="requests/s of the fixed-rate run (default 300)")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of the fixed-rate run (default 15)")
    parser.add_argument("--serve", choices=["suivi", "suivi-http", "worker", "trivial"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument(
        "--processes", default="1,2,4", help="HTTP process counts of the scaling run, e.g. 1,2,4 ('' skips it)"
    )
    return parser.parse_args(argv)


# --- the servers ------------------------------------------------------------------------------------------


def _serve(kind: str, port: int, workers: int) -> None:
    """In the server process: uvicorn as ``suivi serve`` runs it (h11 or httptools, whichever is installed).

    With ``workers`` > 1, uvicorn's supervisor starts that many processes sharing the one socket,
    each building its app from the environment (``suivi_app``), as ``suivi serve --workers N`` does.
    """
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    if os.environ.get(PROFILE_ENV):
        from tests.benchmarks.command_profile import install_counter

        install_counter(Path(os.environ[PROFILE_ENV]))
    if kind != "trivial":
        _record_collections(Path(os.environ["SUIVI_BENCH_LOGS"]) / f"gc-{kind}.json")
    if workers > 1:
        config = uvicorn.Config(
            "tests.benchmarks.http_load:suivi_app",
            factory=True,
            workers=workers,
            host=HOST,
            port=port,
            log_config=None,
            access_log=False,
        )
        Multiprocess(config, sockets=[config.bind_socket()]).run()
        return
    if kind == "worker":
        asyncio.run(_keep_projections())
        return
    app = trivial_app() if kind == "trivial" else suivi_app(run_projections=kind == "suivi")
    config = uvicorn.Config(app, host=HOST, port=port, log_config=None, access_log=False)
    uvicorn.Server(config).run()


def _record_collections(path: Path) -> None:
    """In a server process: the garbage collector's pauses, by generation, written to ``path`` at exit."""
    import atexit
    import gc

    began: list[float] = [0.0]
    pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}

    def timed(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began[0] = time.perf_counter()
        else:
            pauses[info["generation"]].append((time.perf_counter() - began[0]) * 1000)

    gc.callbacks.append(timed)
    atexit.register(lambda: path.write_text(json.dumps(pauses)))
    # uvicorn re-raises the SIGTERM it caught once it has shut down; exit through Python, so atexit runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


def _print_collections(logs: Path, kind: str) -> None:
    path = logs / f"gc-{kind}.json"
    if not path.exists():
        return
    pauses = {int(g): ms for g, ms in json.loads(path.read_text()).items()}
    full = sorted(pauses[2])
    print(
        f"\nThe {kind} process's garbage collector (`service/cli/collector.py`), over the whole run: "
        f"{sum(len(ms) for ms in pauses.values())} collections, {sum(map(sum, pauses.values())):,.0f} ms in all; "
        f"{len(full)} full, the longest {full[-1] if full else 0:.0f} ms."
    )


def trivial_app() -> Any:
    from litestar import Litestar, get

    @get("/ping", sync_to_thread=False)
    def ping() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar([ping], logging_config=None)


def suivi_app(run_projections: bool = True) -> Any:
    """The service as one HTTP process of ``suivi serve`` builds it, on the bench database (from the environment)."""
    from service.app import Gdpr, create_app
    from service.gdpr.retention import RetentionPolicy
    from service.gdpr.tools import ErasureLedgerFile, ErasureSigner, ErasureTools
    from service.http.logging import configure_logging

    url, master = os.environ["SUIVI_BENCH_URL"], MasterKey.from_hex(os.environ[_MASTER_ENV], source="the bench")
    configure_logging()

    async def no_wait(_: float) -> None:
        return None

    ledger = ErasureLedgerFile(Path(os.environ["SUIVI_BENCH_LOGS"]) / "erasures.jsonl")
    gdpr = Gdpr(ErasureTools(ErasureSigner.from_master_key(master), ledger), RetentionPolicy())
    app = create_app(
        partial(open_runtime, url, master),
        gdpr=gdpr,
        run_projections=run_projections,
        secure_cookies=False,
        sign_in_delay=no_wait,
    )
    tune_collector()  # as ``suivi serve`` does
    return app


async def _keep_projections() -> None:
    """As ``suivi worker``: every projection kept up to date, in this process alone (no HTTP)."""
    from service.readmodels.registry import all_projections
    from service.readmodels.runner import ProjectionRunner

    url, master = os.environ["SUIVI_BENCH_URL"], MasterKey.from_hex(os.environ[_MASTER_ENV], source="the bench")
    async with open_runtime(url, master) as runtime:
        runner = ProjectionRunner(runtime, await all_projections(runtime.keys))
        tune_collector()  # as ``suivi worker`` does
        await runner.run_forever()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def server(kind: str, url: str, master: MasterKey, logs: Path, workers: int = 1) -> Iterator[str]:
    port = _free_port()
    log = logs / f"{kind}-{workers}.log"
    env = {**os.environ, "SUIVI_BENCH_URL": url, _MASTER_ENV: master.to_hex(), "SUIVI_BENCH_LOGS": str(logs)}
    command = [sys.executable, "-m", "tests.benchmarks.http_load", "--serve", kind, "--port", str(port)]
    command += ["--workers", str(workers)]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    SERVER_PIDS.append(process.pid)
    base = f"http://{HOST}:{port}"
    try:
        if kind == "worker":  # no HTTP to ask: alive after its start is enough (it catches up in the warm-up)
            time.sleep(2)
            if process.poll() is not None:
                raise RuntimeError(f"the worker stopped:\n{log.read_text()[-3000:]}")
        else:
            _wait_until_up(base, "/ping" if kind == "trivial" else "/health", process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(base: str, path: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base + path, timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the server at {base} did not answer in 60 s:\n{log.read_text()[-3000:]}")


def _uvicorn_facts() -> str:
    import uvicorn

    extras = [name for name in ("httptools", "uvloop") if _importable(name)]
    return f"{uvicorn.__version__}, " + (f"with {' and '.join(extras)}" if extras else "h11 and the asyncio loop")


def _importable(name: str) -> bool:
    try:
        __import__(name)
    except ImportError:
        return False
    return True


async def staff_account(url: str, master: MasterKey) -> None:
    async with open_runtime(url, master, pool_size=2) as runtime:
        await StaffAccounts(runtime.pool).create("bench.worker", "Bench Worker", PASSWORD, [Role.SOCIAL_WORKER], _now())


def _now() -> datetime:
    return datetime.now(UTC)


# --- the load --------------------------------------------------------------------------------------------


async def _setup(suivi: str, args: argparse.Namespace) -> tuple[str, list[str]]:
    """A bearer token, and the note paths of ``args.cases`` open cases (not timed)."""
    async with httpx.AsyncClient(base_url=suivi, timeout=30) as client:
        token = await sign_in(client)
        cases = await open_cases(client, args.cases)
    return token, [f"/cases/{case}/notes" for case in cases]


async def _run(suivi: str, trivial: str, token: str, paths: list[str], args: argparse.Namespace, layout: str) -> None:
    note = _note_request(paths)

    connections = max(args.concurrency, 64)
    async with (
        Loopback(suivi, connections, {"Authorization": f"Bearer {token}"}) as server,
        Loopback(trivial, connections) as baseline,
    ):
        runs: dict[str, tuple[Loopback, Request]] = {
            "trivial Litestar GET /ping (baseline)": (baseline, ping),
            "POST /cases/{id}/notes (command)": (server, note),
        }
        for http, request in runs.values():  # warm-up: connections, prepared statements, key cache
            await _closed_loop(http, request, args.concurrency, 1.0)
        closed: dict[str, list[tuple[float, list[float], int]]] = {name: [] for name in runs}
        for rep in range(args.reps):
            names = list(runs)
            for name in names[rep % 2 :] + names[: rep % 2]:  # alternate who goes first
                closed[name].append(await _closed_loop(*runs[name], args.concurrency, args.window))
        fixed = {name: await _fixed_rate(*runs[name], args.rate, args.seconds) for name in runs}
    _print(closed, fixed, args, len(paths), layout)


def _note_request(paths: list[str]) -> Request:
    body = json.dumps({"text": NOTE}).encode()

    async def note(http: Loopback, n: int) -> int:
        return await http.request("POST", paths[n % len(paths)], body, f"Idempotency-Key: {uuid.uuid4().hex}\r\n")

    return note


async def ping(http: Loopback, n: int) -> int:
    return await http.request("GET", "/ping")


def _scaling(
    url: str,
    master: MasterKey,
    logs: Path,
    trivial: str,
    token: str,
    paths: list[str],
    counts: list[int],
    args: argparse.Namespace,
) -> None:
    """Commands/s with 1, 2, 4 ... HTTP processes on one port (each also running projections), same cases."""
    rates: dict[int, list[float]] = {}
    baseline: dict[int, list[float]] = {}
    for count in counts:
        with server("suivi", url, master, logs, workers=count) as base:
            rates[count], baseline[count] = asyncio.run(_scaling_windows(base, trivial, token, paths, args))
    print(f"\n## Commands/s with several HTTP processes ({', '.join(map(str, counts))})\n")
    print(
        "The same command, closed loop, against N uvicorn processes sharing one port (uvicorn's supervisor, "
        "as `suivi serve --workers N`); each process also runs the projections (one owner each, by advisory "
        f"lock). {args.reps} windows of {args.window:g} s, each after one of the trivial app's; medians. "
        "One client process makes the load, on the same cores.\n"
    )
    first = statistics.median(rates[counts[0]])
    rows = [
        [
            str(count),
            rate(statistics.median(rates[count])),
            f"{statistics.median(rates[count]) / first:.2f}",
            f"{paired_ratio(rates[count], baseline[count]):.2f}",
            f"{spread(rates[count]):.0%}",
        ]
        for count in counts
    ]
    print(table(["HTTP processes", "commands/s", f"vs {counts[0]} process", "vs trivial", "spread"], rows))


async def _scaling_windows(
    base: str, trivial: str, token: str, paths: list[str], args: argparse.Namespace
) -> tuple[list[float], list[float]]:
    note = _note_request(paths)
    connections = max(args.concurrency, 64)
    async with (
        Loopback(base, connections, {"Authorization": f"Bearer {token}"}) as server,
        Loopback(trivial, connections) as baseline,
    ):
        await _closed_loop(server, note, args.concurrency, 1.0)  # warm-up: every process gets connections
        rates, trivial_rates = [], []
        for _ in range(args.reps):
            trivial_rates.append((await _closed_loop(baseline, ping, args.concurrency, args.window))[0])
            rates.append((await _closed_loop(server, note, args.concurrency, args.window))[0])
    return rates, trivial_rates


async def sign_in(client: httpx.AsyncClient) -> str:
    """A bearer token for the bench account; the client sends it from now on."""
    signed_in = await client.post(
        "/auth/sign-in", json={"username": "bench.worker", "password": PASSWORD, "mode": "bearer"}
    )
    signed_in.raise_for_status()
    token = str(signed_in.json()["token"])
    client.headers["Authorization"] = f"Bearer {token}"
    return token


async def open_cases(client: httpx.AsyncClient, count: int) -> list[str]:
    """``count`` people, each with an open case of the signed-in social worker (setup, not timed)."""
    person = {"given_name": "Nadia", "family_name": "Benali", "birth_date": "1988-03-14", "nationality": "MA"}

    async def one(n: int) -> str:
        response = await client.post(
            "/people", json={**person, "family_name": f"Benali{n}"}, headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        assert response.status_code == 201, response.text
        body = {"person_id": response.json()["ids"]["person_id"], "domain": "housing", "summary": "Loyer impayé"}
        response = await client.post("/cases", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
        assert response.status_code == 201, response.text
        return str(response.json()["ids"]["case_id"])

    found: list[str] = []
    for start in range(0, count, 16):
        found += await asyncio.gather(*(one(n) for n in range(start, min(count, start + 16))))
    return found


async def _closed_loop(
    http: Loopback, request: Request, concurrency: int, seconds: float
) -> tuple[float, list[float], int]:
    """(requests/s, latencies in ms, errors): ``concurrency`` workers, each sending as soon as answered."""
    latencies: list[float] = []
    errors = 0
    counter = 0
    started = time.perf_counter()
    end = started + seconds

    async def worker() -> None:
        nonlocal errors, counter
        while time.perf_counter() < end:
            counter += 1
            begin = time.perf_counter()
            status = await request(http, counter)
            if status >= 400:
                errors += 1
                ERRORS[status] += 1
            if time.perf_counter() <= end:
                latencies.append((time.perf_counter() - begin) * 1000)

    await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(concurrency))), seconds + 30)
    return len(latencies) / seconds, latencies, errors


async def _fixed_rate(
    http: Loopback, request: Request, per_second: int, seconds: float
) -> tuple[float, list[float], int]:
    """(requests/s achieved, latencies in ms, errors) of an open loop: request i is due at i / rate.

    Latency runs from when a request was due, not from when it was sent, so a client or
    server falling behind shows up in the figures (no coordinated omission).
    """
    latencies: list[float] = []
    errors = 0
    total = int(per_second * seconds)
    started = time.perf_counter()

    async def one(n: int, due: float) -> None:
        nonlocal errors
        status = await request(http, n)
        latencies.append((time.perf_counter() - due) * 1000)
        if status >= 400:
            errors += 1
            ERRORS[status] += 1

    tasks = []
    for n in range(total):
        due = started + n / per_second
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(one(n, due)))
    await asyncio.wait_for(asyncio.gather(*tasks), 60)
    return total / (time.perf_counter() - started), latencies, errors


def _pct(samples: Sequence[float], percent: int) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def _print(
    closed: dict[str, list[tuple[float, list[float], int]]],
    fixed: dict[str, tuple[float, list[float], int]],
    args: argparse.Namespace,
    cases: int,
    layout: str,
) -> None:
    names = list(closed)
    baseline_rates = [r for r, _, _ in closed[names[0]]]
    print("## Throughput, closed loop\n")
    print(
        f"{args.concurrency} requests in flight from one client process (asyncio, keep-alive connections), "
        f"{args.reps} windows of {args.window:g} s per app, alternating; medians. The command adds a note "
        f"(Idempotency-Key, ~80 characters) to one of {cases} open cases in turn: it loads the case, decides, "
        f"appends (encrypted) and answers; {layout}. The baseline is "
        "a one-handler Litestar app under the same uvicorn.\n"
    )
    rows = []
    for name, windows in closed.items():
        rates = [r for r, _, _ in windows]
        latencies = [x for _, lat, _ in windows for x in lat]
        rows.append(
            [
                name,
                rate(statistics.median(rates)),
                f"{paired_ratio(rates, baseline_rates):.2f}",
                f"{spread(rates):.0%}",
                f"{_pct(latencies, 50):.1f}",
                f"{_pct(latencies, 99):.1f}",
                str(sum(e for _, _, e in windows)),
            ]
        )
    print(table(["endpoint", "requests/s", "vs baseline", "spread", "p50 ms", "p99 ms", "errors"], rows))
    of_trivial = paired_ratio([r for r, _, _ in closed[names[1]]], baseline_rates)
    met = verdict(of_trivial, TARGET_OF_TRIVIAL)
    print(f"\nTarget: commands/s >= {TARGET_OF_TRIVIAL:.2f} of the trivial app's: {of_trivial:.2f} ({met}).\n")
    print(f"## Latency at a fixed rate of {args.rate} requests/s for {args.seconds:g} s\n")
    print(
        "Open loop: request i is sent when due (i / rate) whatever the answers, and its latency counts "
        "from when it was due.\n"
    )
    rows = [
        [
            name,
            rate(achieved),
            f"{_pct(lat, 50):.1f}",
            f"{_pct(lat, 90):.1f}",
            f"{_pct(lat, 99):.1f}",
            f"{max(lat):.1f}",
            str(errors),
        ]
        for name, (achieved, lat, errors) in fixed.items()
    ]
    print(table(["endpoint", "requests/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors"], rows))
    p99, trivial_p99 = _pct(fixed[names[1]][1], 99), _pct(fixed[names[0]][1], 99)
    times = p99 / trivial_p99
    met = "met" if times <= TARGET_P99_TIMES else f"MISSED by {times / TARGET_P99_TIMES - 1:.0%}"
    print(
        f"\nTarget: command p99 <= {TARGET_P99_TIMES:g}x the trivial app's at {args.rate} requests/s: "
        f"{p99:.1f} ms vs {trivial_p99:.1f} ms, {times:.1f}x ({met})."
    )


if __name__ == "__main__":
    main()
