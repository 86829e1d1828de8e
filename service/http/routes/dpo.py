"""The DPO's retention runs (Art. 5(1)(e)) and record of processing (Art. 30).

The rest of the DPO's toolkit: ``dpo_requests`` (rights requests), ``dpo_erasure`` (export
and erasure), ``dpo_people`` (legal holds and restriction); the access log per person and
per staff member is in ``reports``. Every endpoint under ``/dpo`` is the DPO's alone.
"""

from __future__ import annotations

from litestar import MediaType, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery

from service.application.context import ApplicationContext
from service.gdpr.guard import require_dpo
from service.gdpr.html import register_html
from service.gdpr.register import RecordOfProcessing, record_of_processing
from service.gdpr.retention import RetentionReport, run_retention
from service.http.deps import Services
from service.http.headers import IdempotencyKey, idempotency_key
from service.http.routes.dpo_erasure import Language
from service.http.security import Principal


@get("/dpo/retention", tags=["dpo"])
async def retention_due(
    services: NamedDependency[Services], ctx: NamedDependency[ApplicationContext], principal: NamedDependency[Principal]
) -> RetentionReport:
    """Dry run: the people whose retention periods have all ended, and the legal holds that keep some."""
    require_dpo(principal.actor, "read")
    return await run_retention(ctx, principal.actor, services.gdpr_tools, services.retention, dry_run=True)


@post("/dpo/retention/run", status_code=200, tags=["dpo"])
async def retention_run(
    services: NamedDependency[Services],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
) -> RetentionReport:
    """Erase the people due, except those under a legal hold (reported). Running it again erases no one twice."""
    require_dpo(principal.actor)
    idempotency_key(key)
    return await run_retention(ctx, principal.actor, services.gdpr_tools, services.retention, dry_run=False)


@get("/dpo/record-of-processing", tags=["dpo"])
async def register(services: NamedDependency[Services], principal: NamedDependency[Principal]) -> RecordOfProcessing:
    """Purposes, categories of data and of people, recipients, retention and security measures."""
    require_dpo(principal.actor, "read")
    return record_of_processing(services.settings, services.clock())


@get("/dpo/record-of-processing.html", media_type=MediaType.HTML, tags=["dpo"])
async def register_document(
    services: NamedDependency[Services],
    principal: NamedDependency[Principal],
    language: FromQuery[Language] = Language.FR,
) -> str:
    require_dpo(principal.actor, "read")
    return register_html(record_of_processing(services.settings, services.clock()), language=str(language))


ROUTES = [retention_due, retention_run, register, register_document]
