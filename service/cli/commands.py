"""What each ``suivi`` command does, with settings given explicitly."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import asyncpg
from litestar import Litestar

from domain.policy import Role
from service.app import Gdpr, create_app
from service.application.context import ApplicationContext
from service.background import background_work
from service.cli import certificates as certificate_commands
from service.cli import gdpr as gdpr_commands
from service.cli.collector import tune_collector
from service.cli.demo import DEMO_STAFF, load_demo
from service.gdpr.retention import RetentionPolicy
from service.gdpr.tools import ErasureTools
from service.http.logging import configure_logging
from service.readmodels.registry import PROJECTION_SCHEMAS, all_projections
from service.readmodels.runner import ProjectionRunner
from service.readmodels.status import projection_states, request_rebuild
from service.settings import Settings, SettingsError
from service.staff.accounts import StaffAccounts
from service.staff.passwords import WeakPasswordError
from service.storage.database import create_pool, database_url
from service.storage.eventstore.tamper import verify, write_checkpoint
from service.storage.keys import master_key
from service.storage.migrations import migrate
from service.storage.runtime import Runtime, open_runtime

HTTP_PROCESS_APP = "service.cli.commands:http_process_app"
HTTP_PROCESS_APP_WITHOUT_PROJECTIONS = "service.cli.commands:http_process_app_without_projections"


def serve(settings: Settings, *, demo: bool, projections: bool = True, workers: int = 1) -> int:
    """Prepare the database once, then serve HTTP from ``workers`` processes on one socket.

    The embedded server (when there is no DATABASE_URL), the migrations, the restore check and
    the demo data happen here, once. With several processes, each builds its own app from the
    environment (``http_process_app``): uvicorn starts them afresh and shares the listening
    socket among them; with one, this process serves. With ``projections``, each process also runs the projections (the
    advisory locks give each projection one owner) and the background work (one process at a
    time does each task); without, ``suivi worker`` processes do.
    """
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    if workers < 1:
        raise SettingsError("--workers must be 1 or more")
    with database_url(settings) as url:
        key = master_key.load(settings.master_key_hex, settings.key_file, create=settings.embedded)
        asyncio.run(_migrate(url))
        # An older backup may have been restored: make every recorded erasure true again first.
        print("suivi: restore check: " + asyncio.run(gdpr_commands.restore_check_at_start(url, key, settings)))
        if demo:
            asyncio.run(_load_demo_if_empty(url, key))
        configure_logging()
        # The HTTP processes find the database as any other ``suivi`` command does: the embedded
        # server's URL is handed down to them (they must not start a server of their own).
        os.environ["DATABASE_URL"] = url
        # Built here first, whatever the number of processes: an app that cannot be built fails
        # now, once, rather than in the supervisor's loop of restarts.
        app = _http_process_app(projections=projections)
        served = HTTP_PROCESS_APP if projections else HTTP_PROCESS_APP_WITHOUT_PROJECTIONS
        config = uvicorn.Config(
            app if workers == 1 else served,
            factory=workers > 1,
            workers=workers,
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
        )
        print(f"suivi: serving on http://{settings.host}:{settings.port} from {workers} process(es)")
        if workers == 1:
            # uvicorn re-raises SIGTERM once it has shut down; exiting through SystemExit
            # (rather than the default handler) lets the embedded server stop with us.
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            uvicorn.Server(config).run()
        else:
            # The supervisor starts the processes, starts again one that dies, and ends them on SIGTERM.
            Multiprocess(config, sockets=[config.bind_socket()]).run()
    return 0


def http_process_app() -> Litestar:
    """The app of one HTTP process, built from the environment ``serve`` leaves (uvicorn's factory)."""
    return _http_process_app(projections=True)


def http_process_app_without_projections() -> Litestar:
    return _http_process_app(projections=False)


def _http_process_app(*, projections: bool) -> Litestar:
    settings = Settings.from_env(os.environ)
    if settings.database_url is None:  # serve sets it before the processes start; another manager must
        raise SettingsError("DATABASE_URL must be set for an HTTP process started on its own")
    configure_logging()  # once per process: a process that uvicorn spawns starts with none
    key = master_key.load(settings.master_key_hex, settings.key_file, create=False)
    factory = partial(
        open_runtime,
        settings.database_url,
        key,
        key_cache_size=settings.key_cache_size,
        poll_interval=settings.poll_interval,
    )
    gdpr = Gdpr(
        ErasureTools.from_settings(settings, key),
        RetentionPolicy.from_settings(settings),
        run_retention_daily=settings.retention_daily,
        settings=settings,
    )
    app = create_app(
        factory,
        gdpr=gdpr,
        run_projections=projections,
        secure_cookies=settings.secure_cookies,
        session_idle=timedelta(minutes=settings.session_idle_minutes),
    )
    tune_collector()
    return app


async def run(arguments: argparse.Namespace, settings: Settings) -> int:
    if arguments.command == "migrate":
        return await _with_url(settings, _migrate_command)
    if arguments.command == "verify":
        return await _with_url(settings, _verify_command)
    if arguments.command == "checkpoint":
        return await _with_url(settings, partial(_checkpoint_command, settings))
    if arguments.command == "staff":
        password = _new_password(arguments.password_stdin)
        return await _with_url(settings, partial(_staff_add_command, arguments, password))
    if arguments.command == "demo":
        return await _with_url(settings, partial(_demo_command, settings))
    if arguments.command == "worker":
        return await _with_url(settings, partial(_worker_command, settings))
    if arguments.command == "projections":
        return await _with_url(settings, partial(_projections_command, settings, arguments))
    if arguments.command in certificate_commands.COMMANDS:
        return await certificate_commands.run(arguments, settings)
    if arguments.command in gdpr_commands.COMMANDS:
        return await gdpr_commands.run(arguments, settings)
    if arguments.command == "keys" and arguments.keys_command == "rotate":
        return await _with_url(settings, partial(_rotate_command, settings, arguments.new_key_file))
    raise AssertionError(f"unhandled command {arguments.command}")


async def _with_url(settings: Settings, action: Callable[[str], Awaitable[int]]) -> int:
    # The embedded server is started (and stopped) around the command.
    with database_url(settings) as url:
        return await action(url)


async def _migrate(url: str) -> list[str]:
    connection = await asyncpg.connect(url)
    try:
        return await migrate(connection)
    finally:
        await connection.close()


async def _migrate_command(url: str) -> int:
    applied = await _migrate(url)
    print("suivi: applied " + ", ".join(applied) if applied else "suivi: the database is up to date")
    return 0


async def _verify_command(url: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        report = await verify(connection)
    finally:
        await connection.close()
    print(f"suivi: checked {report.events} events in {report.streams} streams and {report.checkpoints} checkpoints")
    for finding in report.findings:
        print(f"suivi: TAMPERED ({finding.kind}): {finding.where}")
    if report.intact:
        print("suivi: the event log is intact")
        return 0
    return 1


async def _checkpoint_command(settings: Settings, url: str) -> int:
    key = master_key.load(settings.master_key_hex, settings.key_file, create=False)
    async with _runtime(url, key) as runtime, runtime.pool.acquire() as connection:
        checkpoint = await write_checkpoint(connection, key.signing_key())
    print(f"suivi: signed checkpoint {checkpoint}" if checkpoint else "suivi: nothing new to sign")
    return 0


async def _rotate_command(settings: Settings, new_key_file: Path | None, url: str) -> int:
    old = master_key.load(settings.master_key_hex, settings.key_file, create=False)
    new = master_key.MasterKey.generate()
    target = new_key_file or (None if settings.master_key_hex else settings.key_file)
    staged = None
    if target is not None:
        # Written first, beside the old one: if the database step fails, nothing is lost.
        staged = target.with_name(target.name + ".new")
        master_key.write_key_file(staged, new)
    async with _runtime(url, old) as runtime:
        count = await runtime.keys.rotate(new)
    if staged is not None and target is not None:
        staged.replace(target)
        print(f"suivi: re-wrapped {count} data keys; the new master key is in {target}")
    else:
        print(f"suivi: re-wrapped {count} data keys. Set SUIVI_MASTER_KEY to the new key now:")
        print(new.to_hex())
    return 0


def _new_password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise WeakPasswordError("the two passwords differ")
    return first


async def _staff_add_command(arguments: argparse.Namespace, password: str, url: str) -> int:
    await _migrate(url)
    pool = await create_pool(url, min_size=1, max_size=2)
    try:
        member = await StaffAccounts(pool).create(
            arguments.username, arguments.name, password, [Role(r) for r in arguments.role], datetime.now(UTC)
        )
    finally:
        await pool.close()
    print(f"suivi: created {member.username} ({', '.join(sorted(member.roles))})")
    return 0


async def _demo_command(settings: Settings, url: str) -> int:
    key = master_key.load(settings.master_key_hex, settings.key_file, create=settings.embedded)
    await _migrate(url)
    return await _load_demo_if_empty(url, key)


async def _load_demo_if_empty(url: str, key: master_key.MasterKey) -> int:
    async with _runtime(url, key) as runtime:
        async with runtime.pool.acquire() as connection:
            used = await connection.fetchval("SELECT EXISTS (SELECT 1 FROM events) OR EXISTS (SELECT 1 FROM staff)")
        if used:
            print("suivi: the database already holds data; the demo dataset is only loaded into an empty one")
            return 0
        counts = await load_demo(
            ApplicationContext.from_runtime(runtime), StaffAccounts(runtime.pool), datetime.now(UTC)
        )
    print("suivi: demo dataset loaded: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    print("suivi: sign in as " + ", ".join(f"{u} / {p} ({r})" for u, _, r, p in DEMO_STAFF))
    return 0


async def _worker_command(settings: Settings, url: str) -> int:
    key = master_key.load(settings.master_key_hex, settings.key_file, create=False)
    async with _runtime(url, key) as runtime:
        print("suivi: worker running; stop it with Ctrl-C")
        runner = ProjectionRunner(runtime, await all_projections(runtime.keys))
        besides = background_work(runtime, settings, lambda: datetime.now(UTC))
        tune_collector()
        await asyncio.gather(runner.run_forever(), *(work() for _, work in besides))
    return 0


async def _projections_command(settings: Settings, arguments: argparse.Namespace, url: str) -> int:
    key = master_key.load(settings.master_key_hex, settings.key_file, create=False)
    async with _runtime(url, key) as runtime:
        runner = ProjectionRunner(runtime, await all_projections(runtime.keys))
        if arguments.projections_command == "status":
            states = await projection_states(runtime, PROJECTION_SCHEMAS, stalled_after=settings.ready_max_lag_seconds)
            print(f"{'projection':<18} {'state':<14} {'position':>10} {'lag':>8} {'behind':>8} {'progress':>10}  error")
            for s in states:
                progress = "never" if s.progress_age is None else f"{_age(s.progress_age)} ago"
                print(
                    f"{s.name:<18} {s.state:<14} {s.position:>10} {s.lag:>8} {_age(s.behind_seconds):>8} "
                    f"{progress:>10}  {s.error or ''}"
                )
            return 0
        if arguments.name not in runner.projections:
            print(f"suivi: error: no projection named {arguments.name}; see suivi projections status")
            return 2
        outcome = await request_rebuild(runtime, runner, arguments.name)
        print(f"suivi: projection {arguments.name}: {outcome}")
        return 0


def _age(seconds: float) -> str:
    """A duration as an operator reads it: 0.4s, 12s, 7m, 3h, 2d."""
    if seconds < 10:
        return f"{seconds:.1f}s"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


@contextlib.asynccontextmanager
async def _runtime(url: str, key: master_key.MasterKey) -> AsyncIterator[Runtime]:
    await _migrate(url)
    async with open_runtime(url, key, pool_size=2) as runtime:
        yield runtime
