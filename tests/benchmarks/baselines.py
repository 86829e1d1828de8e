"""What Suivi is measured against, on the same server in the same run.

- The ceiling: a raw asyncpg INSERT of same-sized bytes into a copy of the events table
  (same columns, constraints and indexes), with no encryption, no serialisation and no
  lock or ordering mechanism beyond what the table itself carries.
- The eventsourcing library's own ``PostgresApplicationRecorder`` (psycopg, its default
  ``LOCK TABLE ... IN EXCLUSIVE MODE`` ordering) with its ``AESCipher``, doing what its
  ``Mapper.to_stored_event`` does (transcode, then encrypt) with msgspec as the transcoder,
  so serialisation costs the same as Suivi's.

As in the Suivi writer, the domain event is built once per writer: that is the aggregate's
work, not the store's.
"""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import asyncpg
import msgspec
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import StoredEvent, Transcoder
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import Environment, get_topic

from tests.benchmarks.environment import psycopg_params
from tests.benchmarks.harness import WriterSpec
from tests.benchmarks.workload import CATEGORY, SUBJECTS_PER_WRITER, Plan, note, plaintext_size

RAW_SCHEMA = "bench_raw"
ES_SCHEMA = "bench_es"
ES_TABLE = "stored_events"
_NONCE_AND_TAG = 12 + 16

_RAW_INSERT = f"""
INSERT INTO {RAW_SCHEMA}.events (stream_id, version, topic, category, subject_id, recorded_at, actor_id,
                                 key_version, payload, chain_hash)
SELECT s, v, t, c, subj, $6, $7, kv, p, h
FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::uuid[], $8::int[], $9::bytea[],
            $10::bytea[]) AS e(s, v, t, c, subj, kv, p, h)
"""


async def create_raw_table(connection: asyncpg.Connection) -> None:
    await connection.execute(f"""
        DROP SCHEMA IF EXISTS {RAW_SCHEMA} CASCADE;
        CREATE SCHEMA {RAW_SCHEMA};
        CREATE TABLE {RAW_SCHEMA}.events (LIKE public.events INCLUDING ALL);""")


def create_eventsourcing_table(url: str) -> None:
    datastore = PostgresDatastore(**psycopg_params(url), schema=ES_SCHEMA)
    try:
        with datastore.transaction(commit=True) as cursor:
            cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {ES_SCHEMA}")
        PostgresApplicationRecorder(datastore, events_table_name=ES_TABLE).create_table()
    finally:
        datastore.close()


async def truncate_all(connection: asyncpg.Connection) -> None:
    """Keeps the tables from growing across writer counts; the subject keys stay."""
    await connection.execute(
        f"TRUNCATE public.events, public.command_results, {RAW_SCHEMA}.events, {ES_SCHEMA}.{ES_TABLE}"
    )
    with contextlib.suppress(asyncpg.InsufficientPrivilegeError):  # a DATABASE_URL role may not checkpoint
        await connection.execute("CHECKPOINT")


class RawInsertWriter:
    """The ceiling: the same rows and sizes, as PostgreSQL takes them with nothing in front."""

    def __init__(self, spec: WriterSpec) -> None:
        self._spec = spec
        self._connection: asyncpg.Connection | None = None
        self._payload = os.urandom(plaintext_size() + _NONCE_AND_TAG)  # the size of Suivi's ciphertext
        self._hash = os.urandom(32)
        self._plan = Plan([uuid4() for _ in range(SUBJECTS_PER_WRITER)], seed=1000 + spec.index)

    async def open(self) -> None:
        self._connection = await asyncpg.connect(self._spec.url)

    async def command(self, events: int) -> None:
        assert self._connection is not None
        stream, first, subject = self._plan.next(events)
        await self._connection.execute(
            _RAW_INSERT,
            [stream] * events,
            list(range(first, first + events)),
            ["tests.benchmarks.workload:CaseFile.NoteAdded"] * events,
            [CATEGORY] * events,
            [subject] * events,
            datetime.now(UTC),
            None,
            [1] * events,
            [self._payload] * events,
            [self._hash] * events,
        )

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()


class MsgspecTranscoder(Transcoder):
    """The eventsourcing Mapper's serialisation step, done by msgspec as Suivi's codec does."""

    def __init__(self) -> None:
        self._encoder = msgspec.msgpack.Encoder()

    def encode(self, obj: Any) -> bytes:
        return self._encoder.encode(obj)

    def decode(self, data: bytes) -> Any:
        return msgspec.msgpack.decode(data)


class EventsourcingWriter:
    """A synchronous writer on the library's recorder: transcode, encrypt (AESCipher), insert_events."""

    def __init__(self, spec: WriterSpec) -> None:
        self._spec = spec
        self._datastore: PostgresDatastore | None = None
        self._recorder: PostgresApplicationRecorder | None = None
        self._transcoder = MsgspecTranscoder()
        self._cipher = AESCipher(Environment(env={AESCipher.CIPHER_KEY: spec.secret}))
        event = note(uuid4(), 1)
        self._topic = get_topic(type(event))
        self._state = {k: v for k, v in vars(event).items() if k not in ("originator_id", "originator_version")}
        self._plan = Plan([uuid4() for _ in range(SUBJECTS_PER_WRITER)], seed=2000 + spec.index)

    def open(self) -> None:
        self._datastore = PostgresDatastore(**psycopg_params(self._spec.url), schema=ES_SCHEMA, pool_size=1)
        self._recorder = PostgresApplicationRecorder(self._datastore, events_table_name=ES_TABLE)

    def command(self, events: int) -> None:
        assert self._recorder is not None
        stream, first, _ = self._plan.next(events)
        encode, encrypt = self._transcoder.encode, self._cipher.encrypt  # as Mapper.to_stored_event does
        state, topic = self._state, self._topic
        self._recorder.insert_events(
            [StoredEvent(stream, v, topic, encrypt(encode(state))) for v in range(first, first + events)]
        )

    def close(self) -> None:
        if self._datastore is not None:
            self._datastore.close()
