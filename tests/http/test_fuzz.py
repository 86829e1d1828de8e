"""Property-based fuzzing of every endpoint in /schema, signed in as each role, with every check.

The service runs for real (uvicorn in its own process, on its own database); the schemathesis
CLI (``--checks all``: every phase, every check) generates valid and invalid requests from the
OpenAPI document and compares each answer with what the document says: status codes, media
types, bodies and headers, 405 with ``Allow``, valid data accepted and invalid data refused. A
schema-valid request may still meet a rule of the domain (410, 422 rule-broken, 423), never a
refusal of its shape (``fuzz_hooks.py``). The number of examples per operation is bounded and
generation is deterministic, so that a run is short and repeatable.

The coverage phase (every boundary and every wrong type of every field, about 50 requests an
operation) is what takes the time. A role that may not use an operation is refused before its
input is read, so that phase would only meet the same 403 fifty times; and the input's shape is
checked alike for every role that may. So each operation's coverage phase runs once, as the first
role in ``ROLES_IN_TURN`` that the authorisation matrix lets use it, and every role runs the other
phases (examples, fuzzing, stateful) on all the operations.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest

from domain.policy import Role
from service.staff.accounts import StaffAccounts
from service.storage.keys.master_key import MasterKey
from tests.conftest import _drop, clone_database, with_database
from tests.http.conftest import ROLES
from tests.http.test_authorisation_matrix import ENDPOINTS, PUBLIC

EXAMPLES_PER_ENDPOINT = int(os.environ.get("SUIVI_FUZZ_EXAMPLES", "2"))
HOOKS = Path(__file__).with_name("fuzz_hooks.py")
CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "410", "422", "423", "429"]
"""
"""Valid data may meet a rule of the domain; ``fuzz_hooks`` checks that a 422 is one."""
PASSWORD = "fuzzing password 2026"
ROLES_IN_TURN = [str(r) for r in Role] + ["anonymous"]
EVERY_PHASE = "examples,coverage,fuzzing,stateful"
WITHOUT_COVERAGE = "examples,fuzzing,stateful"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(
    server_url: str, template_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, str]]]:
    """A running Suivi with staff in every role; yields its URL and a bearer token per role.

    Each role has a second token, ``<role>:sign-out``, for the run that fuzzes signing out.
    """
    name = f"suivi_fuzz_{uuid.uuid4().hex[:8]}"
    database = with_database(server_url, name)

    async def prepare() -> None:
        admin = await asyncpg.connect(server_url)
        await clone_database(admin, name, template_database)
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
            for name in (str(role), f"{role}:sign-out"):
                answer = httpx.post(
                    f"{base}/auth/sign-in", json={"username": f"fuzz.{role}", "password": PASSWORD, "mode": "bearer"}
                )
                tokens[name] = answer.json()["token"]
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


@pytest.mark.timeout(600)
@pytest.mark.parametrize("role", ROLES_IN_TURN)
def test_every_endpoint_answers_as_the_document_says_for_every_role(live_server, role: str, tmp_path: Path) -> None:
    base, tokens = live_server
    covered = [f"--include-name={name}" for name in _covered_as(role, _operations(base))]
    others = [option.replace("--include-", "--exclude-", 1) for option in covered]
    # Signing out would end the session the other requests need: it has a run of its own.
    reports = [_fuzz(base, tokens.get(role), tmp_path / "others", WITHOUT_COVERAGE, *others, *_NOT_SIGN_OUT)]
    if covered:
        reports.append(_fuzz(base, tokens.get(role), tmp_path / "covered", EVERY_PHASE, *covered))
    if role != "anonymous":
        signed_out = _fuzz(base, tokens[f"{role}:sign-out"], tmp_path / "sign-out", EVERY_PHASE, *_SIGN_OUT)
        assert signed_out["test_cases"]["generated"] > 0
    assert all(report["test_cases"]["generated"] > 0 for report in reports)


_SIGN_OUT = ("--include-name=POST /auth/sign-out",)
_NOT_SIGN_OUT = ("--exclude-name=POST /auth/sign-out",)


def _operations(base: str) -> list[tuple[str, str]]:
    document = httpx.get(f"{base}/schema/openapi.json").json()
    verbs = {"get", "post", "put", "patch", "delete"}
    return [(method.upper(), path) for path, item in document["paths"].items() for method in item if method in verbs]


def _covered_as(role: str, operations: list[tuple[str, str]]) -> list[str]:
    """Names ("POST /people") of the operations whose coverage phase runs as ``role``: those it is
    the first in ``ROLES_IN_TURN`` to be allowed to use (signing out has a run of its own)."""
    return [
        f"{method} {path}"
        for method, path in operations
        if (method, path) != ("POST", "/auth/sign-out")
        and next(r for r in ROLES_IN_TURN if r == "anonymous" or _usable(r, method, path)) == role
    ]


def _usable(role: str, method: str, path: str) -> bool:
    """By the authorisation matrix; an operation it does not list counts as usable by every role
    (signing in, a calendar feed read by its secret), or by the DPO alone for the DPO's own routes."""
    template = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
    listed = [e for e in ENDPOINTS if e.method == method and template.match(e.path.split("?")[0])]
    if listed:
        return any(_may(role, endpoint.allowed) for endpoint in listed)
    return role == "dpo" or not path.startswith("/dpo/")


def _may(role: str, allowed: frozenset[str] | str) -> bool:
    if allowed == PUBLIC:
        return True
    return role != "anonymous" and any(ROLES[name] == role for name in allowed)


def _fuzz(base: str, token: str | None, directory: Path, phases: str, *selection: str) -> dict[str, object]:
    """Run ``schemathesis run --checks all`` and fail with its findings; answer the JSON report."""
    directory.mkdir(parents=True, exist_ok=True)
    config, report_path = directory / "schemathesis.toml", directory / "report.json"
    config.write_text(CONFIG)
    command = [str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(config), "--no-color"]
    command += ["run", f"{base}/schema/openapi.json", "--checks", "all", "--phases", phases, *selection]
    # One worker: Hypothesis reading its strategies' source in several threads at once trips CPython 3.11.
    command += ["--max-examples", str(EXAMPLES_PER_ENDPOINT), "--generation-deterministic", "--workers", "1"]
    command += ["--request-timeout", "20"]
    command += ["--report", "json", "--report-json-path", str(report_path)]
    if token is not None:
        command += ["-H", f"Authorization: Bearer {token}"]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS)}
    # In its own directory, where schemathesis keeps the crashes it would replay first next time.
    run = subprocess.run(command, env=env, cwd=directory, capture_output=True, text=True, timeout=540, check=False)
    output = run.stdout + run.stderr
    assert report_path.exists(), output[-5000:]
    report: dict[str, object] = json.loads(report_path.read_text())
    found = output[output.find("= FAILURES =") :] if "= FAILURES =" in output else output
    assert report["failures"] == [] and report["errors"] == [], found[:20000]
    assert run.returncode == 0, output[-5000:]
    return report
