"""Liveness, readiness and metrics: nothing personal in any of them."""

from __future__ import annotations

import asyncpg
import msgspec
from litestar import Response, get
from litestar.di import NamedDependency

from service.http.deps import Services
from service.http.metrics import CONTENT_TYPE, HttpMetrics
from service.readmodels.registry import PROJECTION_SCHEMAS
from service.readmodels.status import projection_states

_READY_LAG = 1000  # events a projection may trail by and still count as caught up


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
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
        return Response(Health("unavailable", "unreachable"), status_code=503)
    return Response(Health("ok", "ok"))


@get("/ready", tags=["operations"])
async def ready(services: NamedDependency[Services]) -> Response[Readiness]:
    try:
        states = await projection_states(services.runtime, PROJECTION_SCHEMAS)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
        return Response(Readiness("unavailable", "unreachable", {}), status_code=503)
    summary = {
        s.name: ("failed" if s.state == "failed" else "caught_up" if s.lag <= _READY_LAG else "catching_up")
        for s in states
    }
    ok = all(v == "caught_up" for v in summary.values())
    return Response(Readiness("ready" if ok else "not_ready", "ok", summary), status_code=200 if ok else 503)


@get("/metrics", tags=["operations"], media_type=CONTENT_TYPE)
async def metrics(services: NamedDependency[Services], http_metrics: NamedDependency[HttpMetrics]) -> str:
    try:
        http_metrics.projections_seen(await projection_states(services.runtime, PROJECTION_SCHEMAS))
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
        http_metrics.database_unreachable()
    return http_metrics.render().decode()


ROUTES = [health, ready, metrics]
