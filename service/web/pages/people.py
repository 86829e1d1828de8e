"""People: search (the query goes in a POST body, never the URL), registration with a duplicate warning, the file.

The file is the API's case-file timeline (``case_file._file``), filtered by the access policy
and recorded; a social worker outside their caseload gives a written reason (break-glass).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from domain.case import CaseDomain, CaseOutcome
from domain.consent import Evidence, Purpose
from domain.organisations import OrganisationKind
from domain.policy import Role
from service.application.context import ApplicationContext
from service.http.deps import Services
from service.http.reading import ReadPurpose
from service.http.routes import case_file, people
from service.web.viewer import Viewer, form_of, page

_REGISTRARS = (Role.SOCIAL_WORKER, Role.OFFICE_HOURS_HELPER)


def details_from(form: dict[str, str]) -> people.Details:
    birth = form.get("birth_date") or None
    return people.Details(
        given_name=form.get("given_name", "").strip(),
        family_name=form.get("family_name", "").strip(),
        birth_date=None if birth is None else date.fromisoformat(birth),
        contact=people.Contact(phone=form.get("phone") or None),
    )


def _purpose(viewer: Viewer) -> ReadPurpose:
    return ReadPurpose.FOLLOW_UP if viewer.has(Role.SOCIAL_WORKER) else ReadPurpose.OFFICE_HOURS


@get("/ui/people/search", include_in_schema=False)
async def search_page(viewer: NamedDependency[Viewer]) -> Template:
    viewer.require(*_REGISTRARS)
    return page(viewer, "people/search.html", "search.title", found=None, site="")


@post("/ui/people/search", include_in_schema=False)
async def search(
    request: Request[Any, Any, Any], viewer: NamedDependency[Viewer], services: NamedDependency[Services]
) -> Template:
    """Results as an htmx fragment (or the whole page without JavaScript)."""
    viewer.require(*_REGISTRARS)
    form = await form_of(request)
    query = people.SearchQuery(query=form.get("query", "").strip())
    found = await people.search_people.fn(
        data=query, services=services, principal=viewer.principal, purpose=_purpose(viewer)
    )
    template = "people/found.html" if request.headers.get("HX-Request") else "people/search.html"
    return page(viewer, template, "search.title", found=found, site=form.get("site", ""))


@post("/ui/people/duplicates", include_in_schema=False)
async def duplicates(
    request: Request[Any, Any, Any], viewer: NamedDependency[Viewer], services: NamedDependency[Services]
) -> Template:
    """While registering: people already known under this name (an htmx fragment)."""
    viewer.require(*_REGISTRARS)
    form = await form_of(request)
    text = f"{form.get('given_name', '')} {form.get('family_name', '')}".strip()
    found = []
    if len(text) >= 2:
        query = people.SearchQuery(query=text)
        found = await people.search_people.fn(
            data=query, services=services, principal=viewer.principal, purpose=_purpose(viewer)
        )
    return page(viewer, "people/duplicates.html", "register.title", found=found)


@get("/ui/people/new", include_in_schema=False)
async def registration_page(viewer: NamedDependency[Viewer]) -> Template:
    viewer.require(*_REGISTRARS)
    return page(viewer, "people/new.html", "register.title")


@post("/ui/people/new", include_in_schema=False)
async def register(
    request: Request[Any, Any, Any], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[Any]:
    viewer.require(*_REGISTRARS)
    form = await form_of(request)
    registered = await people.register.fn(data=details_from(form), ctx=ctx, principal=viewer.principal, key=None)
    return Redirect(f"/ui/people/{registered.content.ids['person_id']}", status_code=303)


async def _file_page(viewer: Viewer, services: Services, person_id: UUID, reason: str | None) -> Template:
    viewer.require(*_REGISTRARS)
    purpose = _purpose(viewer)
    card = await people.person_card.fn(
        person_id=person_id, services=services, principal=viewer.principal, purpose=purpose
    )
    timeline = await case_file._file(services, viewer.principal, person_id, purpose, reason)
    colleagues = [
        member
        for member in await services.accounts.all()
        if member.active and Role.SOCIAL_WORKER in member.roles and member.staff_id != viewer.principal.staff.staff_id
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


def cases_of(entries: list[case_file.Entry]) -> list[dict[str, Any]]:
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


@get("/ui/people/{person_id:uuid}", include_in_schema=False)
async def person_file(
    person_id: FromPath[UUID], viewer: NamedDependency[Viewer], services: NamedDependency[Services]
) -> Template:
    return await _file_page(viewer, services, person_id, None)


@post("/ui/people/{person_id:uuid}/break-glass", include_in_schema=False)
async def break_glass(
    person_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    services: NamedDependency[Services],
) -> Template:
    """Reading outside one's caseload, with a written reason (recorded, flagged for the DPO)."""
    reason = (await form_of(request)).get("reason", "").strip()
    return await _file_page(viewer, services, person_id, reason)


@post("/ui/people/{person_id:uuid}/consents", include_in_schema=False)
async def give_consent(
    person_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    viewer.require(*_REGISTRARS)
    form = await form_of(request)
    data = people.ConsentGiven(purpose=form.choice("purpose", Purpose), evidence=form.choice("evidence", Evidence))
    await people.give.fn(person_id=person_id, data=data, ctx=ctx, principal=viewer.principal, key=None)
    return Redirect(f"/ui/people/{person_id}", status_code=303)


@post("/ui/people/{person_id:uuid}/consents/withdrawal", include_in_schema=False)
async def withdraw_consent(
    person_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    viewer.require(*_REGISTRARS)
    form = await form_of(request)
    data = people.ConsentWithdrawn(purpose=form.choice("purpose", Purpose))
    await people.withdraw.fn(person_id=person_id, data=data, ctx=ctx, principal=viewer.principal, key=None)
    return Redirect(f"/ui/people/{person_id}", status_code=303)


ROUTES = [search_page, search, duplicates, registration_page, register, person_file, break_glass, give_consent]
ROUTES += [withdraw_consent]
