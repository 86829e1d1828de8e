"""The composition root of the HTTP service."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import asyncpg
import msgspec
from litestar import Litestar, Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from service.projection_runner import ProjectionRunner
from service.read_models import all_projections
from service.runtime import Runtime

RuntimeFactory = Callable[[], AbstractAsyncContextManager[Runtime]]


class Health(msgspec.Struct, frozen=True):
    status: str
    database: str


@get("/health")
async def health(runtime: NamedDependency[Runtime]) -> Response[Health]:
    try:
        async with runtime.pool.acquire(timeout=2) as connection:
            await connection.fetchval("SELECT 1")
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
        return Response(Health("unavailable", "unreachable"), status_code=503)
    return Response(Health("ok", "ok"))


def create_app(open_runtime: RuntimeFactory, *, run_projections: bool = True, debug: bool = False) -> Litestar:
    """Build the app. The runtime (pool, stores) opens in the lifespan, never at import.

    With ``run_projections`` the read models are kept up to date inside this process;
    otherwise a separate ``suivi worker`` does it.
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with open_runtime() as runtime:
            app.state.runtime = runtime
            projections = None
            if run_projections:
                runner = ProjectionRunner(runtime, await all_projections(runtime.keys))
                projections = asyncio.create_task(runner.run_forever(), name="projections")
            try:
                yield
            finally:
                if projections is not None:
                    projections.cancel()
                    await asyncio.gather(projections, return_exceptions=True)

    def provide_runtime(state: State) -> Runtime:
        runtime: Runtime = state.runtime
        return runtime

    handlers: list[Any] = [health]
    return Litestar(
        route_handlers=handlers,
        lifespan=[lifespan],
        dependencies={"runtime": Provide(provide_runtime, sync_to_thread=False)},
        debug=debug,
    )
