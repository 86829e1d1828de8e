"""A projection's writes over a batch, sent as a few pipelined ``executemany`` instead of a round trip each.

A batch of a thousand events is mostly a few kinds of writes. One after the other, a run of the
same statement is one ``executemany``. Interleaved (a visit checked in, called, helped; then the
next visit), they would still be a round trip each, unless the projection says which rows an
event's writes touch: its ``write_key``. Writes for different keys touch different rows, so they
commute, and a write joins the latest run of its statement unless a write for the same key was
queued after that run. Writes for one key keep their order. A write with no key is a barrier:
nothing moves across it. Any read first sends everything queued, in order.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from service.storage.database import Connection


class _Run:
    __slots__ = ("keyed", "query", "rows")

    def __init__(self, query: str, row: tuple[Any, ...], *, keyed: bool) -> None:
        self.query = query
        self.rows = [row]
        self.keyed = keyed


class BatchWriter:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.key: Hashable | None = None
        """The rows the writes from now on touch (set per event by the runner); None for a barrier."""
        self._runs: list[_Run] = []
        self._latest_run: dict[str, int] = {}
        """The index of each statement's latest keyed run."""
        self._latest_of_key: dict[Hashable, int] = {}
        """The index of the latest run holding a write for each key."""
        self._barrier = -1
        """The index of the latest run without a key: no write moves before it."""

    async def execute(self, query: str, *args: Any) -> str:
        runs, key = self._runs, self.key
        if key is None:
            if runs and not runs[-1].keyed and runs[-1].query == query:
                runs[-1].rows.append(args)
            else:
                runs.append(_Run(query, args, keyed=False))
                self._barrier = len(runs) - 1
            return ""
        index = self._latest_run.get(query, -1)
        if index > self._barrier and self._latest_of_key.get(key, -1) <= index:
            runs[index].rows.append(args)
        else:
            runs.append(_Run(query, args, keyed=True))
            index = self._latest_run[query] = len(runs) - 1
        self._latest_of_key[key] = index
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
        """Send what is queued, run by run, in order."""
        runs = self._runs
        self._runs, self._latest_run, self._latest_of_key, self._barrier = [], {}, {}, -1
        for run in runs:
            if len(run.rows) == 1:
                await self._connection.execute(run.query, *run.rows[0])
            else:
                await self._connection.executemany(run.query, run.rows)
