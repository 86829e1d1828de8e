"""People: search (the query goes in a POST body, never the URL), registration with a duplicate warning, the file.

The file is the case-file view (``views.case_file``), filtered by the access policy and
recorded; a social worker outside their caseload gives a written reason (break-glass).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from domain.case import CaseDomain, CaseOutcome
from domain.consent import Evidence, Purpose
from domain.organisations import OrganisationKind
from domain.person import ContactDetails, PersonDetails
from domain.policy import Role
from service.application.consent import GiveConsent, WithdrawConsent, give_consent, withdraw_consent
from service.application.context import ApplicationContext
from service.application.people import RegisterPerson, register_person
from service.application.reading import ReadPurpose
from service.application.views.case_file import Entry, case_file
from service.application.views.people import PersonCard, person_card, search_directory
from service.web.viewer import Form, Viewer, form_of, page, pages_for


def details_from(form: dict[str, str]) -> PersonDetails:
    birth = form.get("birth_date") or None
    return PersonDetails(
        given_name=form.get("given_name", "").strip(),
        family_name=form.get("family_name", "").strip(),
        birth_date=None if birth is None else date.fromisoformat(birth),
        contact=ContactDetails(phone=form.get("phone") or None),
    )


def _purpose(viewer: Viewer) -> ReadPurpose:
    return ReadPurpose.FOLLOW_UP if viewer.has(Role.SOCIAL_WORKER) else ReadPurpose.OFFICE_HOURS


async def _search(ctx: ApplicationContext, viewer: Viewer, query: str) -> list[PersonCard]:
    return await search_directory(ctx, viewer.principal.actor, query, _purpose(viewer))


@get("/search")
async def search_page(viewer: NamedDependency[Viewer]) -> Template:
    return page(viewer, "people/search.html", "search.title", found=None, site="")


@post("/search")
async def search(
    request: Request[Any, Any, Any], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Template:
    """Results as an htmx fragment (or the whole page without JavaScript)."""
    form = await form_of(request)
    found = await _search(ctx, viewer, form.get("query", "").strip())
    template = "people/found.html" if request.headers.get("HX-Request") else "people/search.html"
    return page(viewer, template, "search.title", found=found, site=form.get("site", ""))


@post("/duplicates")
async def duplicates(
    form: NamedDependency[Form], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Template:
    """While registering: people already known under this name (an htmx fragment)."""
    text = f"{form.get('given_name', '')} {form.get('family_name', '')}".strip()
    found = await _search(ctx, viewer, text) if len(text) >= 2 else []
    return page(viewer, "people/duplicates.html", "register.title", found=found)


@get("/new")
async def registration_page(viewer: NamedDependency[Viewer]) -> Template:
    return page(viewer, "people/new.html", "register.title")


@post("/new")
async def register(
    form: NamedDependency[Form], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[Any]:
    registered = await register_person(ctx, viewer.principal.actor, RegisterPerson(details_from(form)))
    return Redirect(f"/ui/people/{registered.person_id}", status_code=303)


async def _file_page(ctx: ApplicationContext, viewer: Viewer, person_id: UUID, reason: str | None) -> Template:
    actor, purpose = viewer.principal.actor, _purpose(viewer)
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
    return await _file_page(ctx, viewer, person_id, None)


@post("/{person_id:uuid}/break-glass")
async def break_glass(
    person_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Template:
    """Reading outside one's caseload, with a written reason (recorded, flagged for the DPO)."""
    reason = (await form_of(request)).get("reason", "").strip()
    return await _file_page(ctx, viewer, person_id, reason)


@post("/{person_id:uuid}/consents")
async def consent_given(
    person_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    giving = GiveConsent(person_id, form.choice("purpose", Purpose), form.choice("evidence", Evidence))
    await give_consent(ctx, viewer.principal.actor, giving)
    return Redirect(f"/ui/people/{person_id}", status_code=303)


@post("/{person_id:uuid}/consents/withdrawal")
async def consent_withdrawn(
    person_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    await withdraw_consent(ctx, viewer.principal.actor, WithdrawConsent(person_id, form.choice("purpose", Purpose)))
    return Redirect(f"/ui/people/{person_id}", status_code=303)


# Those who register people find them and open their file; what the file shows, the access policy decides.
ROUTES = [
    Router(
        "/ui/people",
        route_handlers=[
            search_page,
            search,
            duplicates,
            registration_page,
            register,
            person_file,
            break_glass,
            consent_given,
            consent_withdrawn,
        ],
        guards=pages_for(Role.SOCIAL_WORKER, Role.OFFICE_HOURS_HELPER),
        include_in_schema=False,
    )
]
