"""Office-hours helper: the live board of a session (check in, call, help, done), quick registration, referral.

The site (a place name) is the only thing in the URL besides ids; the board is the API's own
``board`` function, so every visitor shown is opened through the access policy.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from domain.office_hours import RequestCategory
from domain.policy import Role
from service.application.context import ApplicationContext
from service.http.deps import Services
from service.http.reading import ReadPurpose
from service.http.routes import office_hours, people
from service.web.pages.people import details_from
from service.web.viewer import Viewer, form_of, page

_HELPERS = (Role.OFFICE_HOURS_HELPER,)
DEFAULT_SITE = "Liège"


def _board_url(site: str) -> str:
    return f"/ui/office-hours/board?site={quote(site)}"


async def _board(services: Services, viewer: Viewer, site: str) -> Any:
    return await office_hours.board.fn(
        site=site, services=services, principal=viewer.principal, session_on=None, purpose=ReadPurpose.OFFICE_HOURS
    )


@get("/ui/office-hours", include_in_schema=False)
async def choose_session(viewer: NamedDependency[Viewer]) -> Template:
    viewer.require(*_HELPERS)
    return page(viewer, "office_hours/choose.html", "office_hours.title", site=DEFAULT_SITE)


@get("/ui/office-hours/board", include_in_schema=False)
async def board_page(
    viewer: NamedDependency[Viewer],
    services: NamedDependency[Services],
    site: FromQuery[str] = DEFAULT_SITE,
    notice: FromQuery[str] = "",
) -> Template:
    viewer.require(*_HELPERS)
    board = await _board(services, viewer, site)
    return page(
        viewer,
        "office_hours/board.html",
        "board.title",
        board=board,
        site=site,
        notice=notice,
        categories=list(RequestCategory),
    )


@get("/ui/office-hours/board/live", include_in_schema=False)
async def board_fragment(
    viewer: NamedDependency[Viewer], services: NamedDependency[Services], site: FromQuery[str] = DEFAULT_SITE
) -> Template:
    """The board alone, refreshed by htmx every few seconds."""
    viewer.require(*_HELPERS)
    board = await _board(services, viewer, site)
    return page(viewer, "office_hours/board_live.html", "board.title", board=board, site=site)


@post("/ui/office-hours/check-in", include_in_schema=False)
async def check_in(
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    services: NamedDependency[Services],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    viewer.require(*_HELPERS)
    form = await form_of(request)
    site = form.get("site") or DEFAULT_SITE
    arrival = office_hours.Arrival(person_id=form.uuid("person_id"), session_on=services.clock().date(), site=site)
    await office_hours.arrive.fn(data=arrival, ctx=ctx, principal=viewer.principal, key=None)
    return Redirect(_board_url(site) + "&notice=checked_in", status_code=303)


@post("/ui/office-hours/newcomer", include_in_schema=False)
async def quick_registration(
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    services: NamedDependency[Services],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """Register a newcomer and check them in, in two steps of the same services."""
    viewer.require(*_HELPERS)
    form = await form_of(request)
    site = form.get("site") or DEFAULT_SITE
    registered = await people.register.fn(data=details_from(form), ctx=ctx, principal=viewer.principal, key=None)
    person_id = UUID(registered.content.ids["person_id"])
    arrival = office_hours.Arrival(person_id=person_id, session_on=services.clock().date(), site=site)
    await office_hours.arrive.fn(data=arrival, ctx=ctx, principal=viewer.principal, key=None)
    return Redirect(_board_url(site) + "&notice=registered", status_code=303)


@post("/ui/office-hours/visits/{visit_id:uuid}/call", include_in_schema=False)
async def call(
    visit_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    viewer.require(*_HELPERS)
    site = (await form_of(request)).get("site") or DEFAULT_SITE
    await office_hours.call.fn(visit_id=visit_id, ctx=ctx, principal=viewer.principal, key=None, if_match=None)
    return Redirect(f"/ui/office-hours/visits/{visit_id}?site={quote(site)}", status_code=303)


@get("/ui/office-hours/visits/{visit_id:uuid}", include_in_schema=False)
async def visit_page(
    visit_id: FromPath[UUID], viewer: NamedDependency[Viewer], site: FromQuery[str] = DEFAULT_SITE
) -> Template:
    viewer.require(*_HELPERS)
    return page(
        viewer, "office_hours/visit.html", "visit.title", visit_id=visit_id, site=site, categories=list(RequestCategory)
    )


@post("/ui/office-hours/visits/{visit_id:uuid}/help", include_in_schema=False)
async def record_help(
    visit_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    viewer.require(*_HELPERS)
    form = await form_of(request)
    data = office_hours.HelpGiven(
        category=form.choice("category", RequestCategory, "other"),
        description=form.get("description", ""),
        help_given=form.get("help_given", ""),
        minutes=form.integer("minutes", 0),
        follow_up_needed=form.get("follow_up_needed") == "on",
    )
    await office_hours.help_.fn(
        visit_id=visit_id, data=data, ctx=ctx, principal=viewer.principal, key=None, if_match=None
    )
    return Redirect(
        f"/ui/office-hours/visits/{visit_id}?site={quote(form.get('site') or DEFAULT_SITE)}&helped=1", status_code=303
    )


@post("/ui/office-hours/visits/{visit_id:uuid}/referral", include_in_schema=False)
async def refer(
    visit_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """Refer the visitor to the social-legal service (the visit and the referral in one append)."""
    viewer.require(*_HELPERS)
    form = await form_of(request)
    data = office_hours.Referral(reason=form.get("reason", ""))
    await office_hours.referral.fn(
        visit_id=visit_id, data=data, ctx=ctx, principal=viewer.principal, key=None, if_match=None
    )
    return Redirect(_board_url(form.get("site") or DEFAULT_SITE) + "&notice=referred", status_code=303)


ROUTES = [
    choose_session,
    board_page,
    board_fragment,
    check_in,
    quick_registration,
    call,
    visit_page,
    record_help,
    refer,
]
