"""Runs projections: each reads the log in order and commits its writes with its position.

Every projection runs on its own: a failure stops that one, records where and why
(position and event type, never personal data) and leaves the others going. An
advisory lock per projection makes sure that, however many workers run, exactly one
processes a given projection at a time. A rebuild fills a shadow schema from position
zero while the live one stays readable, then swaps the two in one transaction.

A lost database is nobody's fault: the projection says it is ``reconnecting``, waits (with
a capped, jittered backoff), takes its lock again and resumes from its committed position.
Each batch commits only if the tracking row still holds the position it started from, so a
worker that lost its lock without noticing can never write a batch twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
from collections.abc import Coroutine
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from projections.base import Projection
from service.storage.codec import CodecError, EventCodec
from service.storage.database import LOST_CONNECTION, Backoff, Connection, close_quietly, until_lost
from service.storage.eventstore.records import LOG_START, LogCursor, RecordedEvent
from service.storage.eventstore.subscription import follow
from service.storage.runtime import Runtime

log = logging.getLogger("suivi.projections")


class ProjectedEvent(msgspec.Struct, frozen=True):
    position: int
    stream_id: UUID
    subject_id: UUID | None
    recorded_at: Any
    actor_id: UUID | None
    category: str
    topic: str
    event: Any


class BatchWriter:
    """Sends a run of identical statements as one pipelined executemany instead of a round trip each.

    A batch of a thousand events is mostly a few kinds of writes, one after the other; order is
    kept (a different statement, or any read, first sends what is waiting).
    """

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._query: str | None = None
        self._rows: list[tuple[Any, ...]] = []

    async def execute(self, query: str, *args: Any) -> str:
        if query != self._query:
            await self.flush()
            self._query = query
        self._rows.append(args)
        return ""

    async def executemany(self, query: str, args: Any) -> None:
        await self.flush()
        await self._connection.executemany(query, args)

    async def fetch(self, query: str, *args: Any) -> list[Any]:
        await self.flush()
        return list(await self._connection.fetch(query, *args))

    async def fetchrow(self, query: str, *args: Any) -> Any:
        await self.flush()
        return await self._connection.fetchrow(query, *args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        await self.flush()
        return await self._connection.fetchval(query, *args)

    async def flush(self) -> None:
        query, rows = self._query, self._rows
        self._query, self._rows = None, []
        if query is None:
            return
        if len(rows) == 1:
            await self._connection.execute(query, *rows[0])
        else:
            await self._connection.executemany(query, rows)


class ProjectionFailedError(Exception):
    def __init__(self, name: str, position: int, topic: str, cause: BaseException) -> None:
        super().__init__(f"projection {name} failed at position {position} on {topic}: {type(cause).__name__}")


class LockLostError(ConnectionError):
    """The connection holding a projection's advisory lock is gone, and the lock with it."""


class OwnershipLostError(Exception):
    """The tracking row moved on under this worker: another one owns the projection now."""


RETRIED: tuple[type[Exception], ...] = (*LOST_CONNECTION, OwnershipLostError)
"""What sends a projection back to take its lock again and resume, rather than stop."""

_STATUS_TIMEOUT = 2.0  # seconds a best-effort status write may take while the database is away
_STEADY_AFTER = 10.0  # an attempt that lasted this long starts the next backoff from the beginning
_REBUILD_PENDING = ("rebuild_requested", "rebuilding")  # done once the projection runs again


class ProjectionRunner:
    def __init__(self, runtime: Runtime, projections: list[Projection], *, batch_size: int = 1000) -> None:
        self._runtime = runtime
        self._codec = EventCodec()
        self.projections = {p.name: p for p in projections}
        self._batch_size = batch_size
        self._topics = {
            p.name: frozenset(self._codec.topic_of_class(c) for c in p.handled_events()) for p in projections
        }
        self._reconnecting: set[str] = set()

    async def run_forever(self) -> None:
        """Keep every projection up to date until cancelled."""
        async with asyncio.TaskGroup() as group:
            for projection in self.projections.values():
                group.create_task(self._own_and_run(projection))

    async def catch_up(self, name: str) -> LogCursor:
        """Bring one projection up to the head of the log (used by tests and the CLI)."""
        projection = self.projections[name]
        return await self._project(projection, projection.schema, await self._cursor(projection.schema))

    async def rebuild(self, name: str) -> LogCursor:
        """Rebuild from position zero into a shadow schema, then swap it in."""
        projection = self.projections[name]
        shadow = f"{projection.schema}_rebuild"
        await self._set_status(name, "rebuilding")
        async with self._runtime.pool.acquire() as connection, connection.transaction():
            await connection.execute(f"DROP SCHEMA IF EXISTS {shadow} CASCADE")
            await connection.execute(f"CREATE SCHEMA {shadow}")
            for table in await _tables(connection, projection.schema):
                await connection.execute(
                    f"CREATE TABLE {shadow}.{table} (LIKE {projection.schema}.{table} INCLUDING ALL)"
                )
        cursor = await self._project(projection, shadow, LOG_START)
        async with self._runtime.pool.acquire() as connection, connection.transaction():
            await connection.execute(f"DROP SCHEMA {projection.schema} CASCADE")
            await connection.execute(f"ALTER SCHEMA {shadow} RENAME TO {projection.schema}")
        await self._set_status(name, "running")
        return cursor

    async def _own_and_run(self, projection: Projection) -> None:
        """Own the projection and run it; after a lost connection, take it up again, for ever."""
        backoff = Backoff()
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            try:
                await self._own_and_run_once(projection)
            except ProjectionFailedError as failure:
                log.error("%s", failure)
                return
            except RETRIED as error:
                if loop.time() - started > _STEADY_AFTER:
                    backoff.reset()
                delay = backoff.next()
                message = f"projection {projection.name} reconnecting after {type(error).__name__}"
                # Said once per outage; each further attempt only at debug level.
                first = projection.name not in self._reconnecting
                self._reconnecting.add(projection.name)
                log.log(
                    logging.WARNING if first else logging.DEBUG,
                    "%s; trying again in %.2f s",
                    message,
                    delay,
                    extra={"event": "projection_reconnecting", "projection": projection.name},
                )
                await self._try_set_status(projection.name, "reconnecting", message)
                await asyncio.sleep(delay)
            except Exception as error:
                # Neither an event's fault nor a lost connection (a missing schema, say): this projection's alone.
                message = f"projection {projection.name} stopped: {type(error).__name__}"
                log.error("%s", message)
                await self._try_set_status(projection.name, "failed", message)
                return

    async def _own_and_run_once(self, projection: Projection) -> None:
        lock = lock_key(projection.name)
        # The lock lives as long as its own connection (not a pooled one): if this process
        # dies, PostgreSQL releases it and another worker takes the projection over.
        holder = await asyncpg.connect(self._runtime.url)
        try:
            while not await holder.fetchval("SELECT pg_try_advisory_lock($1)", lock):  # noqa: ASYNC110
                # Another worker owns this projection; take over if it stops.
                await asyncio.sleep(self._runtime.poll_interval * 5)
            # The lock goes with its connection: once that is lost, so is the right to write.
            watch = until_lost(holder, ping_every=max(self._runtime.poll_interval * 5, 1.0))
            await _until_first_ends(self._run(projection), watch, lost=LockLostError(projection.name))
        finally:
            await close_quietly(holder)

    async def _run(self, projection: Projection) -> None:
        """Tail the log for one projection; when a rebuild is asked for, do it, then tail on from there."""
        if await self._status_of(projection.name) in _REBUILD_PENDING:
            cursor = await self.rebuild(projection.name)  # asked for, or cut short, while it was not running
        else:
            await self._set_status(projection.name, "running")
            cursor = await self._cursor(projection.schema)
        if projection.name in self._reconnecting:
            self._reconnecting.discard(projection.name)
            log.info(
                "projection %s resumed",
                projection.name,
                extra={"event": "projection_resumed", "projection": projection.name},
            )
        while True:
            cursor = await self._project(projection, projection.schema, cursor, tail=True)
            cursor = await self.rebuild(projection.name)  # tailing stops only when one is requested

    async def _project(
        self, projection: Projection, schema: str, cursor: LogCursor, *, tail: bool = False
    ) -> LogCursor:
        """Apply the log after ``cursor`` into ``schema``, a batch at a time, up to its head (or on, with ``tail``).

        Returns the position reached; tailing returns only when a rebuild is requested.
        """
        batches = follow(
            self._runtime.store,
            self._runtime.notifier,
            after=cursor,
            topics=self._topics[projection.name],
            batch_size=self._batch_size,
            poll_interval=self._runtime.poll_interval,
            until_caught_up=not tail,
            stop_if=functools.partial(self._rebuild_requested, projection.name) if tail else None,
        )
        async with contextlib.aclosing(batches):
            async for batch in batches:
                cursor = await self._step(projection, schema, batch, cursor)
        return cursor

    async def _step(
        self, projection: Projection, schema: str, batch: list[RecordedEvent], cursor: LogCursor
    ) -> LogCursor:
        """Apply a batch and its tracking position in one transaction (``cursor``: where the batch starts)."""
        envelopes = []
        for recorded in batch:
            try:
                envelopes.append(self._envelope(recorded))
            except CodecError as error:
                failure = ProjectionFailedError(projection.name, recorded.position, recorded.topic, error)
                await self._set_status(projection.name, "failed", str(failure))
                raise failure from None
        try:
            await self._apply(projection, schema, envelopes, cursor, batch[-1].cursor)
        except RETRIED:
            raise  # not the events' fault: the batch is applied again once the database is back
        except Exception:
            # Writes were batched, so the event at fault is not known yet: replay the batch one
            # write at a time (and roll it back again) to name it.
            failure = await self._locate_failure(projection, schema, envelopes)
            await self._set_status(projection.name, "failed", str(failure))
            raise failure from None
        return batch[-1].cursor

    async def _apply(
        self,
        projection: Projection,
        schema: str,
        envelopes: list[ProjectedEvent],
        first: LogCursor,
        last: LogCursor,
    ) -> None:
        async with self._runtime.pool.acquire() as connection, connection.transaction():
            await connection.execute(f"SET LOCAL search_path TO {schema}, public")
            # First, so that the row is locked before any write: the position moves from ``first``
            # to ``last`` only if it still is at ``first`` (else another worker has moved it).
            moved = await connection.execute(
                """INSERT INTO tracking (transaction_id, position, progressed_at) VALUES ($1, $2, now())
                   ON CONFLICT (singleton) DO UPDATE SET transaction_id = $1, position = $2, progressed_at = now()
                   WHERE tracking.transaction_id = $3 AND tracking.position = $4""",
                last.transaction_id,
                last.position,
                first.transaction_id,
                first.position,
            )
            if moved.endswith(" 0"):
                raise OwnershipLostError(f"projection {projection.name}: the tracking row moved on")
            projection.begin()
            writer = BatchWriter(connection)
            for envelope in envelopes:
                await projection.apply(writer, envelope)
            await projection.flush(writer)
            await writer.flush()
        self._runtime.notifier.projected()  # committed: a page waiting for this position may go on

    async def _locate_failure(
        self, projection: Projection, schema: str, envelopes: list[ProjectedEvent]
    ) -> ProjectionFailedError:
        culprit = envelopes[-1]
        cause: Exception = RuntimeError("the batch could not be committed")
        async with self._runtime.pool.acquire() as connection:
            transaction = connection.transaction()
            await transaction.start()
            try:
                await connection.execute(f"SET LOCAL search_path TO {schema}, public")
                projection.begin()
                writer = BatchWriter(connection)
                for envelope in envelopes:
                    culprit = envelope
                    await projection.apply(writer, envelope)
                    await writer.flush()
                await projection.flush(writer)
                await writer.flush()
            except Exception as error:
                cause = error
            finally:
                await transaction.rollback()
        return ProjectionFailedError(projection.name, culprit.position, culprit.topic, cause)

    def _envelope(self, recorded: RecordedEvent) -> ProjectedEvent:
        event = None
        if recorded.payload is not None:
            event = self._codec.decode(recorded.topic, recorded.payload, recorded.stream_id, recorded.version)
        return ProjectedEvent(
            position=recorded.position,
            stream_id=recorded.stream_id,
            subject_id=recorded.subject_id,
            recorded_at=recorded.recorded_at,
            actor_id=recorded.actor_id,
            category=recorded.category,
            topic=recorded.topic,
            event=event,
        )

    async def _cursor(self, schema: str) -> LogCursor:
        async with self._runtime.pool.acquire() as connection:
            row = await connection.fetchrow(f"SELECT transaction_id, position FROM {schema}.tracking")
        return LOG_START if row is None else LogCursor(row["transaction_id"], row["position"])

    async def _set_status(self, name: str, state: str, error: str | None = None) -> None:
        async with self._runtime.pool.acquire() as connection:
            await connection.execute(
                """INSERT INTO projection_status (name, state, error) VALUES ($1, $2, $3)
                   ON CONFLICT (name) DO UPDATE SET state = $2, error = $3, updated_at = now()""",
                name,
                state,
                error,
            )

    async def _try_set_status(self, name: str, state: str, error: str) -> None:
        """Record the state if the database can be reached soon; never fail for it.

        ``reconnecting`` leaves a pending rebuild recorded: it is done once the projection runs again.
        """
        kept = list(_REBUILD_PENDING) if state == "reconnecting" else []

        async def record() -> None:
            async with self._runtime.pool.acquire() as connection:
                await connection.execute(
                    """INSERT INTO projection_status (name, state, error) VALUES ($1, $2, $3)
                       ON CONFLICT (name) DO UPDATE SET state = $2, error = $3, updated_at = now()
                       WHERE projection_status.state <> ALL($4::text[])""",
                    name,
                    state,
                    error,
                    kept,
                )

        with contextlib.suppress(Exception):
            async with asyncio.timeout(_STATUS_TIMEOUT):  # not wait_for, which can swallow a cancellation on 3.11
                await record()

    async def _status_of(self, name: str) -> str | None:
        async with self._runtime.pool.acquire() as connection:
            state = await connection.fetchval("SELECT state FROM projection_status WHERE name = $1", name)
        return None if state is None else str(state)

    async def _rebuild_requested(self, name: str) -> bool:
        return await self._status_of(name) == "rebuild_requested"


async def _tables(connection: Connection, schema: str) -> list[str]:
    rows = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename", schema)
    return [row["tablename"] for row in rows]


async def _until_first_ends(
    work: Coroutine[Any, Any, None], watch: Coroutine[Any, Any, None], *, lost: Exception
) -> None:
    """Run ``work`` while ``watch`` has not returned; if it returns first, stop the work and raise ``lost``."""
    working = asyncio.ensure_future(work)
    watching = asyncio.ensure_future(watch)
    try:
        await asyncio.wait((working, watching), return_when=asyncio.FIRST_COMPLETED)
    finally:
        working.cancel()
        watching.cancel()
        await asyncio.gather(working, watching, return_exceptions=True)
    if working.done() and not working.cancelled():
        return working.result()  # its own end or error comes first (an event at fault, say)
    raise lost


def lock_key(name: str) -> int:
    """The advisory lock that makes one worker the owner of a projection."""
    return int.from_bytes(hashlib.sha256(b"suivi projection " + name.encode()).digest()[:8], "big", signed=True)
