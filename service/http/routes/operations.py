"""Liveness, readiness and metrics: nothing personal in any of them."""

from __future__ import annotations

import asyncpg
import msgspec
from litestar import Response, get
from litestar.di import NamedDependency

from service.http.deps import Services
from service.http.metrics import CONTENT_TYPE, HttpMetrics
from service.readmodels.registry import PROJECTION_SCHEMAS
from service.readmodels.status import ProjectionState, projection_states
from service.storage.database import LOST_CONNECTION

_UNREACHABLE: tuple[type[Exception], ...] = (*LOST_CONNECTION, asyncpg.PostgresError)


class Health(msgspec.Struct, frozen=True):
    status: str
    database: str


class Readiness(msgspec.Struct, frozen=True):
    status: str
    database: str
    projections: dict[str, str]


@get("/health", tags=["operations"])
async def health(services: NamedDependency[Services]) -> Response[Health]:
    try:
        async with services.runtime.pool.acquire(timeout=2) as connection:
            await connection.fetchval("SELECT 1")
    except _UNREACHABLE:
        return Response(Health("unavailable", "unreachable"), status_code=503)
    return Response(Health("ok", "ok"))


@get("/ready", tags=["operations"])
async def ready(services: NamedDependency[Services]) -> Response[Readiness]:
    """Ready when every projection is running (or was never needed) and none has left an event
    waiting longer than ``SUIVI_READY_MAX_LAG_SECONDS``: measured by age, not by a count of events.
    """
    max_lag = services.settings.ready_max_lag_seconds
    try:
        states = await projection_states(
            services.runtime, PROJECTION_SCHEMAS, clock=services.clock, stalled_after=max_lag
        )
    except _UNREACHABLE:
        return Response(Readiness("unavailable", "unreachable", {}), status_code=503)
    summary = {s.name: _readiness(s, max_lag) for s in states}
    ok = all(v == "caught_up" for v in summary.values())
    return Response(Readiness("ready" if ok else "not_ready", "ok", summary), status_code=200 if ok else 503)


def _readiness(state: ProjectionState, max_lag: float) -> str:
    """``caught_up``, ``catching_up`` (behind by more than ``max_lag`` seconds), or the state that keeps it back."""
    if state.state not in ("running", "idle"):
        return state.state  # failed, reconnecting, stalled, rebuild_requested, rebuilding
    return "caught_up" if state.behind_seconds <= max_lag else "catching_up"


@get("/metrics", tags=["operations"], media_type=CONTENT_TYPE)
async def metrics(services: NamedDependency[Services], http_metrics: NamedDependency[HttpMetrics]) -> str:
    try:
        states = await projection_states(
            services.runtime,
            PROJECTION_SCHEMAS,
            clock=services.clock,
            stalled_after=services.settings.ready_max_lag_seconds,
        )
        http_metrics.projections_seen(states)
    except _UNREACHABLE:
        http_metrics.database_unreachable()
    return http_metrics.render().decode()


ROUTES = [health, ready, metrics]
