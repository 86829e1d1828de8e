"""People: the file, its break-glass and its consents (finding and registering people: ``registration``).

The file is the case-file view (``views.case_file``), filtered by the access policy and
recorded; a social worker outside their caseload gives a written reason (break-glass).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from domain.case import CaseDomain, CaseOutcome
from domain.consent import Evidence, Purpose
from domain.organisations import OrganisationKind
from domain.policy import Role
from service.application.consent import GiveConsent, WithdrawConsent, give_consent, withdraw_consent
from service.application.context import ApplicationContext
from service.application.reading import ReadPurpose
from service.application.views.case_file import Entry, case_file
from service.application.views.people import person_card
from service.web.errors import shown_again
from service.web.kept import Kept
from service.web.viewer import SHORT_LENGTH, Form, Viewer, form_of, page, pages_for


def reading_purpose(viewer: Viewer) -> ReadPurpose:
    return ReadPurpose.FOLLOW_UP if viewer.has(Role.SOCIAL_WORKER) else ReadPurpose.OFFICE_HOURS


async def file_page(
    ctx: ApplicationContext, viewer: Viewer, person_id: UUID, reason: str | None, kept: Kept | None = None
) -> Template:
    """The person's file; ``kept`` is the form that came back with an error, if any."""
    actor, purpose = viewer.principal.actor, reading_purpose(viewer)
    card = await person_card(ctx, actor, person_id, purpose)
    timeline = await case_file(ctx, actor, person_id, purpose, reason)
    colleagues = [
        member
        for member in await ctx.accounts.all()
        if member.active and Role.SOCIAL_WORKER in member.roles and member.staff_id != actor.staff_id
    ]
    return page(
        viewer,
        "people/file.html",
        "file.title",
        card=card,
        file=timeline,
        cases=cases_of(timeline.entries),
        domains=list(CaseDomain),
        outcomes=list(CaseOutcome),
        purposes=list(Purpose),
        evidences=list(Evidence),
        organisations=list(OrganisationKind),
        colleagues=colleagues,
        break_glass_reason=reason or "",
        kept=kept,
    )


def cases_of(entries: list[Entry]) -> list[dict[str, Any]]:
    """The person's cases, from the timeline: id, domain and whether it is open."""
    cases: dict[UUID, dict[str, Any]] = {}
    for entry in entries:
        if entry.stream_id is None or not entry.kind.startswith("Case."):
            continue
        case = cases.setdefault(entry.stream_id, {"case_id": entry.stream_id, "domain": None, "open": True})
        if entry.kind == "Case.Opened":
            case["domain"] = entry.body.get("domain")
        elif entry.kind in ("Case.Closed", "Case.Reopened"):
            case["open"] = entry.kind == "Case.Reopened"
    return list(cases.values())


@get("/{person_id:uuid}")
async def person_file(
    person_id: FromPath[UUID], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Template:
    return await file_page(ctx, viewer, person_id, None)


@get("/{person_id:uuid}/break-glass")
async def break_glass_again(person_id: FromPath[UUID]) -> Response[Any]:
    """Coming back to a break-glass page (after signing in again): the file asks for the reason anew."""
    return Redirect(f"/ui/people/{person_id}", status_code=303)


@post("/{person_id:uuid}/break-glass")
async def break_glass(
    person_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Template:
    """Reading outside one's caseload, with a written reason (recorded, flagged for the DPO)."""
    form = await form_of(request)
    reason = form.text("reason", SHORT_LENGTH)
    return await file_page(ctx, viewer, person_id, reason)


async def on_the_file(
    form: Form,
    viewer: Viewer,
    ctx: ApplicationContext,
    person_id: UUID,
    command: Callable[[], Awaitable[object]],
    then: str | None = None,
) -> Response[Any]:
    """Run a command of one of the file's forms, then go to ``then`` (the file by default); if it
    cannot be done, show the file again with the form as it was typed and the message."""

    async def attempt() -> Response[Any]:
        await command()
        return Redirect(then or f"/ui/people/{person_id}", status_code=303)

    async def again(kept: Kept) -> Template:
        return await file_page(ctx, viewer, person_id, form.get("break_glass_reason") or None, kept)

    return await shown_again(form, viewer, attempt, again)


@post("/{person_id:uuid}/consents")
async def consent_given(
    person_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    async def command() -> object:
        giving = GiveConsent(person_id, form.choice("purpose", Purpose), form.choice("evidence", Evidence))
        return await give_consent(ctx, viewer.principal.actor, giving, idempotency_key=form.key(viewer))

    return await on_the_file(form, viewer, ctx, person_id, command)


@post("/{person_id:uuid}/consents/withdrawal")
async def consent_withdrawn(
    person_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    async def command() -> object:
        withdrawing = WithdrawConsent(person_id, form.choice("purpose", Purpose))
        return await withdraw_consent(ctx, viewer.principal.actor, withdrawing, idempotency_key=form.key(viewer))

    return await on_the_file(form, viewer, ctx, person_id, command)


# Those who register people open their file; what the file shows, the access policy decides.
ROUTES = [
    Router(
        "/ui/people",
        route_handlers=[
            person_file,
            break_glass_again,
            break_glass,
            consent_given,
            consent_withdrawn,
        ],
        guards=pages_for(Role.SOCIAL_WORKER, Role.OFFICE_HOURS_HELPER),
        include_in_schema=False,
    )
]
