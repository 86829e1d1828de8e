"""The DPO's retention runs (Art. 5(1)(e)) and record of processing (Art. 30).

The rest of the DPO's toolkit: ``dpo_requests`` (rights requests), ``dpo_erasure`` (export
and erasure), ``dpo_people`` (legal holds and restriction); the access log per person and
per staff member is in ``access_log``. Every endpoint under ``/dpo`` is the DPO's alone.
"""

from __future__ import annotations

from litestar import MediaType, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery

from domain.policy import Role
from service.application.context import Actor, ApplicationContext
from service.gdpr.html import register_html
from service.gdpr.register import RecordOfProcessing, record_of_processing
from service.gdpr.retention import RetentionReport, run_retention
from service.http.deps import Command, Services
from service.http.guards import requires
from service.http.routes.dpo_erasure import Language


@get("/retention")
async def retention_due(
    services: NamedDependency[Services], ctx: NamedDependency[ApplicationContext], actor: NamedDependency[Actor]
) -> RetentionReport:
    """Dry run: the people whose retention periods have all ended, and the legal holds that keep some."""
    return await run_retention(ctx, actor, services.gdpr_tools, services.retention, dry_run=True)


@post("/retention/run", status_code=200)
async def retention_run(services: NamedDependency[Services], command: NamedDependency[Command]) -> RetentionReport:
    """Erase the people due, except those under a legal hold (reported). Running it again erases no one twice."""
    return await run_retention(command.ctx, command.actor, services.gdpr_tools, services.retention, dry_run=False)


@get("/record-of-processing")
async def register(services: NamedDependency[Services]) -> RecordOfProcessing:
    """Purposes, categories of data and of people, recipients, retention and security measures."""
    return record_of_processing(services.settings, services.clock())


@get("/record-of-processing.html", media_type=MediaType.HTML)
async def register_document(services: NamedDependency[Services], language: FromQuery[Language] = Language.FR) -> str:
    return register_html(record_of_processing(services.settings, services.clock()), language=str(language))


ROUTES = [
    Router(
        "/dpo",
        route_handlers=[retention_due, retention_run, register, register_document],
        guards=[requires(Role.DPO)],
        tags=["dpo"],
    )
]
