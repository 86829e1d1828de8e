"""What handlers are given: built once in the lifespan, declared once as Litestar dependencies.

A read handler takes ``ctx`` and ``actor``; a command handler takes ``command`` (the same two
with its Idempotency-Key), and ``if_match`` when it accepts a version check. Everything else
a handler needs comes from ``services``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from projections.blind_index import BlindIndex
from service.application.context import Actor, ApplicationContext, Centre
from service.gdpr.retention import RetentionPolicy
from service.gdpr.tools import ErasureTools
from service.http.headers import IdempotencyKey, expecting, idempotency_key
from service.http.security import Principal, authenticate
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

    def context(self) -> ApplicationContext:
        centre = Centre(
            sites=self.settings.site_list,
            completion_attendance_percent=self.settings.completion_attendance_percent,
        )
        return ApplicationContext.from_runtime(self.runtime, clock=self.clock, index=self.index, centre=centre)


@dataclass(frozen=True)
class Command:
    """A command's caller: the context, who acts, and the Idempotency-Key they sent."""

    ctx: ApplicationContext
    actor: Actor
    idempotency_key: str | None

    def on(self, stream_id: UUID, if_match: str | None) -> ApplicationContext:
        """The context that refuses ``stream_id`` at any version but the one named by If-Match."""
        return expecting(self.ctx, stream_id, if_match)


def services_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Services:
    services: Services = connection.app.state.services
    return services


async def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """Who is calling, authenticated once per request (guards and handlers share the answer)."""
    known: Principal | None = connection.state.get("principal")
    if known is None:
        services = services_of(connection)
        known = await authenticate(connection, services.sessions, services.accounts, services.clock())
        connection.state["principal"] = known
    return known


def _services(state: State) -> Services:
    services: Services = state.services
    return services


async def _principal(request: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    return await principal_of(request)


def _actor(principal: NamedDependency[Principal]) -> Actor:
    return principal.actor


def _context(services: NamedDependency[Services]) -> ApplicationContext:
    return services.context()


def _command(
    ctx: NamedDependency[ApplicationContext], actor: NamedDependency[Actor], key: IdempotencyKey = None
) -> Command:
    return Command(ctx, actor, idempotency_key(key))


DEPENDENCIES = {
    "services": Provide(_services, sync_to_thread=False),
    "principal": Provide(_principal),
    "actor": Provide(_actor, sync_to_thread=False),
    "ctx": Provide(_context, sync_to_thread=False),
    "command": Provide(_command, sync_to_thread=False),
}
