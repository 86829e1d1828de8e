"""DPO: rights requests with their deadlines, a person's page (export, holds, restriction), access logs, register.

The DPO's actions call ``service/gdpr`` and ``service/application/gdpr`` directly, as the
DPO's JSON endpoints do; the access log and the person's holds are read through the
application's views (``service/application/views``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import msgspec
from litestar import MediaType, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from domain.person import LegalBasis
from domain.policy import Role
from domain.rights import IdentityCheck, Right
from service.application import gdpr as person_gdpr
from service.application.context import ApplicationContext
from service.application.views import access_log
from service.application.views.dpo import file_numbers, legal_holds
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
from service.web.errors import shown_again
from service.web.kept import Kept
from service.web.viewer import LONG_LENGTH, SHORT_LENGTH, Form, Viewer, page, pages_for


async def _requests_page(
    viewer: Viewer, services: Services, ctx: ApplicationContext, done: str = "", kept: Kept | None = None
) -> Template:
    found = await list_requests(ctx, viewer.principal.actor)
    staff = await access_log.staff_names(ctx, viewer.principal.actor)
    numbers = await file_numbers(ctx, viewer.principal.actor, [r.person_id for r in found])
    return page(
        viewer,
        "dpo/requests.html",
        "dpo.title",
        requests=found,
        numbers=numbers,
        staff=staff,
        rights=list(Right),
        checks=list(IdentityCheck),
        today=services.clock().date(),
        done=done if done in _DONE else "",
        kept=kept,
    )


_DONE = ("received", "answer", "extension", "hold", "restriction", "lift-hold", "lift-restriction")


@get("/", include_in_schema=False)
async def requests(
    viewer: NamedDependency[Viewer],
    services: NamedDependency[Services],
    ctx: NamedDependency[ApplicationContext],
    done: FromQuery[str] = "",
) -> Template:
    return await _requests_page(viewer, services, ctx, done)


def _on_the_requests(
    form: Form, viewer: Viewer, services: Services, ctx: ApplicationContext, command: Callable[[], Awaitable[str]]
) -> Awaitable[Response[Any]]:
    """A form of the requests page: then where ``command`` says, or the page again with the form kept."""

    async def attempt() -> Response[Any]:
        return Redirect(await command(), status_code=303)

    async def again(kept: Kept) -> Template:
        return await _requests_page(viewer, services, ctx, kept=kept)

    return shown_again(form, viewer, attempt, again)


@post("/requests", include_in_schema=False)
async def receive(
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    services: NamedDependency[Services],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """A rights request received (the person named by id); its deadline is one month later."""

    async def command() -> str:
        receiving = ReceiveRequest(
            person_id=form.uuid("person_id"),
            right=form.choice("right", Right),
            received_on=form.day("received_on"),
            identity_check=form.choice("identity_check", IdentityCheck),
            identity_note=form.text("identity_note", 2000),
            details=form.text("details", 2000),
        )
        await receive_request(ctx, viewer.principal.actor, receiving, idempotency_key=form.key(viewer))
        return "/ui/dpo?done=received"

    return await _on_the_requests(form, viewer, services, ctx, command)


@post("/requests/{request_id:uuid}/{action:str}", include_in_schema=False)
async def request_action(
    request_id: FromPath[UUID],
    action: FromPath[str],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    services: NamedDependency[Services],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """Answering a request, or extending its deadline by one or two months with a reason (Art. 12(3))."""
    actor, key = viewer.principal.actor, form.key(viewer)

    async def command() -> str:
        if action == "answer":
            answering = AnswerRequest(request_id=request_id, answer=form.text("answer", LONG_LENGTH, required=True))
            await answer_request(ctx, actor, answering, idempotency_key=key)
        elif action == "extension":
            months = form.integer("months", 1, low=1, high=2)
            reason = form.text("reason", SHORT_LENGTH, required=True)
            extension = ExtendDeadline(request_id=request_id, months=months, reason=reason)
            await extend_deadline(ctx, actor, extension, idempotency_key=key)
        else:
            return "/ui/dpo"
        return f"/ui/dpo?done={action}"

    return await _on_the_requests(form, viewer, services, ctx, command)


@post("/open", include_in_schema=False)
async def open_person(
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    services: NamedDependency[Services],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """The person is named by id in a form (never by name in a URL)."""

    async def command() -> str:
        return f"/ui/dpo/people/{form.uuid('person_id')}"

    return await _on_the_requests(form, viewer, services, ctx, command)


async def _person_page(
    viewer: Viewer, ctx: ApplicationContext, person_id: UUID, done: str = "", kept: Kept | None = None
) -> Template:
    holds = await legal_holds(ctx, viewer.principal.actor, person_id)
    numbers = await file_numbers(ctx, viewer.principal.actor, [person_id])
    return page(
        viewer,
        "dpo/person.html",
        "dpo.person",
        person_id=person_id,
        file_number=numbers.get(person_id),
        bases=list(LegalBasis),
        holds=holds,
        done=done if done in _DONE else "",
        kept=kept,
    )


@get("/people/{person_id:uuid}", include_in_schema=False)
async def person(
    person_id: FromPath[UUID],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    done: FromQuery[str] = "",
) -> Template:
    return await _person_page(viewer, ctx, person_id, done)


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
    staff = {s.staff_id: s.display_name for s in await access_log.staff_names(ctx, viewer.principal.actor)}
    return Response(export_html(export, viewer.language, staff=staff), media_type=MediaType.HTML)


@post("/people/{person_id:uuid}/{action:str}", include_in_schema=False)
async def person_action(
    person_id: FromPath[UUID],
    action: FromPath[str],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """A legal hold, a restriction, or lifting either."""
    actor, key = viewer.principal.actor, form.key(viewer)

    async def attempt() -> Response[Any]:
        if action == "hold":
            note = form.text("note", SHORT_LENGTH, required=True)
            hold = person_gdpr.PlaceLegalHold(person_id, form.choice("basis", LegalBasis), note)
            await person_gdpr.place_legal_hold(ctx, actor, hold, idempotency_key=key)
        elif action == "restriction":
            restricting = person_gdpr.RestrictProcessing(person_id, form.text("reason", SHORT_LENGTH, required=True))
            await person_gdpr.restrict_processing(ctx, actor, restricting, idempotency_key=key)
        elif action == "lift-hold":
            lifted = person_gdpr.LiftLegalHold(person_id, form.uuid("hold_id"))
            await person_gdpr.lift_legal_hold(ctx, actor, lifted, idempotency_key=key)
        elif action == "lift-restriction":
            await person_gdpr.lift_restriction(ctx, actor, person_gdpr.LiftRestriction(person_id), idempotency_key=key)
        else:
            return Redirect(f"/ui/dpo/people/{person_id}", status_code=303)
        return Redirect(f"/ui/dpo/people/{person_id}?done={action}", status_code=303)

    async def again(kept: Kept) -> Template:
        return await _person_page(viewer, ctx, person_id, kept=kept)

    return await shown_again(form, viewer, attempt, again)


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
    numbers = await file_numbers(ctx, viewer.principal.actor, [d.person_id for d in [*report.due, *report.held]])
    return page(viewer, "dpo/retention.html", "nav.retention", report=report, numbers=numbers)


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
