"""Suivi survives its database going away and coming back, with no restart: a fast stop, then a crash.

The test runs a PostgreSQL of its own (so that it can stop it) and a real Suivi on it (``suivi
serve`` in a subprocess, projections inside). A few clients add notes to cases at a steady rate
the whole time, retrying a refused note with the same Idempotency-Key; PostgreSQL is stopped for a
few seconds with ``pg_ctl stop -m fast``, started again, then stopped with ``-m immediate`` (a crash)
and started again. Then:

- no request ever got a 500 (nor went unanswered), and requests got 503 during each outage;
- after each restart every projection reached the head of the log within 10 s, Suivi untouched;
- every acknowledged note (201) is in the case file, exactly once;
- ``/ready`` answers 503 while a projection is behind (held back on purpose at the end, so that
  it is certainly behind) and 200 once it has caught up.

Every wait is for a condition, with a deadline; nothing is asserted about how long a step took.
The measured recovery times are printed (``pytest -s``).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import asyncpg
import httpx
import pytest

from domain.policy import Role
from service.readmodels.registry import PROJECTION_SCHEMAS
from service.staff.accounts import StaffAccounts
from service.storage import embedded_pg
from service.storage.database import LOST_CONNECTION
from service.storage.keys.master_key import MasterKey
from service.storage.migrations import migrate
from tests.conftest import with_database

PASSWORD = "outage test password 2026"
WRITERS = 3
NOTES_PER_WRITER = 400  # a bound: at the pace below, the test ends long before
PACE = 0.05  # seconds between one writer's acknowledged note and its next one
RETRY_PAUSE = 0.1  # seconds before a refused note is sent again (same Idempotency-Key)
DOWN_FOR = 3.0  # seconds PostgreSQL stays stopped, at least
CAUGHT_UP_WITHIN = 10.0  # seconds after a restart by which every projection must be at the head
READY_MAX_LAG = 2.0  # SUIVI_READY_MAX_LAG_SECONDS for the server under test
PERSON = {"given_name": "Awa", "family_name": "Diallo", "birth_date": "1990-05-02"}


@dataclass
class Answer:
    at: float
    what: str  # "note" or "ready"
    status: int  # the HTTP status, or 0 for a request that got no answer
    detail: str = ""


@dataclass
class Record:
    answers: list[Answer] = field(default_factory=list)
    acknowledged: dict[str, list[str]] = field(default_factory=dict)  # person id -> note texts

    def add(self, what: str, status: int, detail: str = "") -> None:
        self.answers.append(Answer(time.monotonic(), what, status, detail))

    def seen(self, what: str, status: int, after: float) -> bool:
        return any(a.what == what and a.status == status and a.at > after for a in self.answers)


@dataclass
class Server:
    base: str
    url: str
    """The database URL Suivi uses (the test reads the same database directly)."""
    process: subprocess.Popen[bytes]
    log_path: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def cluster() -> Iterator[embedded_pg.EmbeddedPostgres]:
    """A PostgreSQL of this test's own. fsync is off (a stopped server loses nothing the OS holds),
    but a commit still waits for its WAL to be written, so an acknowledged command survives a crash.

    Its directory is not under pytest's: a pytest session starting meanwhile closes that one to
    everyone but its owner, and the server (its own user when run as root) could not start again.
    """
    with tempfile.TemporaryDirectory(prefix="suivi-outage-", ignore_cleanup_errors=True) as directory:
        server = embedded_pg.start(Path(directory), settings={"fsync": "off", "full_page_writes": "off"})
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
async def server(cluster: embedded_pg.EmbeddedPostgres, tmp_path: Path) -> AsyncIterator[Server]:
    url = with_database(cluster.url, "suivi_outage")
    admin = await asyncpg.connect(cluster.url)
    await admin.execute("CREATE DATABASE suivi_outage")
    await admin.close()
    connection = await asyncpg.connect(url)
    try:
        await migrate(connection)
    finally:
        await connection.close()
    pool = await asyncpg.create_pool(url, min_size=1, max_size=1)
    assert pool is not None
    await StaffAccounts(pool).create("outage.sw", "Outage SW", PASSWORD, [Role.SOCIAL_WORKER], datetime.now(UTC))
    await pool.close()

    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SUIVI_MASTER_KEY": MasterKey.generate().to_hex(),
        "SUIVI_PORT": str(port),
        "SUIVI_ENVIRONMENT": "development",
        "SUIVI_DATA_DIR": str(tmp_path / "suivi"),
        "SUIVI_READY_MAX_LAG_SECONDS": str(READY_MAX_LAG),
    }
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        # The log goes to a file: a pipe nobody reads would fill up and stall the server.
        process = await asyncio.to_thread(
            subprocess.Popen,
            [sys.executable, "-m", "service.cli", "serve"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        await _until(lambda: _answers(base, "/health", 200, process), deadline=60, what="Suivi answering /health")
        yield Server(base, url, process, log_path)
    finally:
        await asyncio.to_thread(_end, process)


def _end(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def _answers(base: str, path: str, status: int, process: subprocess.Popen[bytes]) -> bool:
    if process.poll() is not None:
        raise RuntimeError("the server stopped")
    try:
        async with httpx.AsyncClient(base_url=base, timeout=5) as client:
            return (await client.get(path)).status_code == status
    except httpx.TransportError:
        return False


async def _until(condition: Callable[[], Awaitable[bool] | bool], *, deadline: float, what: str) -> float:
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


async def _positions(url: str) -> tuple[tuple[int, int], dict[str, tuple[int, int]]] | None:
    """The head of the log and every projection's tracking position; None while the database is away."""
    tracked = " UNION ALL ".join(
        f"SELECT '{name}' AS name, transaction_id, position FROM {schema}.tracking"
        for name, schema in PROJECTION_SCHEMAS.items()
    )
    try:
        connection = await asyncpg.connect(url, timeout=5)
    except (*LOST_CONNECTION, asyncpg.PostgresError):
        return None
    try:
        head = await connection.fetchrow(
            "SELECT transaction_id::text::bigint AS t, position FROM events "
            "ORDER BY transaction_id DESC, position DESC LIMIT 1"
        )
        rows = await connection.fetch(tracked)
    except (*LOST_CONNECTION, asyncpg.PostgresError):
        return None
    finally:
        connection.terminate()
    assert head is not None
    return (head["t"], head["position"]), {r["name"]: (r["transaction_id"], r["position"]) for r in rows}


async def _all_at_or_past(url: str, head: tuple[int, int]) -> bool:
    seen = await _positions(url)
    if seen is None:
        return False
    _, tracking = seen
    return len(tracking) == len(PROJECTION_SCHEMAS) and all(p >= head for p in tracking.values())


class Clients:
    """Writers adding notes at a steady pace, and a monitor reading /ready, until told to stop."""

    def __init__(self, base: str, token: str, cases: dict[str, str], record: Record) -> None:
        self._http = httpx.AsyncClient(base_url=base, timeout=20, headers={"Authorization": f"Bearer {token}"})
        self._cases = cases
        self._record = record
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        for person_id, case_id in self._cases.items():
            self._record.acknowledged[person_id] = []
            self._tasks.append(asyncio.create_task(self._write(person_id, case_id)))
        self._tasks.append(asyncio.create_task(self._watch_ready()))

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks)
        await self._http.aclose()

    async def _post(self, path: str, body: dict[str, Any], key: str) -> int:
        try:
            response = await self._http.post(path, json=body, headers={"Idempotency-Key": key})
        except httpx.TransportError as error:
            self._record.add("note", 0, type(error).__name__)
            return 0
        self._record.add("note", response.status_code, response.text[:300] if response.status_code != 201 else "")
        return response.status_code

    async def _write(self, person_id: str, case_id: str) -> None:
        for _ in range(NOTES_PER_WRITER):
            if self._stop.is_set():
                return
            text = f"outage note {uuid.uuid4().hex}"
            key = uuid.uuid4().hex
            while await self._post(f"/cases/{case_id}/notes", {"text": text}, key) != 201:
                if self._stop.is_set():
                    return  # never acknowledged: not looked for afterwards
                await asyncio.sleep(RETRY_PAUSE)
            self._record.acknowledged[person_id].append(text)
            await asyncio.sleep(PACE)

    async def _watch_ready(self) -> None:
        while not self._stop.is_set():
            try:
                response = await self._http.get("/ready")
                self._record.add("ready", response.status_code, response.text[:500])
            except httpx.TransportError as error:
                self._record.add("ready", 0, type(error).__name__)
            await asyncio.sleep(0.1)


async def _sign_in_and_open_cases(base: str) -> tuple[str, dict[str, str]]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        signed_in = await client.post(
            "/auth/sign-in", json={"username": "outage.sw", "password": PASSWORD, "mode": "bearer"}
        )
        assert signed_in.status_code == 200, signed_in.text
        token = signed_in.json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        cases = {}
        for _ in range(WRITERS):
            person = await client.post("/people", json=PERSON, headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
            assert person.status_code == 201, person.text
            person_id = person.json()["ids"]["person_id"]
            case = await client.post(
                "/cases",
                json={"person_id": person_id, "domain": "housing", "summary": "Suivi pendant une panne"},
                headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
            )
            assert case.status_code == 201, case.text
            cases[person_id] = case.json()["ids"]["case_id"]
    return token, cases


async def _outage(
    cluster: embedded_pg.EmbeddedPostgres, server: Server, record: Record, mode: Literal["fast", "immediate"]
) -> float:
    """Stop PostgreSQL (``mode``), keep it down a few seconds, start it again; returns the recovery time."""
    await asyncio.to_thread(cluster.halt, mode)
    down = time.monotonic()
    await _until(
        lambda: record.seen("note", 503, down) and record.seen("ready", 503, down),
        deadline=30,
        what=f"503 answers while PostgreSQL is stopped ({mode})",
    )
    await asyncio.sleep(max(0.0, down + DOWN_FOR - time.monotonic()))
    await asyncio.to_thread(cluster.resume)
    up = time.monotonic()
    await _until(lambda: record.seen("note", 201, up), deadline=CAUGHT_UP_WITHIN, what=f"a note accepted after {mode}")
    seen = await _positions(server.url)
    assert seen is not None, "the database is back, yet the test cannot read it"
    head, _ = seen
    caught_up = await _until(
        lambda: _all_at_or_past(server.url, head),
        deadline=CAUGHT_UP_WITHIN - (time.monotonic() - up),
        what=f"every projection at the head of the log within {CAUGHT_UP_WITHIN} s of the restart ({mode})",
    )
    assert server.process.poll() is None, "Suivi stopped"
    answers = sorted({_ready_summary(a) for a in record.answers if a.what == "ready" and up < a.at <= caught_up})
    print(f"after the {mode} stop, until caught up, /ready said: {'; '.join(answers)}")
    return caught_up - up


def _ready_summary(answer: Answer) -> str:
    try:
        body = json.loads(answer.detail)
    except ValueError:
        return f"{answer.status}"
    states = sorted(set(body.get("projections", {}).values()))
    return f"{answer.status} {body.get('status')} {','.join(states)}".strip()


async def _hold_back_the_case_file(server: Server, record: Record, token: str, case_id: str) -> None:
    """Keep the case file's tracking row locked: its next batch waits, and it falls behind for certain."""
    holder = await asyncpg.connect(server.url)
    try:
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute("SELECT 1 FROM rm_case_file.tracking FOR UPDATE")
        async with httpx.AsyncClient(base_url=server.base, timeout=20) as client:
            note = await client.post(
                f"/cases/{case_id}/notes",
                json={"text": "outage note held back"},
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
            )
            assert note.status_code == 201, note.text
            behind = await _until(
                lambda: _ready_is(client, 503, "case_file"),
                deadline=20 + READY_MAX_LAG,
                what="/ready 503 while the case file is behind",
            )
            await transaction.rollback()
            caught_up = await _until(
                lambda: _ready_is(client, 200), deadline=20, what="/ready 200 once the case file caught up"
            )
        print(f"/ready: 503 after the case file fell behind, 200 {caught_up - behind:.2f} s after it was let go")
    finally:
        holder.terminate()


async def _ready_is(client: httpx.AsyncClient, status: int, behind: str | None = None) -> bool:
    response = await client.get("/ready")
    if response.status_code != status:
        return False
    return behind is None or response.json()["projections"][behind] != "caught_up"


async def _notes_in_case_files(base: str, token: str, people: list[str]) -> dict[str, list[str]]:
    found = {}
    async with httpx.AsyncClient(base_url=base, timeout=30, headers={"Authorization": f"Bearer {token}"}) as client:
        for person_id in people:
            file = await client.get(f"/people/{person_id}/file")
            assert file.status_code == 200, file.text
            found[person_id] = [
                e["body"].get("text", "") for e in file.json()["entries"] if e["kind"].endswith("NoteAdded")
            ]
    return found


async def test_suivi_rides_out_a_fast_stop_and_a_crash_of_postgresql(
    cluster: embedded_pg.EmbeddedPostgres, server: Server
) -> None:
    token, cases = await _sign_in_and_open_cases(server.base)
    await _until(lambda: _answers(server.base, "/ready", 200, server.process), deadline=30, what="ready at start")
    record = Record()
    clients = Clients(server.base, token, cases, record)
    clients.start()
    try:
        await _until(lambda: record.seen("note", 201, 0), deadline=20, what="notes accepted before the outage")
        recovery = {mode: await _outage(cluster, server, record, mode) for mode in ("fast", "immediate")}
    finally:
        await clients.stop()
    print(
        "every projection at the head of the log, after the restart: "
        + ", ".join(f"{mode} stop {seconds:.2f} s" for mode, seconds in recovery.items())
    )

    await _hold_back_the_case_file(server, record, token, next(iter(cases.values())))

    failed = [a for a in record.answers if a.status not in (201, 503) and not (a.what == "ready" and a.status == 200)]
    assert failed == [], failed[:5]
    found = await _notes_in_case_files(server.base, token, list(cases))
    for person_id, texts in record.acknowledged.items():
        assert texts, "a writer never got a note through"
        missing = [t for t in texts if found[person_id].count(t) != 1]
        assert missing == [], f"{len(missing)} of {len(texts)} acknowledged notes not exactly once in the case file"
    assert server.process.poll() is None, "Suivi stopped"
    acknowledged = sum(len(t) for t in record.acknowledged.values())
    refused = sum(1 for a in record.answers if a.what == "note" and a.status == 503)
    print(f"{acknowledged} notes acknowledged, {refused} answers 503 during the outages")

    await asyncio.to_thread(_end, server.process)
    logged = server.log_path.read_text()
    assert "Traceback" not in logged and '"level": "error"' not in logged, logged[-3000:]
