"""Work one process does at a time (the daily retention run): a second waits; the work moves when the first is lost."""

from __future__ import annotations

import asyncio
import contextlib
import functools

import asyncpg

from service.storage.singleton import run_alone, singleton_lock_key
from tests.processes.suivi_processes import until

_HOLDER = """SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
             AND ((classid::bigint << 32) | objid::bigint) = $1"""
_TRYING = "SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_try_advisory_lock%' AND pid <> $1"


async def test_one_process_at_a_time_runs_it_and_another_takes_over_when_it_is_lost(database_url) -> None:
    running: list[str] = []
    at_once = 0
    most_at_once = 0

    async def work(name: str) -> None:
        nonlocal at_once, most_at_once
        running.append(name)
        at_once += 1
        most_at_once = max(most_at_once, at_once)
        try:
            await asyncio.Event().wait()  # runs until cancelled
        finally:
            at_once -= 1

    alone = functools.partial(run_alone, database_url, "test work", look_every=0.05, ping_every=0.2)
    admin = await asyncpg.connect(database_url)
    tasks = [asyncio.create_task(alone(functools.partial(work, "first")))]
    try:
        await until(lambda: running == ["first"], deadline=10, what="the first running it")
        holder = await admin.fetchval(_HOLDER, singleton_lock_key("test work"))
        tasks.append(asyncio.create_task(alone(functools.partial(work, "second"))))

        async def second_waiting() -> bool:
            return await admin.fetchval(_TRYING, holder) is not None

        await until(second_waiting, deadline=10, what="the second trying for the lock")
        assert running == ["first"], "the second ran while the first held the lock"
        await admin.execute("SELECT pg_terminate_backend($1)", holder)  # the first's database connection is lost
        # Its work is cancelled; whoever takes the lock next (the second, most likely) starts it again.
        await until(lambda: len(running) == 2, deadline=20, what="the work started again after the loss")
        assert most_at_once == 1, "two ran it at once"
    finally:
        for task in tasks:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*tasks)
        await admin.close()
