"""An app on a fresh database, staff in every role, and clients signed in as each."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from domain.policy import Role
from service.app import Gdpr, create_app
from service.gdpr.retention import RetentionPolicy
from service.gdpr.tools import ErasureLedgerFile, ErasureSigner, ErasureTools
from service.readmodels.registry import all_projections
from service.readmodels.runner import ProjectionRunner
from service.staff.accounts import StaffAccounts
from service.storage.runtime import Runtime, open_runtime

PASSWORD = "correct horse battery"
ROLES = {
    "social_worker": Role.SOCIAL_WORKER,
    "other_social_worker": Role.SOCIAL_WORKER,
    "trainer": Role.TRAINER,
    "helper": Role.OFFICE_HOURS_HELPER,
    "dpo": Role.DPO,
    "admin": Role.ADMIN,
}


async def no_wait(_: float) -> None:
    return None


@dataclass
class Api:
    """A client signed in with a bearer token, for one role."""

    client: AsyncTestClient[Litestar]
    token: str
    staff_id: str

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return await self.client.request(method, url, headers=headers, **kwargs)

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", url, **kwargs)


@pytest.fixture
def gdpr(master_key, tmp_path) -> Gdpr:
    tools = ErasureTools(ErasureSigner.from_master_key(master_key), ErasureLedgerFile(tmp_path / "erasures.jsonl"))
    return Gdpr(tools, RetentionPolicy())


class _RunningTest:
    """What the shared app reads each time it starts: the running test's database, key, clock and GDPR tools.

    Building the app costs half a second of CPU (Litestar parses every handler's signature), and
    hundreds of tests want the same one. Each of them starts it (its lifespan opens the test's own
    runtime) on its own database; nothing of one test's outlives its lifespan but the metrics.
    """

    open_runtime: Any = None
    clock: Any = None
    gdpr: Gdpr | None = None

    @property
    def tools(self) -> ErasureTools:
        assert self.gdpr is not None
        return self.gdpr.tools

    @property
    def retention(self) -> RetentionPolicy:
        assert self.gdpr is not None
        return self.gdpr.retention

    @property
    def run_retention_daily(self) -> bool:
        assert self.gdpr is not None
        return self.gdpr.run_retention_daily

    @property
    def settings(self) -> Any:
        assert self.gdpr is not None
        return self.gdpr.settings


_running = _RunningTest()


@functools.cache
def _shared_app() -> Litestar:
    return create_app(
        lambda: _running.open_runtime(),
        gdpr=_running,  # type: ignore[arg-type]  (read at each start, like a Gdpr)
        run_projections=False,
        clock=lambda: _running.clock(),
        secure_cookies=False,
        sign_in_delay=no_wait,
    )


@pytest.fixture
def app(database_url: str, master_key, clock, gdpr) -> Litestar:
    """The app on this test's database (one app per process, started for each test: see ``_RunningTest``)."""
    _running.open_runtime = partial(open_runtime, database_url, master_key, clock=clock)
    _running.clock, _running.gdpr = clock, gdpr
    return _shared_app()


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app) as test_client:
        yield test_client


@pytest.fixture
def runtime_of(runtime: Runtime):
    """The test's own runtime on the app's database (the app runs its own on another event loop)."""

    def get() -> Runtime:
        return runtime

    return get


@pytest.fixture
async def staff(client, runtime_of, clock) -> dict[str, Api]:
    accounts = StaffAccounts(runtime_of().pool)
    signed_in = {}
    for name, role in ROLES.items():
        member = await accounts.create(
            name.replace("_", "."), name.replace("_", " ").title(), PASSWORD, [role], clock()
        )
        response = await client.post(
            "/auth/sign-in", json={"username": member.username, "password": PASSWORD, "mode": "bearer"}
        )
        assert response.status_code == 200, response.text
        signed_in[name] = Api(client, response.json()["token"], str(member.staff_id))
    return signed_in


@pytest.fixture
def project(runtime_of):
    """Bring every read model up to date (the app under test runs no projections of its own)."""

    async def catch_up() -> None:
        runtime = runtime_of()
        runner = ProjectionRunner(runtime, await all_projections(runtime.keys))
        for name in runner.projections:
            await runner.catch_up(name)

    return catch_up
