"""Runs projections: each applies the log in order and commits its writes with its position.

One reader of the log (``fanout.LogFanout``) reads, decrypts and decodes each event once for
every projection at the head; those behind it (started late, taken over from another worker,
just rebuilt) read up to the head together on a second one, then join it; and ``rebuild_all``
rebuilds several from one reader of their own.
Every projection keeps its own position and its own transaction per batch: a failure stops
that one, records where and why (position and event type, never personal data) and leaves
the others going. An
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
import hashlib
import logging
from collections.abc import Coroutine, Iterable
from typing import Any

import asyncpg

from projections.base import Projection
from service.readmodels.batch_writer import BatchWriter
from service.readmodels.fanout import (
    LogFanout,
    Member,
    ProjectedEvent,
    Undecodable,
    decode_batch,
)
from service.storage.codec import EventCodec
from service.storage.database import (
    LOST_CONNECTION,
    Backoff,
    Connection,
    close_quietly,
    create_pool,
    crossing_retried,
    until_lost,
)
from service.storage.eventstore.records import LOG_START, LogCursor, RecordedEvent
from service.storage.runtime import Runtime

__all__ = ["ProjectedEvent", "ProjectionRunner", "lock_key"]

log = logging.getLogger("suivi.projections")


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
        self._pool = runtime.pool
        """Where batches commit: the runtime's, but a pool of their own while ``run_forever`` runs."""
        self._codec = EventCodec()
        self.projections = {p.name: p for p in projections}
        self._batch_size = batch_size
        self._topics = {
            p.name: frozenset(self._codec.topic_of_class(c) for c in p.handled_events()) for p in projections
        }
        self._reconnecting: set[str] = set()
        # The one reader every running projection at the head shares; and the one those behind it
        # share up to the head (after a restart, say), so that they too decode each event once.
        self._live = self._fanout(self.projections, tail=True)
        self._behind = self._fanout(self.projections, tail=False)

    async def run_forever(self) -> None:
        """Keep every projection up to date until cancelled.

        Each projection holds a connection while its batch commits, and a batch may wait (on a lock,
        a slow disk): on a pool of their own, the projections never keep the process's requests
        waiting for a connection, nor requests them.
        """
        own = await create_pool(self._runtime.url, min_size=1, max_size=len(self.projections) + 1)
        self._pool = own
        try:
            async with asyncio.TaskGroup() as group:
                for projection in self.projections.values():
                    group.create_task(self._own_and_run(projection))
        finally:
            await self._live.close()
            await self._behind.close()
            self._pool = self._runtime.pool
            await own.close()

    async def catch_up(self, name: str) -> LogCursor:
        """Bring one projection up to the head of the log (used by tests and the CLI)."""
        projection = self.projections[name]
        return await self._project(projection, projection.schema, await self._cursor(projection.schema))

    async def rebuild(self, name: str) -> LogCursor:
        """Rebuild from position zero into a shadow schema, then swap it in."""
        outcome = (await self._rebuild_together([name]))[name]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    async def rebuild_all(self, names: Iterable[str] | None = None) -> dict[str, LogCursor]:
        """Rebuild several projections at once from one reader of the log, each swapped in as it is done.

        One that fails stops alone; the others go on, and the failures are raised together at the end.
        """
        outcomes = await self._rebuild_together(list(self.projections if names is None else names))
        failures = [o for o in outcomes.values() if isinstance(o, Exception)]
        if failures:
            raise ExceptionGroup("some rebuilds failed", failures)
        return {n: o for n, o in outcomes.items() if isinstance(o, LogCursor)}

    async def _rebuild_together(self, names: list[str]) -> dict[str, LogCursor | BaseException]:
        projections = [self.projections[name] for name in names]
        for projection in projections:
            await self._set_status(projection.name, "rebuilding")
            await self._prepare_shadow(projection)
        fanout = self._fanout({p.name: p for p in projections}, tail=False)
        try:
            # Every member joins before the reader reads anything: all start from position zero together.
            members = [(p, fanout.join(p.name, self._topics[p.name], LOG_START)) for p in projections]
            done = await asyncio.gather(
                *(self._rebuild_from(fanout, p, m) for p, m in members if m is not None), return_exceptions=True
            )
        finally:
            await fanout.close()
        return dict(zip(names, done, strict=True))

    async def _rebuild_from(self, fanout: LogFanout, projection: Projection, member: Member) -> LogCursor:
        shadow = f"{projection.schema}_rebuild"
        try:
            cursor, _ = await self._consume(projection, shadow, member, LOG_START)
        finally:
            fanout.leave(member)
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute(f"DROP SCHEMA {projection.schema} CASCADE")
            await connection.execute(f"ALTER SCHEMA {shadow} RENAME TO {projection.schema}")
        await self._set_status(projection.name, "running")
        return cursor

    async def _prepare_shadow(self, projection: Projection) -> None:
        shadow = f"{projection.schema}_rebuild"
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute(f"DROP SCHEMA IF EXISTS {shadow} CASCADE")
            await connection.execute(f"CREATE SCHEMA {shadow}")
            for table in await _tables(connection, projection.schema):
                await connection.execute(
                    f"CREATE TABLE {shadow}.{table} (LIKE {projection.schema}.{table} INCLUDING ALL)"
                )

    def _fanout(self, projections: dict[str, Projection], *, tail: bool) -> LogFanout:
        topics = frozenset().union(*(self._topics[name] for name in projections))
        return LogFanout(
            self._runtime,
            self._codec,
            topics,
            batch_size=self._batch_size,
            tail=tail,
            rebuild_requests=self._rebuilds_requested if tail else None,
        )

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
            cursor = await self._tail(projection, cursor)
            cursor = await self.rebuild(projection.name)  # tailing stops only when one is requested

    async def _tail(self, projection: Projection, cursor: LogCursor) -> LogCursor:
        """Apply the log from the shared reader, until a rebuild is requested.

        A projection behind the shared reader (started late, or just rebuilt) first reads up to the
        head with the others behind (on its own if their reader is already past it), then joins.
        """
        while (member := self._live.join(projection.name, self._topics[projection.name], cursor)) is None:
            cursor = await self._catch_up_behind(projection, cursor)
        try:
            cursor, _ = await self._consume(projection, projection.schema, member, cursor)
        finally:
            self._live.leave(member)
        return cursor

    async def _catch_up_behind(self, projection: Projection, cursor: LogCursor) -> LogCursor:
        member = self._behind.join(projection.name, self._topics[projection.name], cursor)
        if member is None:
            return await self._project(projection, projection.schema, cursor)
        try:
            cursor, _ = await self._consume(projection, projection.schema, member, cursor)
        finally:
            self._behind.leave(member)
        return cursor

    async def _project(self, projection: Projection, schema: str, cursor: LogCursor) -> LogCursor:
        """Apply the log after ``cursor`` into ``schema``, a batch at a time, up to its head, on a reader of its own."""
        fanout = self._fanout({projection.name: projection}, tail=False)
        member = fanout.join(projection.name, self._topics[projection.name], cursor)
        assert member is not None  # the first member of a reader not yet started
        try:
            cursor, _ = await self._consume(projection, schema, member, cursor)
        finally:
            fanout.leave(member)
            await fanout.close()
        return cursor

    async def _consume(
        self, projection: Projection, schema: str, member: Member, cursor: LogCursor
    ) -> tuple[LogCursor, str]:
        """Apply what the reader hands this member, until it says why it stops: (position reached, why)."""
        while True:
            item = await member.next()
            if isinstance(item, str):
                return cursor, item
            if isinstance(item, BaseException):
                raise item
            envelopes, last = item
            # What waits behind goes in the same transaction: a projection that handles few
            # events commits once for several batches, not once each.
            while len(envelopes) < self._batch_size and (following := member.waiting_batch()) is not None:
                envelopes, last = envelopes + following.envelopes, following.last
            if last <= cursor:
                continue  # joined ahead of the reader: had it already
            if envelopes and envelopes[0].cursor <= cursor:
                envelopes = [e for e in envelopes if e.cursor > cursor]
            await self._commit(projection, schema, envelopes, cursor, last)
            cursor = last

    async def _step(
        self, projection: Projection, schema: str, batch: list[RecordedEvent], cursor: LogCursor
    ) -> LogCursor:
        """Decode a batch read from the store and apply it (``cursor``: where the batch starts)."""
        topics = self._topics[projection.name]
        envelopes = [e for e in decode_batch(self._codec, batch) if e.event is not None and e.topic in topics]
        await self._commit(projection, schema, envelopes, cursor, batch[-1].cursor)
        return batch[-1].cursor

    async def _commit(
        self, projection: Projection, schema: str, envelopes: list[ProjectedEvent], first: LogCursor, last: LogCursor
    ) -> None:
        """Apply events and the tracking position in one transaction; an event at fault stops this projection alone."""
        for envelope in envelopes:
            if isinstance(envelope.event, Undecodable):
                failure = ProjectionFailedError(
                    projection.name, envelope.position, envelope.topic, envelope.event.error
                )
                await self._set_status(projection.name, "failed", str(failure))
                raise failure from None
        try:
            # A batch that crossed another transaction (an erasure purging the same rows) is applied again.
            await crossing_retried(lambda: _uncancelled(self._apply(projection, schema, envelopes, first, last)))
        except RETRIED:
            raise  # not the events' fault: the batch is applied again once the database is back
        except Exception:
            # Writes were batched, so the event at fault is not known yet: replay the batch one
            # write at a time (and roll it back again) to name it.
            failure = await self._locate_failure(projection, schema, envelopes)
            await self._set_status(projection.name, "failed", str(failure))
            raise failure from None

    async def _apply(
        self,
        projection: Projection,
        schema: str,
        envelopes: list[ProjectedEvent],
        first: LogCursor,
        last: LogCursor,
    ) -> None:
        async with self._pool.acquire() as connection, connection.transaction():
            # A read model's commit need not wait for the disk: its rows and its position commit
            # together, so a crash that loses the last few batches (PostgreSQL's asynchronous commit
            # loses whole transactions, never parts) leaves the position where its rows are, and the
            # batches are applied again from the log. The commands' own commits keep the disk to
            # themselves; under load the projections' fsyncs had them queue behind eleven more.
            settings = "SET LOCAL synchronous_commit TO off"
            if envelopes:
                settings += f"; SET LOCAL search_path TO {schema}, public"
            await connection.execute(settings)
            # First, so that the row is locked before any write: the position moves from ``first``
            # to ``last`` only if it still is at ``first`` (else another worker has moved it).
            moved = await connection.execute(
                f"""INSERT INTO {schema}.tracking AS tracking (transaction_id, position, progressed_at)
                   VALUES ($1, $2, now())
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
            await projection.prepare(writer, envelopes)
            for envelope in envelopes:
                writer.key = projection.write_key(envelope)
                await projection.apply(writer, envelope)
            writer.key = None
            await projection.flush(writer)
            await writer.flush()
        self._runtime.notifier.projected()  # committed: a page waiting for this position may go on

    async def _locate_failure(
        self, projection: Projection, schema: str, envelopes: list[ProjectedEvent]
    ) -> ProjectionFailedError:
        culprit = envelopes[-1]
        cause: Exception = RuntimeError("the batch could not be committed")
        async with self._pool.acquire() as connection:
            transaction = connection.transaction()
            await transaction.start()
            try:
                await connection.execute(f"SET LOCAL search_path TO {schema}, public")
                projection.begin()
                writer = BatchWriter(connection)
                await projection.prepare(writer, envelopes)
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
        return decode_batch(self._codec, [recorded])[0]

    async def _cursor(self, schema: str) -> LogCursor:
        async with self._pool.acquire() as connection:
            row = await connection.fetchrow(f"SELECT transaction_id, position FROM {schema}.tracking")
        return LOG_START if row is None else LogCursor(row["transaction_id"], row["position"])

    async def _set_status(self, name: str, state: str, error: str | None = None) -> None:
        async with self._pool.acquire() as connection:
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
            async with self._pool.acquire() as connection:
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
        async with self._pool.acquire() as connection:
            state = await connection.fetchval("SELECT state FROM projection_status WHERE name = $1", name)
        return None if state is None else str(state)

    async def _rebuilds_requested(self, names: list[str]) -> set[str]:
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(
                "SELECT name FROM projection_status WHERE name = ANY($1) AND state = 'rebuild_requested'", names
            )
        return {row["name"] for row in rows}


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


async def _uncancelled(work: Coroutine[Any, Any, None], *, grace: float = 30.0) -> None:
    """Run ``work`` to its end even if the caller is cancelled meanwhile (for up to ``grace`` seconds more).

    A batch's transaction is pipelined (executemany): cancelled halfway, asyncpg can leave the
    connection waiting for an answer that never comes, idle in a transaction that holds back
    every reader of the log. So a stop waits for the batch to commit or fail, then takes effect.
    """
    task = asyncio.ensure_future(work)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait({task}, timeout=grace)
        if task.done() and not task.cancelled():
            task.exception()  # seen: the stop is what the caller hears about
        else:
            task.cancel()
        raise


def lock_key(name: str) -> int:
    """The advisory lock that makes one worker the owner of a projection."""
    return int.from_bytes(hashlib.sha256(b"suivi projection " + name.encode()).digest()[:8], "big", signed=True)
