"""Finding people (the query goes in a POST body, never the URL) and registering them, with a duplicate warning."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from domain.person import ContactDetails, PersonDetails
from domain.policy import Role
from service.application.context import ApplicationContext
from service.application.people import RegisterPerson, register_person
from service.application.views.people import PersonCard, search_directory
from service.web.errors import shown_again
from service.web.kept import Checks, Kept
from service.web.pages.people import reading_purpose
from service.web.viewer import NAME_LENGTH, Form, Viewer, form_of, page, pages_for, parse_day


def details_from(form: Form) -> PersonDetails:
    """The identity typed at registration; every field that cannot be used is named at once."""
    check = Checks()
    given = check(lambda name: form.text(name, NAME_LENGTH, required=True), "given_name")
    family = check(lambda name: form.text(name, NAME_LENGTH, required=True), "family_name")
    birth = check(form.optional_day, "birth_date")
    phone = check(lambda name: form.text(name, 40), "phone")
    check.done()
    return PersonDetails(
        given_name=given or "",
        family_name=family or "",
        birth_date=birth,
        contact=ContactDetails(phone=phone or None),
    )


async def _search(ctx: ApplicationContext, viewer: Viewer, query: str) -> list[PersonCard]:
    return await search_directory(ctx, viewer.principal.actor, query, reading_purpose(viewer))


@get("/search")
async def search_page(viewer: NamedDependency[Viewer]) -> Template:
    return page(viewer, "people/search.html", "search.title", found=None, site="")


@post("/search")
async def search(
    request: Request[Any, Any, Any], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Template:
    """Results as an htmx fragment (or the whole page without JavaScript)."""
    form = await form_of(request)
    query = form.get("query", "").strip()
    born = parse_day(query)  # a birth date as people type it (31/12/1990) is searched as one
    query = born.isoformat() if born is not None else query
    found = await _search(ctx, viewer, query) if 2 <= len(query) <= NAME_LENGTH else []
    template = "people/found.html" if request.headers.get("HX-Request") else "people/search.html"
    return page(viewer, template, "search.title", found=found, site=form.get("site", ""))


@post("/duplicates")
async def duplicates(
    form: NamedDependency[Form], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Template:
    """While registering: people already known under this name (an htmx fragment)."""
    text = f"{form.get('given_name', '')} {form.get('family_name', '')}".strip()
    found = await _search(ctx, viewer, text) if 2 <= len(text) <= 2 * NAME_LENGTH + 1 else []
    return page(viewer, "people/duplicates.html", "registration.title", found=found)


def _registration(viewer: Viewer, kept: Kept | None = None) -> Template:
    return page(viewer, "people/new.html", "registration.title", kept=kept)


@get("/new")
async def registration_page(viewer: NamedDependency[Viewer]) -> Template:
    return _registration(viewer)


@post("/new")
async def register(
    form: NamedDependency[Form], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[Any]:
    async def attempt() -> Response[Any]:
        command = RegisterPerson(details_from(form))
        registered = await register_person(ctx, viewer.principal.actor, command, idempotency_key=form.key(viewer))
        return Redirect(f"/ui/people/{registered.person_id}", status_code=303)

    async def again(kept: Kept) -> Template:
        return _registration(viewer, kept)

    return await shown_again(form, viewer, attempt, again)


# Those who register people find them, and are warned of a possible duplicate.
ROUTES = [
    Router(
        "/ui/people",
        route_handlers=[search_page, search, duplicates, registration_page, register],
        guards=pages_for(Role.SOCIAL_WORKER, Role.OFFICE_HOURS_HELPER),
        include_in_schema=False,
    )
]
