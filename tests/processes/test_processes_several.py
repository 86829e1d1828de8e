"""Several Suivi processes on one PostgreSQL, under load: what each keeps per process stays right across them.

Real subprocesses on the test's database: HTTP process A is ``suivi serve --workers 2`` (two
uvicorn processes on one port), HTTP process B is a plain ``suivi serve``, both with
``--no-projections``; two ``suivi worker`` processes keep the read models. Several clients add
notes at once, each alternating between A and B, to a case of their own and to one case they all
share (so appends race on one stream from different processes), retrying a refused note with the
same Idempotency-Key. Meanwhile a follower in the test reads the log as it grows. Then:

- every acknowledged note is in the log exactly once, and the follower saw every event of the log,
  each once, in the log's order (no event lost to a late commit, none read twice);
- each projection has exactly one owner (one advisory lock held, by a worker);
- the hash chains are intact (``suivi verify``): the per-process head-hash cache never chained an
  event to a hash that another process had superseded;
- an erasure made through A is seen by B at once: B, whose key cache held the person's key (it had
  just read the file), answers 410 Gone, and so does A;
- failed sign-ins alternating between A and B lock the account at the same count as one process:
  one failure short of it, the right password still opens a session; at it, neither process does;
- a session opened on A is good on B, and once signed out on A it is refused on B too.

Nothing is asserted about time; every wait is for a condition, with a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from domain.policy import Role
from service.readmodels.registry import PROJECTION_SCHEMAS
from service.readmodels.runner import lock_key
from service.staff.accounts import LOCK_AFTER
from service.staff.sessions import RECENT
from service.storage.eventstore.subscription import follow
from service.storage.keys.master_key import MasterKey
from service.storage.runtime import Runtime, open_runtime
from tests.processes.suivi_processes import (
    PASSWORD,
    Process,
    add_staff,
    answers,
    end,
    environment,
    free_port,
    idempotency,
    person_with_case,
    sign_in,
    start,
    until,
)

pytestmark = pytest.mark.slow

CLIENTS = 4
NOTES_PER_CLIENT = 24  # half to the client's own case, half to the shared one


@pytest.fixture
async def deployment(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[dict[str, Process], str, MasterKey]]:
    for username, role in [
        ("sw", Role.SOCIAL_WORKER),
        ("dpo", Role.DPO),
        ("near", Role.OFFICE_HOURS_HELPER),
        ("over", Role.OFFICE_HOURS_HELPER),
    ]:
        await add_staff(database_url, username, role)
    key = MasterKey.generate()
    env = environment(database_url, key.to_hex(), tmp_path / "suivi")
    logs = tmp_path
    processes = {
        "A": start("A", ["serve", "--no-projections", "--workers", "2"], env, logs, port=free_port()),
        "B": start("B", ["serve", "--no-projections"], env, logs, port=free_port()),
        "W1": start("W1", ["worker"], env, logs),
        "W2": start("W2", ["worker"], env, logs),
    }
    try:
        for name in ("A", "B"):
            await until(lambda n=name: answers(processes[n]), deadline=90, what=f"{name} answering /health")
        yield processes, database_url, key
    finally:
        await asyncio.gather(*(asyncio.to_thread(end, p) for p in processes.values()))


class Load:
    """Clients adding notes, each alternating between the two HTTP processes; what was acknowledged."""

    def __init__(self, bases: list[str], token: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        self.http = [httpx.AsyncClient(base_url=b, timeout=30, headers=headers) for b in bases]
        self.acknowledged: dict[str, list[str]] = {}  # case id -> note texts
        self.refusals: Counter[int] = Counter()

    async def client(self, number: int, own_case: str, shared_case: str) -> None:
        for n in range(NOTES_PER_CLIENT):
            case_id = own_case if n % 2 else shared_case
            text = f"note {uuid.uuid4().hex}"
            key = idempotency()
            for attempt in range(50):
                process = self.http[(number + n + attempt) % len(self.http)]
                response = await process.post(f"/cases/{case_id}/notes", json={"text": text}, headers=key)
                if response.status_code == 201:
                    self.acknowledged.setdefault(case_id, []).append(text)
                    break
                assert response.status_code in (409, 503), response.text  # never a 500
                self.refusals[response.status_code] += 1
            else:
                raise AssertionError("a note refused 50 times")

    async def close(self) -> None:
        for client in self.http:
            await client.aclose()


async def _projection_owners(url: str) -> dict[str, int]:
    """How many sessions hold each projection's advisory lock."""
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            """SELECT ((classid::bigint << 32) | objid::bigint) AS key, count(*) AS holders FROM pg_locks
               WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND database = (
                   SELECT oid FROM pg_database WHERE datname = current_database())
               GROUP BY 1"""
        )
    finally:
        await connection.close()
    held = {int(r["key"]): int(r["holders"]) for r in rows}
    # classid is the key's high half: shifted back within a bigint, it gives the signed key lock_key makes.
    return {name: held.get(lock_key(name), 0) for name in PROJECTION_SCHEMAS}


@contextlib.asynccontextmanager
async def following(runtime: Runtime) -> AsyncIterator[list[tuple[int, int]]]:
    """Where each event is, as a reader following the log live sees them, in the order it sees them."""
    seen: list[tuple[int, int]] = []

    async def read_along() -> None:
        async for batch in follow(runtime.store, runtime.notifier, poll_interval=0.2):
            seen.extend((e.transaction_id, e.position) for e in batch)

    reader = asyncio.create_task(read_along())
    try:
        yield seen
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader


async def _whole_log(url: str) -> list[tuple[int, int]]:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT transaction_id::text::bigint AS t, position FROM events ORDER BY transaction_id, position"
        )
    finally:
        await connection.close()
    return [(r["t"], r["position"]) for r in rows]


async def _owned_once(url: str, expected: dict[str, int]) -> bool:
    return await _projection_owners(url) == expected


async def _sign_in_status(base: str, username: str, password: str) -> int:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        response = await client.post("/auth/sign-in", json={"username": username, "password": password})
    return response.status_code


async def _fail_then_try(bases: list[str], username: str, failures: int) -> tuple[int, int]:
    """``failures`` wrong passwords alternating between the processes; then the right one on each, in turn."""
    for n in range(failures):
        assert await _sign_in_status(bases[n % 2], username, "not the password") == 401
    return await _sign_in_status(bases[0], username, PASSWORD), await _sign_in_status(bases[1], username, PASSWORD)


async def test_two_http_processes_and_two_workers_on_one_database(deployment) -> None:
    processes, url, key = deployment
    a, b = processes["A"].base, processes["B"].base
    assert a is not None and b is not None
    began = time.monotonic()
    token = await sign_in(a, "sw")  # a session opened on A is good on B: sessions are in PostgreSQL
    async with httpx.AsyncClient(base_url=b, timeout=30, headers={"Authorization": f"Bearer {token}"}) as on_b:
        _, _, shared_case = await person_with_case(on_b)
        own_cases = [(await person_with_case(on_b))[2] for _ in range(CLIENTS)]

    async with open_runtime(url, key, pool_size=2, poll_interval=0.2) as runtime, following(runtime) as seen:
        every_one_owned = dict.fromkeys(PROJECTION_SCHEMAS, 1)
        await until(lambda: _owned_once(url, every_one_owned), deadline=60, what="every projection owned by a worker")
        load = Load([a, b], token)
        lock_outs = asyncio.gather(
            _fail_then_try([a, b], "near", LOCK_AFTER - 1), _fail_then_try([a, b], "over", LOCK_AFTER)
        )
        owners_during = []
        try:
            clients = asyncio.gather(*(load.client(n, own_cases[n], shared_case) for n in range(CLIENTS)))
            while not clients.done():
                owners_during.append(await _projection_owners(url))
                await asyncio.wait({clients}, timeout=0.5)
            await clients
            near, over = await lock_outs
        finally:
            await load.close()
        loaded = time.monotonic()

        log = await _whole_log(url)
        await until(lambda: len(seen) >= len(log), deadline=30, what="the follower at the head of the log")
        assert seen == log, "the follower missed, repeated or reordered events"
        for case_id, texts in load.acknowledged.items():
            payloads = [e.payload or b"" for e in await runtime.store.read_stream(uuid.UUID(case_id))]
            for text in texts:
                assert sum(text.encode() in p for p in payloads) == 1, "an acknowledged note is not there once"
        assert sum(len(t) for t in load.acknowledged.values()) == CLIENTS * NOTES_PER_CLIENT

    assert owners_during and all(counts == every_one_owned for counts in owners_during), owners_during
    assert near == (200, 200), "one failure short of the lock-out, the right password still opens a session"
    assert over == (401, 401), "locked on both processes after failures spread over both"

    verified = await asyncio.to_thread(_verify, url)
    assert "the event log is intact" in verified, verified

    await _erasure_seen_by_every_process(a, b)
    await _sign_out_seen_by_every_process(a, b)
    print(
        f"\n{CLIENTS * NOTES_PER_CLIENT} notes through 2 HTTP processes (3 uvicorn processes) in "
        f"{loaded - began:.1f} s; refused and retried: {dict(load.refusals)}; {len(log)} events followed"
    )


def _verify(url: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "service.cli", "verify"],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return completed.stdout + completed.stderr


async def _erasure_seen_by_every_process(a: str, b: str) -> None:
    sw_token, dpo_token = await sign_in(b, "sw"), await sign_in(a, "dpo")
    sw = {"Authorization": f"Bearer {sw_token}"}
    async with (
        httpx.AsyncClient(base_url=a, timeout=30, headers=sw) as sw_on_a,
        httpx.AsyncClient(base_url=b, timeout=30, headers=sw) as sw_on_b,
        httpx.AsyncClient(base_url=a, timeout=30, headers={"Authorization": f"Bearer {dpo_token}"}) as dpo_on_a,
    ):
        person_id, file_number, case_id = await person_with_case(sw_on_a)
        note = await sw_on_a.post(f"/cases/{case_id}/notes", json={"text": "avant l'effacement"}, headers=idempotency())
        assert note.status_code == 201, note.text
        before = await sw_on_b.get(f"/people/{person_id}/file")  # B now holds the person's key in memory
        assert before.status_code == 200, before.text
        erased = await dpo_on_a.post(
            f"/dpo/people/{person_id}/erasure", json={"confirm_file_number": file_number}, headers=idempotency()
        )
        assert erased.status_code == 201, erased.text
        for process in (sw_on_b, sw_on_a, sw_on_b):
            after = await process.get(f"/people/{person_id}/file")
            assert after.status_code == 410, after.text
            refused = await process.post(f"/cases/{case_id}/notes", json={"text": "après"}, headers=idempotency())
            assert refused.status_code in (404, 410), refused.text


async def _sign_out_seen_by_every_process(a: str, b: str) -> None:
    """A session ended on A stops working on B too (B may keep it in memory a moment: at most RECENT seconds)."""
    token = await sign_in(a, "sw")
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx.AsyncClient(base_url=a, timeout=30, headers=headers) as on_a,
        httpx.AsyncClient(base_url=b, timeout=30, headers=headers) as on_b,
    ):
        assert (await on_b.get("/auth/me")).status_code == 200  # B now holds the session in memory
        assert (await on_a.post("/auth/sign-out")).status_code == 204

        async def refused_on_b() -> bool:
            return (await on_b.get("/auth/me")).status_code == 401

        await until(refused_on_b, deadline=RECENT + 5, what="the session ended on B as well")
        assert (await on_a.get("/auth/me")).status_code == 401
