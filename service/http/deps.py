"""What handlers are given: built once in the lifespan, declared once as Litestar dependencies.

A read handler takes ``ctx`` and ``actor``; a command handler takes ``command`` (the same two
with its Idempotency-Key), and ``if_match`` when it accepts a version check. Everything else
a handler needs comes from ``services``.

Each request's ``ctx`` records where its commands got to in the log (``ctx.written``, kept in the
request's state for ``service.app`` to answer it); a request that sends ``Suivi-Log-Position``
gets its ``ctx`` once the read models have reached that position (or the wait's bound has passed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.types import Scope

from projections.blind_index import BlindIndex
from service.application.context import Actor, ApplicationContext, Centre, Written
from service.gdpr.retention import RetentionPolicy
from service.gdpr.tools import ErasureTools
from service.http.headers import IdempotencyKey, ReadAfter, expecting, idempotency_key, log_position
from service.http.security import Principal, authenticate
from service.readmodels.freshness import FreshReads
from service.settings import Settings
from service.staff.accounts import StaffAccounts
from service.staff.sessions import Sessions
from service.storage.runtime import Runtime


@dataclass(frozen=True)
class Services:
    runtime: Runtime
    accounts: StaffAccounts
    sessions: Sessions
    index: BlindIndex
    clock: Callable[[], datetime]
    secure_cookies: bool
    sign_in_delay: Callable[[float], Any]
    """Awaitable sleep used to slow down repeated failed sign-ins (tests pass a no-op)."""
    gdpr_tools: ErasureTools
    """Signing keys and the erasure ledger file, for the DPO's erasures."""
    retention: RetentionPolicy
    settings: Settings
    """For the record of processing (controller, DPO contact, retention) and the rights-request warning."""
    fresh_reads: FreshReads
    """Waits for the read models to reach a request's writes (read your own writes)."""

    def context(self, written: Written | None = None) -> ApplicationContext:
        centre = Centre(
            sites=self.settings.site_list,
            completion_attendance_percent=self.settings.completion_attendance_percent,
            retention_social_legal_years=self.settings.retention_social_legal_years,
        )
        return ApplicationContext.from_runtime(
            self.runtime, clock=self.clock, index=self.index, centre=centre, written=written
        )


@dataclass(frozen=True)
class Command:
    """A command's caller: the context, who acts, and the Idempotency-Key they sent."""

    ctx: ApplicationContext
    actor: Actor
    idempotency_key: str | None

    def on(self, stream_id: UUID, if_match: str | None) -> ApplicationContext:
        """The context that refuses ``stream_id`` at any version but the one named by If-Match."""
        return expecting(self.ctx, stream_id, if_match)


WRITTEN = "suivi.written"
"""Where a request's ``Written`` is kept in its state (the ASGI scope's)."""


def written_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Written:
    """The request's one record of its writes, however many contexts it builds."""
    known: Written | None = connection.state.get(WRITTEN)
    if known is None:
        known = Written()
        connection.state[WRITTEN] = known
    return known


def written_in(scope: Scope) -> Written | None:
    found = scope.get("state", {}).get(WRITTEN)
    return found if isinstance(found, Written) else None


def services_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Services:
    services: Services = connection.app.state.services
    return services


async def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """Who is calling, authenticated once per request (guards and handlers share the answer).

    The session and the account behind it come from memory when this process read them less than
    ``service.staff.sessions.RECENT`` seconds ago and has heard of no change to them since.
    """
    known: Principal | None = connection.state.get("principal")
    if known is None:
        services = services_of(connection)
        sessions = services.sessions
        if not sessions.watching and services.runtime.listener is not None:
            await sessions.watch(services.runtime.listener)
        known = await authenticate(connection, sessions, sessions.staff, services.clock())
        connection.state["principal"] = known
    return known


def _services(state: State) -> Services:
    services: Services = state.services
    return services


# The dependencies form one chain (services, principal, actor, ctx, command), each needing the one
# before: Litestar resolves the dependencies of one level concurrently, each in a task of its own,
# which cost about a tenth of a command's CPU; a chain has one per level and costs none. It also
# means no request waits for the read models (``ctx``) before its caller is known; a public handler
# (no sign-in) takes ``services`` and builds its context with ``services.context()``.


async def _principal(services: NamedDependency[Services], request: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    return await principal_of(request)


def _actor(principal: NamedDependency[Principal]) -> Actor:
    return principal.actor


async def _context(
    services: NamedDependency[Services],
    actor: NamedDependency[Actor],
    request: Request[Any, Any, Any],
    read_after: ReadAfter = None,
) -> ApplicationContext:
    position = log_position(read_after)
    if position is not None:
        await services.fresh_reads.wait_for(position)  # bounded, and never an error: then reads what there is
    return services.context(written_of(request))


def _command(
    ctx: NamedDependency[ApplicationContext], actor: NamedDependency[Actor], key: IdempotencyKey = None
) -> Command:
    return Command(ctx, actor, idempotency_key(key))


DEPENDENCIES = {
    "services": Provide(_services, sync_to_thread=False),
    "principal": Provide(_principal),
    "actor": Provide(_actor, sync_to_thread=False),
    "ctx": Provide(_context),
    "command": Provide(_command, sync_to_thread=False),
}
