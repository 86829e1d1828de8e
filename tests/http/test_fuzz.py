"""Property-based fuzzing of every endpoint in /schema, signed in as each role: no request gets a 500.

The service runs for real (uvicorn in its own process, on its own database); schemathesis
generates valid and invalid requests from the OpenAPI document. The number of examples per
endpoint is bounded so that the run stays short.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from domain.policy import Role
from service.staff.accounts import StaffAccounts
from service.storage.keys.master_key import MasterKey
from tests.conftest import _drop, with_database

EXAMPLES_PER_ENDPOINT = int(os.environ.get("SUIVI_FUZZ_EXAMPLES", "5"))
PASSWORD = "fuzzing password 2026"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(
    server_url: str, template_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, str]]]:
    """A running Suivi with staff in every role; yields its URL and a bearer token per role."""
    name = f"suivi_fuzz_{uuid.uuid4().hex[:8]}"
    database = with_database(server_url, name)

    async def prepare() -> None:
        admin = await asyncpg.connect(server_url)
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')
        await admin.close()
        pool = await asyncpg.create_pool(database, min_size=1, max_size=2)
        assert pool is not None
        for role in Role:
            await StaffAccounts(pool).create(f"fuzz.{role}", f"Fuzz {role}", PASSWORD, [role], _now())
        await pool.close()

    asyncio.run(prepare())
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "SUIVI_MASTER_KEY": MasterKey.generate().to_hex(),
        "SUIVI_PORT": str(port),
        "SUIVI_ENVIRONMENT": "development",
    }
    # The server's log goes to a file: a pipe nobody reads would fill up and stall the server.
    log_path = tmp_path_factory.mktemp("fuzz") / "server.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve"], env=env, stdout=subprocess.DEVNULL, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        tokens = {}
        for role in Role:
            answer = httpx.post(
                f"{base}/auth/sign-in", json={"username": f"fuzz.{role}", "password": PASSWORD, "mode": "bearer"}
            )
            tokens[str(role)] = answer.json()["token"]
        yield base, tokens
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
        asyncio.run(_drop(server_url, name))
    errors = log_path.read_text()
    assert "Traceback" not in errors and '"level": "error"' not in errors, errors[-3000:]


def _now() -> datetime:
    return datetime.now(UTC)


def _wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server stopped before answering /health")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError("the server did not start within 60 s")


@pytest.mark.parametrize("role", [str(r) for r in Role] + ["anonymous"])
def test_no_request_from_any_role_gets_a_server_error(live_server, role: str) -> None:
    base, tokens = live_server
    schema = schemathesis.openapi.from_url(f"{base}/schema/openapi.json")
    headers = {} if role == "anonymous" else {"Authorization": f"Bearer {tokens[role]}"}
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES_PER_ENDPOINT,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        @given(
            case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
            | operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
        )
        def exercise(case: schemathesis.Case) -> None:
            if role != "anonymous" and "/auth/sign-out" in case.path:
                return  # signing out would end the session the other requests need
            response = case.call(base_url=base, headers={**(case.headers or {}), **headers}, timeout=20)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.path} -> {response.status_code}: {response.text[:200]}")

        exercise()
    assert failures == []
