"""The event store on PostgreSQL through asyncpg.

Appends are one SQL statement: the events of every stream in the command, and the
command's idempotency record, commit together or not at all. Optimistic concurrency
comes from the unique (stream, version) constraint; the driver's errors are translated
here and nowhere else.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import asyncpg

from service.storage.eventstore.chain import GENESIS, associated_data, command_prefix
from service.storage.eventstore.records import (
    LOG_START,
    AppendResult,
    ConcurrencyError,
    IdempotencyKeyReusedError,
    InvalidAppendError,
    LogCursor,
    NewEvent,
    RecordedEvent,
    TransientStoreError,
)
from service.storage.keys.subject_keys import DecryptionError, KeyStore, SubjectKey
from service.storage.recent_aggregates import RecentAggregates

Clock = Callable[[], datetime]
_NO_SUBJECT = bytes(16)  # as chain.py hashes a non-personal event
# The cast gets another name than the column: ORDER BY transaction_id must use the index, not the cast.
_COLUMNS = """position, transaction_id::text::bigint AS txid, stream_id, version, topic,
              category, subject_id, recorded_at, actor_id, key_version, payload"""

_APPEND = """
WITH command AS (
    INSERT INTO command_results (idempotency_key, fingerprint, stream_ids, versions, response)
    SELECT $11, $12, $13, $14, $15 WHERE $11::text IS NOT NULL
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING 1
),
appended AS (
    INSERT INTO events (stream_id, version, topic, category, subject_id, recorded_at, actor_id,
                        key_version, payload, chain_hash)
    SELECT s, v, t, c, subj, $6, $7, kv, p, h
    FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::uuid[], $8::int[], $9::bytea[],
                $10::bytea[]) AS e(s, v, t, c, subj, kv, p, h)
    WHERE $11::text IS NULL OR EXISTS (SELECT 1 FROM command)
    RETURNING transaction_id, position
)
-- One transaction, so one transaction id: where the append is in the log is (it, the last position).
SELECT count(*) AS appended, max(transaction_id::text::bigint) AS txid, max(position) AS position FROM appended
"""

# A replay answers where the first attempt's events are, found by the last version of each of its
# streams (the unique (stream, version) index): they committed with the key, so waiting for them ends.
_EARLIER = """
SELECT r.fingerprint, r.stream_ids, r.versions, r.response, found.txid, found.position
FROM command_results r
LEFT JOIN LATERAL (
    SELECT max(e.transaction_id::text::bigint) AS txid, max(e.position) AS position
    FROM unnest(r.stream_ids, r.versions) AS w(s, v)
    JOIN events e ON e.stream_id = w.s AND e.version = w.v
) AS found ON true
WHERE r.idempotency_key = $1
"""


@dataclass(frozen=True)
class _Sealed:
    stream_ids: list[UUID]
    versions: list[int]
    key_versions: list[int]
    payloads: list[bytes]
    hashes: list[bytes]
    heads: dict[UUID, tuple[int, bytes]]
    """Each stream's last version and hash: the only ones a later append asks for."""


class PostgresEventStore:
    def __init__(
        self,
        pool: asyncpg.Pool,
        keys: KeyStore,
        *,
        clock: Clock = lambda: datetime.now(UTC),
        on_append: Callable[[], None] = lambda: None,
    ) -> None:
        self._pool = pool
        self._keys = keys
        self._clock = clock
        self._on_append = on_append
        # (stream, version) -> chain hash. A stored hash never changes, so this never goes stale.
        self._heads: OrderedDict[tuple[UUID, int], bytes] = OrderedDict()
        self.recent = RecentAggregates()
        """Streams this process loaded or wrote lately, for ``Repository``; the append checks them."""

    @property
    def keys(self) -> KeyStore:
        return self._keys

    async def append(
        self,
        events: Sequence[NewEvent],
        *,
        actor_id: UUID | None = None,
        idempotency_key: str | None = None,
        fingerprint: bytes = b"",
        response: bytes = b"",
    ) -> AppendResult:
        """Append events to one or more streams atomically.

        Each stream's first event in ``events`` must carry the stream's current version + 1.
        With an idempotency key, a retry returns the first result and writes nothing.
        """
        if idempotency_key is not None and not events:
            earlier = await self.earlier_result(idempotency_key, fingerprint)
            if earlier is not None:
                return earlier
        versions = _check_consecutive(events)
        recorded_at = self._clock()
        keys = await self._keys.keys_for_writing(_subjects(events))
        sealed = await self._seal(events, keys, recorded_at, actor_id)
        streams = list(versions)
        try:
            async with self._pool.acquire() as connection:
                appended = await connection.fetchrow(
                    _APPEND,
                    sealed.stream_ids,
                    sealed.versions,
                    [e.topic for e in events],
                    [e.category for e in events],
                    [e.subject_id for e in events],
                    recorded_at,
                    actor_id,
                    sealed.key_versions,
                    sealed.payloads,
                    sealed.hashes,
                    idempotency_key,
                    fingerprint,
                    streams,
                    [versions[s] for s in streams],
                    response,
                )
        except asyncpg.UniqueViolationError as error:
            if error.constraint_name == "events_stream_version":
                raise await self._conflict(events) from None
            raise
        except (asyncpg.SerializationError, asyncpg.DeadlockDetectedError) as error:
            raise TransientStoreError(str(error)) from None
        assert appended is not None  # an aggregate always gives a row
        if idempotency_key is not None and appended["appended"] == 0 and events:
            # The key was taken: by this command's first attempt, or by another command.
            earlier = await self.earlier_result(idempotency_key, fingerprint)
            assert earlier is not None  # ON CONFLICT waited for the holder of the key to commit
            return earlier
        for stream_id, (version, hash_) in sealed.heads.items():
            self._remember_head(stream_id, version, hash_)
        self._on_append()
        reached = None if appended["position"] is None else LogCursor(appended["txid"], appended["position"])
        return AppendResult(stream_versions=versions, response=response, log_position=reached)

    async def read_stream(self, stream_id: UUID, *, after_version: int = 0) -> list[RecordedEvent]:
        return await self._read(
            f"SELECT {_COLUMNS} FROM events WHERE stream_id = $1 AND version > $2 ORDER BY version",
            stream_id,
            after_version,
        )

    async def read_subject(self, subject_id: UUID) -> list[RecordedEvent]:
        """Every event about one data subject, in log order."""
        return await self._read(
            f"SELECT {_COLUMNS} FROM events WHERE subject_id = $1 ORDER BY events.transaction_id, events.position",
            subject_id,
        )

    async def read_log(
        self, after: LogCursor = LOG_START, *, limit: int = 1000, topics: frozenset[str] | None = None
    ) -> list[RecordedEvent]:
        """The next events of the whole log, in a stable order that never skips a late commit.

        Only transactions below the oldest one still running are read: every row they
        wrote is visible, and no later transaction can take an id below them. With
        ``topics``, other events still come (so the cursor moves on) but without their
        payload, which is then neither decrypted nor decoded.
        """
        payload = "payload" if topics is None else "CASE WHEN topic = ANY($4::text[]) THEN payload END"
        return await self._read(
            f"""SELECT {_COLUMNS.replace("payload", payload + " AS payload")} FROM events
                WHERE (transaction_id, position) > ($1::text::xid8, $2)
                  AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
                ORDER BY events.transaction_id, events.position
                LIMIT $3""",
            str(after.transaction_id),
            after.position,
            limit,
            *([] if topics is None else [list(topics)]),
        )

    async def has_pending(self, after: LogCursor) -> bool:
        """Whether rows beyond ``after`` exist that ``read_log`` cannot hand out yet."""
        async with self._pool.acquire() as connection:
            return bool(
                await connection.fetchval(
                    "SELECT EXISTS (SELECT 1 FROM events WHERE (transaction_id, position) > ($1::text::xid8, $2))",
                    str(after.transaction_id),
                    after.position,
                )
            )

    async def current_version(self, stream_id: UUID) -> int:
        async with self._pool.acquire() as connection:
            version = await connection.fetchval("SELECT max(version) FROM events WHERE stream_id = $1", stream_id)
        return int(version or 0)

    async def _read(self, query: str, *args: object) -> list[RecordedEvent]:
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(query, *args)
        # Positional (6: subject_id, 10: payload, as in _COLUMNS): named lookups cost as much as the rest here.
        keys = await self._keys.keys_for_reading({r[6] for r in rows if r[6] is not None and r[10] is not None})
        return [_open(row, keys) for row in rows]

    async def _seal(
        self,
        events: Sequence[NewEvent],
        keys: dict[UUID, SubjectKey],
        recorded_at: datetime,
        actor_id: UUID | None,
    ) -> _Sealed:
        """Encrypted payloads and chain hashes, as column arrays for the append statement."""
        previous = await self._previous_hashes(events)
        return _seal(events, keys, previous, command_prefix(recorded_at, actor_id))

    async def _previous_hashes(self, events: Sequence[NewEvent]) -> dict[UUID, bytes]:
        previous: dict[UUID, bytes] = {}
        unknown: list[tuple[UUID, int]] = []
        for event in events:
            if event.stream_id in previous:
                continue
            before = event.version - 1
            cached = self._heads.get((event.stream_id, before))
            if before == 0:
                previous[event.stream_id] = GENESIS
            elif cached is not None:
                previous[event.stream_id] = cached
            else:
                previous[event.stream_id] = GENESIS  # replaced below, or a conflict
                unknown.append((event.stream_id, before))
        if unknown:
            async with self._pool.acquire() as connection:
                rows = await connection.fetch(
                    """SELECT e.stream_id, e.chain_hash FROM events e
                       JOIN unnest($1::uuid[], $2::int[]) AS w(s, v) ON e.stream_id = w.s AND e.version = w.v""",
                    [s for s, _ in unknown],
                    [v for _, v in unknown],
                )
            found = {row["stream_id"]: row["chain_hash"] for row in rows}
            for stream_id, before in unknown:
                if stream_id not in found:
                    raise ConcurrencyError(stream_id, before, await self.current_version(stream_id))
                previous[stream_id] = found[stream_id]
        return previous

    async def earlier_result(self, key: str, fingerprint: bytes) -> AppendResult | None:
        """The result of an earlier append with this key, without recording the key.

        Raises IdempotencyKeyReusedError when the key was used for a different command.
        """
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(_EARLIER, key)
        if row is None:
            return None
        if row["fingerprint"] != fingerprint:
            raise IdempotencyKeyReusedError()
        reached = None if row["position"] is None else LogCursor(row["txid"], row["position"])
        return AppendResult(
            stream_versions=dict(zip(row["stream_ids"], row["versions"], strict=True)),
            response=row["response"],
            replayed=True,
            log_position=reached,
        )

    async def _conflict(self, events: Sequence[NewEvent]) -> ConcurrencyError:
        firsts: dict[UUID, int] = {}
        for event in events:
            firsts.setdefault(event.stream_id, event.version - 1)
        for stream_id, expected in firsts.items():
            actual = await self.current_version(stream_id)
            if actual != expected:
                return ConcurrencyError(stream_id, expected, actual)
        stream_id, expected = next(iter(firsts.items()))
        return ConcurrencyError(stream_id, expected, expected + 1)

    def _remember_head(self, stream_id: UUID, version: int, hash_: bytes) -> None:
        self._heads[(stream_id, version)] = hash_
        if len(self._heads) > 100_000:
            self._heads.popitem(last=False)


def _check_consecutive(events: Iterable[NewEvent]) -> dict[UUID, int]:
    """The last version per stream; refuses gaps or repeats inside one append.

    A command's events mostly share one stream id object: it is looked up again only when it
    changes (a UUID's hash is computed in Python, every time).
    """
    last: dict[UUID, int] = {}
    current: UUID | None = None
    at = 0
    for event in events:
        stream_id = event.stream_id
        if stream_id is not current:
            if current is not None:
                last[current] = at
            current = stream_id
            at = last.get(stream_id, event.version - 1)
        if event.version != at + 1 or event.version < 1:
            raise InvalidAppendError(f"stream {stream_id}: version {event.version} follows {at}")
        at = event.version
    if current is not None:
        last[current] = at
    return last


def _seal(
    events: Sequence[NewEvent], keys: dict[UUID, SubjectKey], previous: dict[UUID, bytes], command: bytes
) -> _Sealed:
    """Each event encrypted under its subject's key and chained to the one before it in its stream.

    The same bytes as ``chain.chain_hash_of`` and ``chain.associated_data`` (the tamper check
    recomputes them with those), with what a command's events share worked out once per command.
    """
    key_versions: list[int] = []
    payloads: list[bytes] = []
    hashes: list[bytes] = []
    heads: dict[UUID, tuple[int, bytes]] = {}
    labels: dict[tuple[str, str], tuple[bytes, bytes]] = {}
    sha256 = hashlib.sha256
    stream_id: UUID | None = None
    stream = b""
    chain = b""
    subject_id: UUID | None = None
    subject = _NO_SUBJECT
    key: SubjectKey | None = None
    for event in events:
        if event.stream_id is not stream_id:
            if stream_id is not None:
                previous[stream_id] = chain
            stream_id = event.stream_id
            stream = stream_id.bytes
            chain = previous[stream_id]
        if event.subject_id is not subject_id:
            subject_id = event.subject_id
            subject = _NO_SUBJECT if subject_id is None else subject_id.bytes
            key = None if subject_id is None else keys[subject_id]
        label = labels.get((event.topic, event.category))
        if label is None:
            label = labels[(event.topic, event.category)] = (
                event.topic.encode(),
                f"{event.topic}\0{event.category}\0".encode(),
            )
        version = event.version.to_bytes(4, "big")
        if key is None:
            key_version, payload = 0, event.payload
        else:
            key_version, payload = key.version, key.encrypt(event.payload, stream + version + label[0])
        chain = sha256(
            b"".join((chain, stream, version, label[1], subject, command, key_version.to_bytes(4, "big"), payload))
        ).digest()
        heads[stream_id] = (event.version, chain)
        key_versions.append(key_version)
        payloads.append(payload)
        hashes.append(chain)
    return _Sealed(
        stream_ids=[e.stream_id for e in events],
        versions=[e.version for e in events],
        key_versions=key_versions,
        payloads=payloads,
        hashes=hashes,
        heads=heads,
    )


def _subjects(events: Iterable[NewEvent]) -> set[UUID]:
    subjects: set[UUID] = set()
    last: UUID | None = None
    for event in events:
        if event.subject_id is not None and event.subject_id is not last:
            last = event.subject_id
            subjects.add(last)
    return subjects


def _open(row: asyncpg.Record, keys: dict[UUID, SubjectKey]) -> RecordedEvent:
    # Positional: this runs once per event read, and named lookups cost a third of it.
    position, txid, stream_id, version, topic, category, subject_id, recorded_at, actor_id, key_version, payload = row
    if subject_id is not None and payload is not None:
        key = keys.get(subject_id)
        if key is None:
            payload = None  # erased: the key is gone, and so is the plaintext
        else:
            try:
                payload = key.decrypt(payload, associated_data(stream_id, version, topic))
            except DecryptionError:
                raise DecryptionError(f"event at position {position} could not be decrypted") from None
    return RecordedEvent(
        position, txid, stream_id, version, topic, category, subject_id, recorded_at, actor_id, key_version, payload
    )
