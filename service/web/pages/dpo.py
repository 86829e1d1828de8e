"""DPO: rights requests, finding the person, their page (by name), access logs, break-glass reviews, register.

The DPO's actions call ``service/gdpr`` and ``service/application/gdpr`` directly, as the
DPO's JSON endpoints do; the person, the access log and the break-glass accesses are read
through the application's views (``service/application/views``). The DPO finds a person by
file number, or by name and birth date, in a posted form: never a name in an address.
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
from service.application.views.break_glass import break_glass_accesses
from service.application.views.dpo import (
    FoundPerson,
    PersonLookup,
    file_numbers,
    find_for_rights_request,
    person_for_rights_request,
)
from service.gdpr.export import export_person
from service.gdpr.html import export_html
from service.gdpr.receipts import erasure_receipt
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
from service.web.kept import SECRET_FIELDS, Kept
from service.web.viewer import LONG_LENGTH, NAME_LENGTH, SHORT_LENGTH, Form, Viewer, page, pages_for


async def _requests_page(
    viewer: Viewer,
    ctx: ApplicationContext,
    done: str = "",
    kept: Kept | None = None,
    people: list[FoundPerson] | None = None,
) -> Template:
    """The requests, and the look-up of a person (``people``: what it found, None before any look-up)."""
    actor = viewer.principal.actor
    found = await list_requests(ctx, actor)
    staff = await access_log.staff_names(ctx, actor)
    numbers = await file_numbers(ctx, actor, [r.person_id for r in found])
    unreviewed = await break_glass_accesses(ctx, actor, unreviewed_only=True)
    return page(
        viewer,
        "dpo/requests.html",
        "dpo.title",
        requests=found,
        numbers=numbers,
        staff=staff,
        people=people,
        unreviewed=len(unreviewed),
        done=done if done in _DONE else "",
        kept=kept,
    )


_DONE = ("received", "answer", "extension", "hold", "restriction", "lift-hold", "lift-restriction", "reviewed")


@get("/", include_in_schema=False)
async def requests(
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    done: FromQuery[str] = "",
) -> Template:
    return await _requests_page(viewer, ctx, done)


def _on_the_requests(
    form: Form, viewer: Viewer, ctx: ApplicationContext, command: Callable[[], Awaitable[str]]
) -> Awaitable[Response[Any]]:
    """A form of the requests page: then where ``command`` says, or the page again with the form kept."""

    async def attempt() -> Response[Any]:
        return Redirect(await command(), status_code=303)

    async def again(kept: Kept) -> Template:
        return await _requests_page(viewer, ctx, kept=kept)

    return shown_again(form, viewer, attempt, again)


@post("/find", include_in_schema=False)
async def find(
    form: NamedDependency[Form], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[Any]:
    """The person a rights request is about, by file number, or by name and birth date (both)."""

    async def attempt() -> Response[Any]:
        lookup = PersonLookup(
            file_number=form.text("file_number", 20),
            name=form.text("name", NAME_LENGTH * 2),
            birth_date=form.optional_day("birth_date"),
        )
        people = await find_for_rights_request(ctx, viewer.principal.actor, lookup)
        typed = Kept(viewer.language, "/ui/dpo/find", {k: v for k, v in form.items() if k not in SECRET_FIELDS})
        return await _requests_page(viewer, ctx, kept=typed, people=people)

    async def again(kept: Kept) -> Template:
        return await _requests_page(viewer, ctx, kept=kept)

    return await shown_again(form, viewer, attempt, again)


@post("/requests", include_in_schema=False)
async def receive(
    form: NamedDependency[Form], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[Any]:
    """A rights request received, from the person's page; its deadline is one month later."""

    async def attempt() -> Response[Any]:
        receiving = ReceiveRequest(
            person_id=form.uuid("person_id"),
            right=form.choice("right", Right),
            received_on=form.day("received_on"),
            identity_check=form.choice("identity_check", IdentityCheck),
            identity_note=form.text("identity_note", 2000),
            details=form.text("details", 2000),
        )
        await receive_request(ctx, viewer.principal.actor, receiving, idempotency_key=form.key(viewer))
        return Redirect("/ui/dpo?done=received", status_code=303)

    async def again(kept: Kept) -> Template:
        try:
            person_id = UUID(form.get("person_id", ""))
        except ValueError:
            return await _requests_page(viewer, ctx, kept=kept)
        return await _person_page(viewer, ctx, person_id, kept=kept)

    return await shown_again(form, viewer, attempt, again)


@post("/requests/{request_id:uuid}/{action:str}", include_in_schema=False)
async def request_action(
    request_id: FromPath[UUID],
    action: FromPath[str],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
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

    return await _on_the_requests(form, viewer, ctx, command)


async def _person_page(
    viewer: Viewer, ctx: ApplicationContext, person_id: UUID, done: str = "", kept: Kept | None = None
) -> Template:
    """The person by name, file number and birth date, with the restriction and the legal holds; or their receipt."""
    actor = viewer.principal.actor
    receipt = await erasure_receipt(ctx, actor, person_id)
    if receipt is not None:
        return page(viewer, "dpo/erased.html", "dpo.erased_title", person_id=person_id, receipt=receipt)
    person = await person_for_rights_request(ctx, actor, person_id)
    return page(
        viewer,
        "dpo/person.html",
        "dpo.person",
        person=person,
        bases=list(LegalBasis),
        rights=list(Right),
        checks=list(IdentityCheck),
        today=ctx.clock().date(),
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
    """Who read the person's file, grouped by staff member, view and day; the person named by file number."""
    entries = await access_log.person_access_log(ctx, viewer.principal.actor, person_id, limit=500)
    numbers = await file_numbers(ctx, viewer.principal.actor, [person_id])
    heading = {"file_number": numbers.get(person_id), "person_id": person_id}
    return await _access_log_page(viewer, ctx, entries, about_person=heading)


@get("/staff/{staff_id:uuid}/access-log", include_in_schema=False)
async def staff_log(
    staff_id: FromPath[UUID], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Template:
    """Whose files a staff member read, grouped by view and day, people since erased included (pseudonymously)."""
    entries = await access_log.staff_access_log(ctx, viewer.principal.actor, staff_id, limit=500)
    return await _access_log_page(viewer, ctx, entries, about_staff=staff_id)


async def _access_log_page(
    viewer: Viewer,
    ctx: ApplicationContext,
    entries: list[access_log.AccessLogEntry],
    *,
    about_person: dict[str, Any] | None = None,
    about_staff: UUID | None = None,
) -> Template:
    """The entries grouped for reading, each group's entries one click away; readers named (the DPO knows the staff)."""
    names = {s.staff_id: s.display_name for s in await access_log.staff_names(ctx, viewer.principal.actor)}
    return page(
        viewer,
        "dpo/access_log.html",
        "dpo.access_log",
        groups=access_log.grouped(entries),
        entries=entries,
        names=names,
        about_person=about_person,
        about_staff=names.get(about_staff) if about_staff else None,
    )


@get("/break-glass", include_in_schema=False)
async def break_glass(
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    filter: FromQuery[str] = "",
    done: FromQuery[str] = "",
) -> Template:
    """Every break-glass access, newest first, with its reason; ``filter=unreviewed``: those not yet reviewed."""
    actor = viewer.principal.actor
    unreviewed = filter == "unreviewed"
    accesses = await break_glass_accesses(ctx, actor, unreviewed_only=unreviewed)
    names = {s.staff_id: s.display_name for s in await access_log.staff_names(ctx, actor)}
    return page(
        viewer,
        "dpo/break_glass.html",
        "dpo.break_glass",
        accesses=accesses,
        names=names,
        unreviewed=unreviewed,
        done=done == "reviewed",
    )


@post("/break-glass/{access_id:uuid}/review", include_in_schema=False)
async def review(
    access_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """Mark one access reviewed, then back to the list as it was filtered."""
    command = person_gdpr.ReviewBreakGlass(access_id)
    await person_gdpr.review_break_glass(ctx, viewer.principal.actor, command, idempotency_key=form.key(viewer))
    back = "&filter=unreviewed" if form.get("filter") == "unreviewed" else ""
    return Redirect(f"/ui/dpo/break-glass?done=reviewed{back}", status_code=303)


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
            find,
            receive,
            request_action,
            person,
            export_json,
            export_printable,
            person_action,
            person_log,
            staff_log,
            break_glass,
            review,
            record,
            retention,
        ],
        guards=pages_for(Role.DPO),
    )
]
