"""Suivi's append path: msgspec encoding, AES-GCM under the subject's key, hash chain, one INSERT.

The domain event is built once per writer, since building it is the aggregate's work and
the same for every store; each event is still encoded, encrypted and hashed on its own.
"""

from __future__ import annotations

import contextlib
from uuid import UUID, uuid4

from service.storage.codec import EventCodec
from service.storage.eventstore.records import NewEvent
from service.storage.keys.master_key import MasterKey
from service.storage.runtime import Runtime, open_runtime
from tests.benchmarks.harness import WriterSpec
from tests.benchmarks.workload import CATEGORY, SUBJECTS_PER_WRITER, Plan, note

ACTOR = UUID("5a1e5a1e-0000-4000-8000-0000000000ac")


class SuiviWriter:
    """One writer process: its own runtime (pool of 2: the append and the coalesced NOTIFY)."""

    def __init__(self, spec: WriterSpec) -> None:
        self._spec = spec
        self._codec = EventCodec()
        self._exit = contextlib.AsyncExitStack()
        self._runtime: Runtime | None = None
        self._plan: Plan | None = None
        self._event = note(uuid4(), 1)
        self._topic = self._codec.topic_of(self._event)

    async def open(self) -> None:
        master = MasterKey.from_hex(self._spec.secret, source="the benchmark")
        self._runtime = await self._exit.enter_async_context(open_runtime(self._spec.url, master, pool_size=2))
        subjects = [uuid4() for _ in range(SUBJECTS_PER_WRITER)]
        # Subjects are known people: their keys exist and are cached, as in steady state.
        await self._runtime.keys.keys_for_writing(subjects)
        self._plan = Plan(subjects, seed=self._spec.index)

    async def command(self, events: int) -> None:
        assert self._runtime is not None and self._plan is not None
        stream, first, subject = self._plan.next(events)
        encode, event, topic = self._codec.encode, self._event, self._topic
        new = [NewEvent(stream, v, topic, CATEGORY, subject, encode(event)) for v in range(first, first + events)]
        await self._runtime.store.append(
            new,
            actor_id=ACTOR,
            idempotency_key=uuid4().hex if self._spec.idempotency else None,
        )

    async def close(self) -> None:
        await self._exit.aclose()
