from __future__ import annotations

import pytest

from service.projection_runner import ProjectionRunner
from service.read_models import all_projections
from service.repository import Repository
from service.runtime import Runtime


@pytest.fixture
def repository(runtime: Runtime) -> Repository:
    return Repository(runtime.store)


@pytest.fixture
async def runner(runtime: Runtime) -> ProjectionRunner:
    return ProjectionRunner(runtime, await all_projections(runtime.keys))


async def catch_up_all(runner: ProjectionRunner) -> None:
    for name in runner.projections:
        await runner.catch_up(name)
