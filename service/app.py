"""The composition root of the HTTP service."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar, Request, Response
from litestar.config.response_cache import ResponseCacheConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException, NotFoundException
from litestar.middleware import DefineMiddleware
from litestar.types import Message, Scope

from service.application.context import ApplicationContext
from service.background import background_work
from service.gdpr.guard import SYSTEM_DPO
from service.gdpr.retention import RetentionPolicy, retention_daily
from service.gdpr.tools import ErasureTools
from service.http.caching import no_store_middleware
from service.http.deps import DEPENDENCIES, Services, written_in
from service.http.headers import LOG_POSITION, log_position_text
from service.http.logging import request_log_middleware
from service.http.metrics import HttpMetrics
from service.http.openapi import DocumentConfig
from service.http.problems import EXCEPTION_HANDLERS, find_erasure_receipt
from service.http.routes import ALL_ROUTES
from service.readmodels.freshness import WITHIN, FreshReads
from service.readmodels.registry import all_projections, blind_index
from service.readmodels.runner import ProjectionRunner
from service.settings import Settings
from service.staff.accounts import StaffAccounts
from service.staff.sessions import Sessions
from service.storage.database import Backoff
from service.storage.runtime import Runtime
from service.storage.singleton import run_alone
from service.web import WEB_ROUTES, template_config
from service.web.errors import web_error

log = logging.getLogger("suivi.app")
RuntimeFactory = Callable[[], AbstractAsyncContextManager[Runtime]]


@dataclass(frozen=True)
class Gdpr:
    """What the DPO's actions need beyond the runtime, and whether retention runs daily here."""

    tools: ErasureTools
    retention: RetentionPolicy
    run_retention_daily: bool = False
    settings: Settings = field(default_factory=Settings)
    """Read by the record of processing and the rights-request list."""


def create_app(
    open_runtime: RuntimeFactory,
    *,
    gdpr: Gdpr,
    run_projections: bool = True,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    secure_cookies: bool = True,
    session_idle: timedelta = timedelta(minutes=30),
    sign_in_delay: Callable[[float], Any] = asyncio.sleep,
    debug: bool = False,
    fresh_reads_within: float = WITHIN,
) -> Litestar:
    """Build the app. The runtime (pool, stores) opens in the lifespan, never at import.

    With ``run_projections`` the read models are kept up to date inside this process;
    otherwise a separate ``suivi worker`` does it. Each app counts its requests in metrics of its own.
    A page that follows a write waits up to ``fresh_reads_within`` seconds for the read models (``_after_writes``).
    """
    http_metrics = HttpMetrics()

    def _http_metrics(services: NamedDependency[Services]) -> HttpMetrics:
        return http_metrics  # after ``services``: one chain of dependencies (``service.http.deps``)

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with open_runtime() as runtime:
            app.state.services = Services(
                runtime=runtime,
                accounts=StaffAccounts(runtime.pool),
                sessions=Sessions(runtime.pool, session_idle),
                index=await blind_index(runtime.keys),
                clock=clock,
                secure_cookies=secure_cookies,
                sign_in_delay=sign_in_delay,
                gdpr_tools=gdpr.tools,
                retention=gdpr.retention,
                settings=gdpr.settings,
                fresh_reads=FreshReads(runtime.pool, runtime.notifier, within=fresh_reads_within),
            )
            # Each task survives a lost database on its own (reconnecting with backoff); should one
            # still end with an error, it is started again rather than left stopped.
            background = []
            if run_projections:
                runner = ProjectionRunner(runtime, await all_projections(runtime.keys))
                kept = _keep_running("projections", runner.run_forever)
                background.append(asyncio.create_task(kept, name="projections"))
                for name, work in background_work(runtime, gdpr.settings, clock):
                    background.append(asyncio.create_task(_keep_running(name, work), name=name))
            if gdpr.run_retention_daily:
                # Several HTTP processes (``suivi serve --workers N``) each start it, and two runs at once
                # would erase the same people side by side: one process at a time runs it.
                ctx = ApplicationContext.from_runtime(runtime, clock=clock)
                daily = functools.partial(retention_daily, ctx, SYSTEM_DPO, gdpr.tools, gdpr.retention)
                alone = functools.partial(run_alone, runtime.url, "retention", daily)
                background.append(asyncio.create_task(_keep_running("retention", alone), name="retention"))
            for task in background:
                task.add_done_callback(_report_if_stopped)
            try:
                yield
            finally:
                for task in background:
                    task.cancel()
                await asyncio.gather(*background, return_exceptions=True)

    return Litestar(
        route_handlers=[*ALL_ROUTES, *WEB_ROUTES],
        template_config=template_config(),
        lifespan=[lifespan],
        dependencies={**DEPENDENCIES, "http_metrics": Provide(_http_metrics, sync_to_thread=False)},
        exception_handlers={**EXCEPTION_HANDLERS, NotFoundException: _not_found},
        after_exception=[find_erasure_receipt],
        middleware=[DefineMiddleware(request_log_middleware, metrics=http_metrics), no_store_middleware],
        before_send=[_after_writes],
        openapi_config=DocumentConfig(
            title="Suivi", version="1", path="/schema", use_handler_docstrings=True, routes=ALL_ROUTES
        ),
        response_cache_config=ResponseCacheConfig(),
        logging_config=None,  # service.http.logging configures JSON logs once, for the whole process
        debug=debug,
    )


async def _keep_running(name: str, start: Callable[[], Awaitable[None]]) -> None:
    """Run a background task for the app's life: if it raises, say so (its type only) and start it again.

    A task that returns (the projections, once every one has stopped on a failure) stays ended.
    """
    backoff = Backoff(first=1.0, cap=60.0)
    while True:
        try:
            await start()
            return
        except Exception as error:
            delay = backoff.next()
            log.error(
                "background task stopped; starting it again",
                extra={"task": name, "error_type": type(error).__name__, "retry_in": round(delay, 1)},
            )
            await asyncio.sleep(delay)


async def _after_writes(message: Message, scope: Scope) -> None:
    """Read your own writes, for every route at once: where the request's commands got to in the log.

    Every answer to a request that wrote says it (``Suivi-Log-Position``, for API clients to send back
    on their next read). A page's answer (the 303 after a form, mostly) leaves only once the read
    models have got there, or after the bound: the page it leads to then shows what was just saved.
    """
    if message["type"] != "http.response.start":
        return
    written = written_in(scope)
    if written is None or written.position is None:
        return
    MutableScopeHeaders.from_message(message)[LOG_POSITION] = log_position_text(written.position)
    if scope["path"].startswith("/ui"):
        services: Services = scope["app"].state.services
        await services.fresh_reads.wait_for(written.position)


def _not_found(request: Request[Any, Any, Any], error: NotFoundException) -> Response[Any]:
    """An address no route matches: a page in the staff's language under /ui, a problem elsewhere."""
    if request.url.path.startswith("/ui"):
        return web_error(request, error)
    return EXCEPTION_HANDLERS[HTTPException](request, error)


def _report_if_stopped(task: asyncio.Task[None]) -> None:
    """A background task ending on its own is an outage: say so (its name and error type only)."""
    if not task.cancelled() and task.exception() is not None:
        log.error(
            "background task stopped", extra={"task": task.get_name(), "error_type": type(task.exception()).__name__}
        )
