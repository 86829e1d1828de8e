"""Runs projections: each reads the log in order and commits its writes with its position.

Every projection runs on its own: a failure stops that one, records where and why
(position and event type, never personal data) and leaves the others going. An
advisory lock per projection makes sure that, however many workers run, exactly one
processes a given projection at a time. A rebuild fills a shadow schema from position
zero while the live one stays readable, then swaps the two in one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from projections.base import Projection
from service.storage.codec import CodecError, EventCodec
from service.storage.database import Connection
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


class ProjectionRunner:
    def __init__(self, runtime: Runtime, projections: list[Projection], *, batch_size: int = 1000) -> None:
        self._runtime = runtime
        self._codec = EventCodec()
        self.projections = {p.name: p for p in projections}
        self._batch_size = batch_size
        self._topics = {
            p.name: frozenset(self._codec.topic_of_class(c) for c in p.handled_events()) for p in projections
        }

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
        lock = lock_key(projection.name)
        # The lock lives as long as its own connection (not a pooled one): if this process
        # dies, PostgreSQL releases it and another worker takes the projection over.
        holder = await asyncpg.connect(self._runtime.url)
        try:
            while not await holder.fetchval("SELECT pg_try_advisory_lock($1)", lock):  # noqa: ASYNC110
                # Another worker owns this projection; take over if it stops.
                await asyncio.sleep(self._runtime.poll_interval * 5)
            try:
                await self._run(projection)
            except ProjectionFailedError as failure:
                log.error("%s", failure)
            except Exception as error:
                # Not an event's fault (a lost connection, say): still this projection's alone, and reported.
                message = f"projection {projection.name} stopped: {type(error).__name__}"
                log.error("%s", message)
                with contextlib.suppress(Exception):
                    await self._set_status(projection.name, "failed", message)
        finally:
            await holder.close()

    async def _run(self, projection: Projection) -> None:
        """Tail the log for one projection; when a rebuild is asked for, do it, then tail on from there."""
        await self._set_status(projection.name, "running")
        cursor = await self._cursor(projection.schema)
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
                cursor = await self._step(projection, schema, batch)
        return cursor

    async def _step(self, projection: Projection, schema: str, batch: list[RecordedEvent]) -> LogCursor:
        """Apply a batch and its tracking position in one transaction."""
        envelopes = []
        for recorded in batch:
            try:
                envelopes.append(self._envelope(recorded))
            except CodecError as error:
                failure = ProjectionFailedError(projection.name, recorded.position, recorded.topic, error)
                await self._set_status(projection.name, "failed", str(failure))
                raise failure from None
        try:
            await self._apply(projection, schema, envelopes, batch[-1].cursor)
        except Exception:
            # Writes were batched, so the event at fault is not known yet: replay the batch one
            # write at a time (and roll it back again) to name it.
            failure = await self._locate_failure(projection, schema, envelopes)
            await self._set_status(projection.name, "failed", str(failure))
            raise failure from None
        return batch[-1].cursor

    async def _apply(
        self, projection: Projection, schema: str, envelopes: list[ProjectedEvent], last: LogCursor
    ) -> None:
        async with self._runtime.pool.acquire() as connection, connection.transaction():
            await connection.execute(f"SET LOCAL search_path TO {schema}, public")
            projection.begin()
            writer = BatchWriter(connection)
            for envelope in envelopes:
                await projection.apply(writer, envelope)
            await projection.flush(writer)
            await writer.flush()
            await connection.execute(
                """INSERT INTO tracking (transaction_id, position) VALUES ($1, $2)
                   ON CONFLICT (singleton) DO UPDATE SET transaction_id = $1, position = $2""",
                last.transaction_id,
                last.position,
            )

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

    async def _rebuild_requested(self, name: str) -> bool:
        async with self._runtime.pool.acquire() as connection:
            state = await connection.fetchval("SELECT state FROM projection_status WHERE name = $1", name)
        return bool(state == "rebuild_requested")


async def _tables(connection: Connection, schema: str) -> list[str]:
    rows = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename", schema)
    return [row["tablename"] for row in rows]


def lock_key(name: str) -> int:
    """The advisory lock that makes one worker the owner of a projection."""
    return int.from_bytes(hashlib.sha256(b"suivi projection " + name.encode()).digest()[:8], "big", signed=True)
