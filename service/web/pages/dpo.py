"""DPO: rights requests with their deadlines, a person's page (export, holds, restriction), access logs, register.

The DPO's actions call ``service/gdpr`` and ``service/application/gdpr`` directly, as the
DPO's JSON endpoints do; the access log and the person's holds are read through the
application's views (``service/application/views``).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import MediaType, Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from domain.person import LegalBasis
from domain.policy import Role
from domain.rights import IdentityCheck, Right
from service.application import gdpr as person_gdpr
from service.application.context import ApplicationContext
from service.application.views import access_log
from service.application.views.dpo import legal_holds
from service.gdpr.export import export_person
from service.gdpr.html import export_html
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
from service.web.viewer import Form, Viewer, form_of, page, pages_for


@get("/", include_in_schema=False)
async def requests(
    viewer: NamedDependency[Viewer],
    services: NamedDependency[Services],
    ctx: NamedDependency[ApplicationContext],
    done: FromQuery[str] = "",
) -> Template:
    found = await list_requests(ctx, viewer.principal.actor)
    staff = await access_log.staff_names(ctx, viewer.principal.actor)
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


@post("/requests", include_in_schema=False)
async def receive(
    request: Request[Any, Any, Any], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[Any]:
    """A rights request received (the person named by id); its deadline is one month later."""
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


@post("/requests/{request_id:uuid}/{action:str}", include_in_schema=False)
async def request_action(
    request_id: FromPath[UUID],
    action: FromPath[str],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """Answering a request, or extending its deadline by one or two months with a reason (Art. 12(3))."""
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


@post("/open", include_in_schema=False)
async def open_person(request: Request[Any, Any, Any], viewer: NamedDependency[Viewer]) -> Response[Any]:
    """The person is named by id in a form (never by name in a URL)."""
    person_id = UUID((await form_of(request)).get("person_id", "").strip())
    return Redirect(f"/ui/dpo/people/{person_id}", status_code=303)


@get("/people/{person_id:uuid}", include_in_schema=False)
async def person(
    person_id: FromPath[UUID],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    done: FromQuery[str] = "",
) -> Template:
    holds = await legal_holds(ctx, viewer.principal.actor, person_id)
    return page(
        viewer, "dpo/person.html", "dpo.person", person_id=person_id, bases=list(LegalBasis), holds=holds, done=done
    )


@get("/people/{person_id:uuid}/export.json", include_in_schema=False)
async def export_json(
    person_id: FromPath[UUID], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[bytes]:
    export = await export_person(ctx, viewer.principal.actor, person_id)
    disposition = f'attachment; filename="export-{person_id}.json"'
    return Response(
        msgspec.json.encode(export), media_type=MediaType.JSON, headers={"Content-Disposition": disposition}
    )


@get("/people/{person_id:uuid}/export", include_in_schema=False)
async def export_printable(
    person_id: FromPath[UUID], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[str]:
    export = await export_person(ctx, viewer.principal.actor, person_id)
    return Response(export_html(export, viewer.language), media_type=MediaType.HTML)


@post("/people/{person_id:uuid}/{action:str}", include_in_schema=False)
async def person_action(
    person_id: FromPath[UUID],
    action: FromPath[str],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """A legal hold, a restriction, or lifting either."""
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


@get("/people/{person_id:uuid}/access-log", include_in_schema=False)
async def person_log(
    person_id: FromPath[UUID], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Template:
    entries = await access_log.person_access_log(ctx, viewer.principal.actor, person_id, limit=500)
    return await _access_log_page(viewer, ctx, entries)


@get("/staff/{staff_id:uuid}/access-log", include_in_schema=False)
async def staff_log(
    staff_id: FromPath[UUID], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Template:
    entries = await access_log.staff_access_log(ctx, viewer.principal.actor, staff_id, limit=500)
    return await _access_log_page(viewer, ctx, entries)


async def _access_log_page(
    viewer: Viewer, ctx: ApplicationContext, entries: list[access_log.AccessLogEntry]
) -> Template:
    """The entries with each reader named (the DPO knows the staff; beneficiaries stay ids)."""
    names = {s.staff_id: s.display_name for s in await access_log.staff_names(ctx, viewer.principal.actor)}
    return page(viewer, "dpo/access_log.html", "dpo.access_log", entries=entries, names=names)


@get("/record", include_in_schema=False)
async def record(viewer: NamedDependency[Viewer], services: NamedDependency[Services]) -> Template:
    register = record_of_processing(services.settings, services.clock())
    return page(viewer, "dpo/record.html", "nav.record", register=register)


@get("/retention", include_in_schema=False)
async def retention(
    viewer: NamedDependency[Viewer], services: NamedDependency[Services], ctx: NamedDependency[ApplicationContext]
) -> Template:
    """A dry run only: who is due, and who is kept by a legal hold."""
    report = await run_retention(ctx, viewer.principal.actor, services.gdpr_tools, services.retention, dry_run=True)
    return page(viewer, "dpo/retention.html", "nav.retention", report=report)


ROUTES = [
    Router(
        "/ui/dpo",
        route_handlers=[
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
            record,
            retention,
        ],
        guards=pages_for(Role.DPO),
    )
]
