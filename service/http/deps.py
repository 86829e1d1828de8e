"""What handlers are given: built once in the lifespan, handed out as Litestar dependencies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from projections.blind_index import BlindIndex
from service.application.context import Actor, ApplicationContext
from service.gdpr.retention import RetentionPolicy
from service.gdpr.tools import ErasureTools
from service.http.security import Principal, authenticate
from service.settings import Settings
from service.staff.accounts import StaffAccounts
from service.staff.sessions import Sessions
from service.storage.runtime import Runtime
from service.storage.sealer import SubjectSealer


@dataclass(frozen=True)
class Services:
    runtime: Runtime
    accounts: StaffAccounts
    sessions: Sessions
    sealer: SubjectSealer
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


def _services(state: State) -> Services:
    services: Services = state.services
    return services


async def _principal(request: Request[Any, Any, Any], services: NamedDependency[Services]) -> Principal:
    return await authenticate(request, services.sessions, services.accounts, services.clock())


def _actor(principal: NamedDependency[Principal]) -> Actor:
    return principal.actor


def _context(services: NamedDependency[Services]) -> ApplicationContext:
    return ApplicationContext.from_runtime(services.runtime, clock=services.clock)


DEPENDENCIES = {
    "services": Provide(_services, sync_to_thread=False),
    "principal": Provide(_principal),
    "actor": Provide(_actor, sync_to_thread=False),
    "ctx": Provide(_context, sync_to_thread=False),
}
