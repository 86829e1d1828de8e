"""DPO: rights requests with their deadlines, a person's page (export, holds, restriction), access logs, register.

The DPO's actions call ``service/gdpr`` and ``service/application/gdpr`` directly, as the
DPO's JSON endpoints do; reading the access log goes through the API's own report functions.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import MediaType, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from domain.person import LegalBasis, LegalHold, Person
from domain.policy import Role
from domain.rights import IdentityCheck, Right
from service.application import gdpr as person_gdpr
from service.application.context import ApplicationContext
from service.gdpr.export import export_person
from service.gdpr.html import export_html
from service.gdpr.receipts import is_erased
from service.gdpr.register import record_of_processing
from service.gdpr.requests import (
    AnswerRequest,
    ExtendDeadline,
    ReceiveRequest,
    answer_request,
    extend_deadline,
    list_requests,
    receive_request,
)
from service.gdpr.retention import run_retention
from service.http.deps import Services
from service.http.routes import reports
from service.storage.repository import AggregateNotFoundError
from service.web.viewer import Viewer, form_of, page

_DPO = (Role.DPO,)


@get("/ui/dpo", include_in_schema=False)
async def requests(
    viewer: NamedDependency[Viewer],
    services: NamedDependency[Services],
    ctx: NamedDependency[ApplicationContext],
    done: FromQuery[str] = "",
) -> Template:
    viewer.require(*_DPO)
    found = await list_requests(ctx, viewer.principal.actor)
    staff = await services.accounts.all()
    return page(
        viewer,
        "dpo/requests.html",
        "dpo.title",
        requests=found,
        staff=staff,
        rights=list(Right),
        checks=list(IdentityCheck),
        today=services.clock().date(),
        done=done,
    )


@post("/ui/dpo/requests", include_in_schema=False)
async def receive(
    request: Request[Any, Any, Any], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[Any]:
    """A rights request received (the person named by id); its deadline is one month later."""
    viewer.require(*_DPO)
    form = await form_of(request)
    command = ReceiveRequest(
        person_id=form.uuid("person_id"),
        right=form.choice("right", Right),
        received_on=form.day("received_on"),
        identity_check=form.choice("identity_check", IdentityCheck),
        identity_note=form.get("identity_note", ""),
        details=form.get("details", ""),
    )
    await receive_request(ctx, viewer.principal.actor, command)
    return Redirect("/ui/dpo?done=received", status_code=303)


@post("/ui/dpo/requests/{request_id:uuid}/{action:str}", include_in_schema=False)
async def request_action(
    request_id: FromPath[UUID],
    action: FromPath[str],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """Answering a request, or extending its deadline by one or two months with a reason (Art. 12(3))."""
    viewer.require(*_DPO)
    form = await form_of(request)
    actor = viewer.principal.actor
    if action == "answer":
        await answer_request(ctx, actor, AnswerRequest(request_id=request_id, answer=form.get("answer", "")))
    elif action == "extension":
        months = form.integer("months", 1)
        extension = ExtendDeadline(request_id=request_id, months=months, reason=form.get("reason", ""))
        await extend_deadline(ctx, actor, extension)
    else:
        return Redirect("/ui/dpo", status_code=303)
    return Redirect(f"/ui/dpo?done={action}", status_code=303)


@post("/ui/dpo/open", include_in_schema=False)
async def open_person(request: Request[Any, Any, Any], viewer: NamedDependency[Viewer]) -> Response[Any]:
    """The person is named by id in a form (never by name in a URL)."""
    viewer.require(*_DPO)
    person_id = UUID((await form_of(request)).get("person_id", "").strip())
    return Redirect(f"/ui/dpo/people/{person_id}", status_code=303)


async def _holds(ctx: ApplicationContext, person_id: UUID) -> list[LegalHold]:
    """The person's legal holds (none once erased, or for an unknown id), as the erasure dry run reads them."""
    if await is_erased(ctx.pool, person_id):
        return []
    try:
        return list((await ctx.repository.get(Person, person_id)).legal_holds)
    except AggregateNotFoundError:
        return []


@get("/ui/dpo/people/{person_id:uuid}", include_in_schema=False)
async def person(
    person_id: FromPath[UUID],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    done: FromQuery[str] = "",
) -> Template:
    viewer.require(*_DPO)
    holds = await _holds(ctx, person_id)
    return page(
        viewer, "dpo/person.html", "dpo.person", person_id=person_id, bases=list(LegalBasis), holds=holds, done=done
    )


@get("/ui/dpo/people/{person_id:uuid}/export.json", include_in_schema=False)
async def export_json(
    person_id: FromPath[UUID], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[bytes]:
    viewer.require(*_DPO)
    export = await export_person(ctx, viewer.principal.actor, person_id)
    disposition = f'attachment; filename="export-{person_id}.json"'
    return Response(
        msgspec.json.encode(export), media_type=MediaType.JSON, headers={"Content-Disposition": disposition}
    )


@get("/ui/dpo/people/{person_id:uuid}/export", include_in_schema=False)
async def export_printable(
    person_id: FromPath[UUID], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[str]:
    viewer.require(*_DPO)
    export = await export_person(ctx, viewer.principal.actor, person_id)
    return Response(export_html(export, viewer.language), media_type=MediaType.HTML)


@post("/ui/dpo/people/{person_id:uuid}/{action:str}", include_in_schema=False)
async def person_action(
    person_id: FromPath[UUID],
    action: FromPath[str],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """A legal hold, a restriction, or lifting either."""
    viewer.require(*_DPO)
    form = await form_of(request)
    actor = viewer.principal.actor
    if action == "hold":
        hold = person_gdpr.PlaceLegalHold(person_id, form.choice("basis", LegalBasis), form.get("note", ""))
        await person_gdpr.place_legal_hold(ctx, actor, hold)
    elif action == "restriction":
        await person_gdpr.restrict_processing(
            ctx, actor, person_gdpr.RestrictProcessing(person_id, form.get("reason", ""))
        )
    elif action == "lift-hold":
        lifted = person_gdpr.LiftLegalHold(person_id, form.uuid("hold_id"))
        await person_gdpr.lift_legal_hold(ctx, actor, lifted)
    elif action == "lift-restriction":
        await person_gdpr.lift_restriction(ctx, actor, person_gdpr.LiftRestriction(person_id))
    return Redirect(f"/ui/dpo/people/{person_id}?done={action}", status_code=303)


@get("/ui/dpo/people/{person_id:uuid}/access-log", include_in_schema=False)
async def person_log(
    person_id: FromPath[UUID], viewer: NamedDependency[Viewer], services: NamedDependency[Services]
) -> Template:
    viewer.require(*_DPO)
    entries = await reports.person_access_log.fn(
        person_id=person_id, services=services, principal=viewer.principal, limit=500
    )
    names = {s.staff_id: s.display_name for s in await services.accounts.all()}
    return page(viewer, "dpo/access_log.html", "dpo.access_log", entries=entries, names=names)


@get("/ui/dpo/staff/{staff_id:uuid}/access-log", include_in_schema=False)
async def staff_log(
    staff_id: FromPath[UUID], viewer: NamedDependency[Viewer], services: NamedDependency[Services]
) -> Template:
    viewer.require(*_DPO)
    entries = await reports.staff_access_log.fn(
        staff_id=staff_id, services=services, principal=viewer.principal, limit=500
    )
    names = {s.staff_id: s.display_name for s in await services.accounts.all()}
    return page(viewer, "dpo/access_log.html", "dpo.access_log", entries=entries, names=names)


@get("/ui/dpo/record", include_in_schema=False)
async def record(viewer: NamedDependency[Viewer], services: NamedDependency[Services]) -> Template:
    viewer.require(*_DPO)
    register = record_of_processing(services.settings, services.clock())
    return page(viewer, "dpo/record.html", "nav.record", register=register)


@get("/ui/dpo/retention", include_in_schema=False)
async def retention(
    viewer: NamedDependency[Viewer], services: NamedDependency[Services], ctx: NamedDependency[ApplicationContext]
) -> Template:
    """A dry run only: who is due, and who is kept by a legal hold."""
    viewer.require(*_DPO)
    report = await run_retention(ctx, viewer.principal.actor, services.gdpr_tools, services.retention, dry_run=True)
    return page(viewer, "dpo/retention.html", "nav.retention", report=report)


ROUTES = [
    requests,
    receive,
    request_action,
    open_person,
    person,
    export_json,
    export_printable,
    person_action,
    person_log,
    staff_log,
]
ROUTES += [record, retention]
