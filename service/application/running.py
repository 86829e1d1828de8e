"""How every command runs: idempotency, one atomic append, and retries of commands that commute.

A command's ``decide`` step loads, authorises and calls the domain, and returns the
changed aggregates with the result to answer. The result is computed before the append
and stored with it (msgpack), so a retry with the same idempotency key answers exactly
what the first attempt answered, and writes nothing.

Where the append got to in the log (the first attempt's, for a replay) is recorded on
``ctx.written``, beside the result: what follows can wait for the read models to get there.

For a ``repeatable`` command (one that may be decided again at no cost: a note with its own id,
attendance ...) the idempotency check is part of the append, one round trip for the whole command:
a repeat is decided again, and its append, finding the key taken, answers the first attempt's
result. Only a repeat whose decision fails (its If-Match is out of date now ...) looks the key up
on its own, before the error is let through. Other commands look the key up before deciding, as
their decision may take something of its own that a repeat must not take again (a file number).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar
from uuid import UUID

import msgspec

from domain.base import SuiviAggregate
from service.application.context import Actor, ApplicationContext
from service.storage.eventstore.records import ConcurrencyError, LogCursor, TransientStoreError
from service.storage.repository import StaleAggregateError, deciding

R = TypeVar("R", bound=msgspec.Struct)

_STALE_RETRIES = 3
"""Times a command is decided again because a stream it took from memory was out of date."""


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    """Base of every command result: the new version of each stream the command changed."""

    versions: dict[UUID, int]


@dataclass(frozen=True)
class Decision(Generic[R]):
    changed: tuple[SuiviAggregate, ...]
    result: R


Decide = Callable[[datetime], Awaitable[Decision[R]]]


def versions_of(*aggregates: SuiviAggregate) -> dict[UUID, int]:
    return {aggregate.id: aggregate.version for aggregate in aggregates}


def fingerprint(command: msgspec.Struct, actor: Actor) -> bytes:
    """Identifies the command, so that a key reused for another command is refused.

    Roles are sorted: a frozenset's order changes between processes.
    """
    encoded = msgspec.msgpack.encode(
        (type(command).__qualname__, command, actor.staff_id, sorted(actor.roles)),
    )
    return hashlib.sha256(encoded).digest()


async def execute(
    ctx: ApplicationContext,
    actor: Actor,
    command: msgspec.Struct,
    decide: Decide[R],
    result_type: type[R],
    *,
    idempotency_key: str | None,
    repeatable: bool,
) -> R:
    """Run ``decide`` and append its events atomically.

    ``repeatable`` commands (a note with its own id, attendance, ...) commute with every
    other change: on a conflict they are decided again on fresh state, with a jittered
    pause, until ``ctx.conflict_deadline`` has passed, so that a burst of writers to one
    case all get theirs. A version check the caller asked for (If-Match) still fails at
    once: ``decide`` reloads through a repository that refuses any other version. Other
    commands report the conflict, because the person who sent them decided on a state
    that has since changed.
    """
    command_fingerprint = fingerprint(command, actor)
    if idempotency_key is not None and not repeatable:
        earlier = await ctx.repository.store.earlier_result(idempotency_key, command_fingerprint)
        if earlier is not None:
            return _replayed(ctx, earlier.log_position, earlier.response, result_type)
    at = ctx.clock()
    loop = asyncio.get_running_loop()
    give_up_at = loop.time() + ctx.conflict_deadline
    pause = 0.002
    stale = 0
    while True:
        try:
            # Only a repeatable command decides on streams as this process remembers them: after a
            # conflict on one, a stale memory and a writer that came in meanwhile look the same, and a
            # command that is not repeatable must answer the second with a conflict (409).
            with deciding() if repeatable else contextlib.nullcontext():
                decision = await decide(at)
        except Exception:
            if idempotency_key is not None and repeatable:
                earlier = await ctx.repository.store.earlier_result(idempotency_key, command_fingerprint)
                if earlier is not None:  # a repeat of a command that was carried out: its first answer
                    return _replayed(ctx, earlier.log_position, earlier.response, result_type)
            raise
        try:
            appended = await ctx.repository.save(
                *decision.changed,
                actor_id=actor.staff_id,
                idempotency_key=idempotency_key,
                fingerprint=command_fingerprint,
                response=msgspec.msgpack.encode(decision.result),
            )
        except (ConcurrencyError, TransientStoreError) as error:
            if isinstance(error, StaleAggregateError) and stale < _STALE_RETRIES:
                # Decided on a stream as this process remembered it, and someone wrote since: the decision
                # was never the caller's to lose, so it is taken again on the stream read afresh, at once.
                stale += 1
                continue
            if not repeatable or loop.time() >= give_up_at:
                raise
            await asyncio.sleep(random.uniform(0, pause))  # noqa: S311 (jitter, not a secret)
            pause = min(pause * 2, 0.1)
            continue
        if appended.replayed:
            # The key was taken: by this command's first attempt (or the same command, committed while
            # this one was deciding). IdempotencyKeyReusedError came instead if another command took it.
            return _replayed(ctx, appended.log_position, appended.response, result_type)
        ctx.written.reached(appended.log_position)
        return decision.result


def _replayed(ctx: ApplicationContext, position: LogCursor | None, response: bytes, result_type: type[R]) -> R:
    ctx.written.reached(position)
    return msgspec.msgpack.decode(response, type=result_type)
