"""Real Suivi processes for the tests of several processes and of a failover: ``suivi serve`` and ``suivi worker``.

Each runs as a subprocess (``python -m service.cli``), its log in a file (a pipe nobody reads would
fill up and stall it), on the DATABASE_URL and master key the test gives.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx

from domain.policy import Role
from service.staff.accounts import StaffAccounts

PASSWORD = "processes test password 2026"
PERSON = {"given_name": "Awa", "family_name": "Diallo", "birth_date": "1990-05-02"}


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    base: str | None = None
    """Where it serves HTTP (None for a worker)."""

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(url: str, key_hex: str, data_dir: Path, **more: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SUIVI_MASTER_KEY": key_hex,
        "SUIVI_ENVIRONMENT": "development",
        "SUIVI_DATA_DIR": str(data_dir),  # shared: the erasure ledger file is the deployment's one
        "SUIVI_POLL_INTERVAL": "0.2",
        **more,
    }


def start(name: str, arguments: list[str], env: dict[str, str], logs: Path, port: int | None = None) -> Process:
    log_path = logs / f"{name}.log"
    with log_path.open("wb") as log:
        popen = subprocess.Popen(
            [sys.executable, "-m", "service.cli", *arguments],
            env={**env, **({"SUIVI_PORT": str(port)} if port else {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: ending it ends the HTTP processes it started
        )
    return Process(name, popen, log_path, f"http://127.0.0.1:{port}" if port else None)


def end(process: Process) -> None:
    if process.popen.poll() is None:
        os.killpg(process.popen.pid, signal.SIGTERM)
    try:
        process.popen.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.popen.pid, signal.SIGKILL)
        process.popen.wait()


async def until(condition: Callable[[], Awaitable[bool] | bool], *, deadline: float, what: str) -> float:
    """Wait until ``condition`` holds, at most ``deadline`` seconds; returns when it first held."""
    ends = time.monotonic() + deadline
    while True:
        outcome = condition()
        if not isinstance(outcome, bool):
            outcome = await outcome
        if outcome:
            return time.monotonic()
        if time.monotonic() > ends:
            raise AssertionError(f"not within {deadline} s: {what}")
        await asyncio.sleep(0.05)


async def answers(process: Process, path: str = "/health") -> bool:
    if process.popen.poll() is not None:
        raise AssertionError(f"{process.name} stopped:\n{process.log_tail()}")
    try:
        async with httpx.AsyncClient(base_url=process.base or "", timeout=5) as client:
            return (await client.get(path)).status_code == 200
    except httpx.TransportError:
        return False


async def add_staff(url: str, username: str, role: Role) -> None:
    pool = await asyncpg.create_pool(url, min_size=1, max_size=1)
    assert pool is not None
    try:
        await StaffAccounts(pool).create(username, username, PASSWORD, [role], datetime.now(UTC))
    finally:
        await pool.close()


async def sign_in(base: str, username: str) -> str:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        response = await client.post(
            "/auth/sign-in", json={"username": username, "password": PASSWORD, "mode": "bearer"}
        )
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


def idempotency() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def person_with_case(client: httpx.AsyncClient) -> tuple[str, str, str]:
    """A new person's id and file number, and a case opened for them."""
    person = await client.post("/people", json=PERSON, headers=idempotency())
    assert person.status_code == 201, person.text
    person_id, file_number = person.json()["ids"]["person_id"], person.json()["ids"]["file_number"]
    case = await client.post(
        "/cases",
        json={"person_id": person_id, "domain": "housing", "summary": "Suivi à plusieurs processus"},
        headers=idempotency(),
    )
    assert case.status_code == 201, case.text
    return person_id, file_number, case.json()["ids"]["case_id"]


async def serving(
    url: str, key_hex: str, data_dir: Path, logs: Path, *, workers: int = 1, projections: bool = False
) -> Process:
    """``suivi serve --workers N`` on a free port, once it answers (for benchmarks too); stop it with ``end``.

    The N processes share the port: the kernel hands each new connection to one of them, so a load
    spreads over them only if it comes over several connections (at least a few per process).
    """
    arguments = ["serve", "--workers", str(workers), *([] if projections else ["--no-projections"])]
    process = start(f"serve-{workers}", arguments, environment(url, key_hex, data_dir), logs, port=free_port())
    try:
        await until(lambda: answers(process), deadline=120, what=f"suivi serve --workers {workers} answering")
    except BaseException:
        end(process)
        raise
    return process
