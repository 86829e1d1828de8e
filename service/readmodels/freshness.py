"""Read your own writes: wait, briefly, until the read models have reached a place in the log.

A command answers where its append is in the log (``AppendResult.log_position``); the page that
follows (or an API read that asks for it) waits here until every read model that is being kept up
to date has passed that position, for at most ``within`` seconds, then reads what there is. It never
fails: a database that cannot be reached, or a projection that does not move, only ends the wait.

Which read models are waited for: those a worker owns now (it holds the projection's advisory
lock, in this process or another) and that say they are ``running``. One that nobody runs (a
failed projection, a deployment without a worker, the tests' apps that project by hand), or that is
being rebuilt, would not get there in time: waiting for it would only slow every page down. Nor is
a position that no event is at (made up, or another database's): it would only hold the request up.

A projection of this process wakes the waiters at each batch it commits (``LogNotifier.progress``);
one run by another process is seen by polling its tracking row, every few milliseconds at first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

import asyncpg

from service.readmodels.registry import PROJECTION_SCHEMAS
from service.readmodels.runner import lock_key
from service.storage.eventstore.records import LogCursor
from service.storage.eventstore.subscription import LogNotifier

WITHIN = 2.0
"""Seconds a page waits at most for the read models after a write, before it shows what there is."""
_FIRST_LOOK = 0.005
_LAST_LOOK = 0.05

log = logging.getLogger("suivi.fresh_reads")

# The advisory locks held in this database. A bigint key is shown split in two: classid (its high half)
# and objid; shifting back within a bigint gives the signed key again, as ``lock_key`` makes it.
_OWNED = """
SELECT (classid::bigint << 32) | objid::bigint AS key FROM pg_locks
WHERE locktype = 'advisory' AND objsubid = 1 AND granted
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""

_AN_EVENT = "SELECT EXISTS (SELECT 1 FROM events WHERE position = $1 AND transaction_id = $2::text::xid8)"


class FreshReads:
    """Waits for the read models this deployment keeps up to date to reach a position."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        notifier: LogNotifier,
        *,
        schemas: Mapping[str, str] = PROJECTION_SCHEMAS,
        within: float = WITHIN,
    ) -> None:
        self._pool = pool
        self._notifier = notifier
        self._schemas = dict(schemas)
        self._locks = {lock_key(name): name for name in self._schemas}
        self.within = within
        self.waiting = 0
        """How many waits are under way (tests watch it to know that a page is waiting)."""
        self.waited = 0
        """How many waits found a read model behind the position (the others answered at once)."""

    async def wait_for(self, position: LogCursor) -> bool:
        """Whether the read models got to ``position`` within the bound; never raises for a database problem."""
        self.waiting += 1
        try:
            async with asyncio.timeout(self.within):
                await self._until_reached(position)
            return True
        except TimeoutError:
            log.info("the read models were not there in time", extra={"event": "fresh_read_late"})
            return False
        except Exception as error:  # the page still answers, with what the read models hold
            log.warning(
                "the read models could not be asked where they are",
                extra={"event": "fresh_read_failed", "error_type": type(error).__name__},
            )
            return False
        finally:
            self.waiting -= 1

    async def _until_reached(self, position: LogCursor) -> None:
        with self._notifier.progress() as progressed:
            if not await self._is_an_event(position):
                return
            behind = await self._behind(position, await self.running())
            self.waited += bool(behind)
            pause = _FIRST_LOOK
            while behind:
                progressed.clear()
                try:
                    async with asyncio.timeout(pause):  # not wait_for, which can swallow a cancellation on 3.11
                        await progressed.wait()
                except TimeoutError:
                    pause = min(pause * 2, _LAST_LOOK)
                behind = await self._behind(position, behind)

    async def _is_an_event(self, position: LogCursor) -> bool:
        """A position some answer gave is an event's, committed. Any other (made up, or from another
        database) would only hold the request up until the bound: it is not waited for."""
        async with self._pool.acquire() as connection:
            found = await connection.fetchval(_AN_EVENT, position.position, str(position.transaction_id))
        return bool(found)

    async def running(self) -> list[str]:
        """The projections waited for: a worker owns them now, and they say they are running."""
        async with self._pool.acquire() as connection:
            owned = {self._locks.get(row["key"]) for row in await connection.fetch(_OWNED)}
            rows = await connection.fetch(
                "SELECT name FROM projection_status WHERE state = 'running' AND name = ANY($1::text[])",
                [name for name in owned if name is not None],
            )
        return [row["name"] for row in rows]

    async def _behind(self, position: LogCursor, names: list[str]) -> list[str]:
        """Those of ``names`` whose tracking position has not reached ``position`` (or that have none yet)."""
        if not names:
            return []
        reached = " UNION ALL ".join(
            f"SELECT ${i + 3}::text AS name FROM {self._schemas[name]}.tracking"
            " WHERE (transaction_id, position) >= ($1, $2)"
            for i, name in enumerate(names)
        )
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(reached, position.transaction_id, position.position, *names)
        there = {row["name"] for row in rows}
        return [name for name in names if name not in there]
