"""Office-hours helper: the live board of a session (check in, call, help, done), quick registration, referral.

The site (a place name) is the only thing in the URL besides ids; the board is the same
view as the API's (``views.board``), so every visitor shown is opened through the access policy.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote
from uuid import UUID

from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from domain.office_hours import RequestCategory
from domain.policy import Role
from service.application import office_hours
from service.application.context import ApplicationContext
from service.application.people import RegisterPerson, register_person
from service.application.views.board import BoardView, office_hours_board
from service.web.pages.people import details_from
from service.web.viewer import Form, Viewer, form_of, page, pages_for

DEFAULT_SITE = "Liège"


def _board_url(site: str) -> str:
    return f"/ui/office-hours/board?site={quote(site)}"


async def _board(ctx: ApplicationContext, viewer: Viewer, site: str) -> BoardView:
    return await office_hours_board(ctx, viewer.principal.actor, site)  # today's session


async def _check_in(ctx: ApplicationContext, viewer: Viewer, person_id: UUID, site: str) -> None:
    arrival = office_hours.CheckIn(person_id, ctx.clock().date(), site)
    await office_hours.check_in(ctx, viewer.principal.actor, arrival)


@get("/")
async def choose_session(viewer: NamedDependency[Viewer]) -> Template:
    return page(viewer, "office_hours/choose.html", "office_hours.title", site=DEFAULT_SITE)


@get("/board")
async def board_page(
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    site: FromQuery[str] = DEFAULT_SITE,
    notice: FromQuery[str] = "",
) -> Template:
    board = await _board(ctx, viewer, site)
    return page(
        viewer,
        "office_hours/board.html",
        "board.title",
        board=board,
        site=site,
        notice=notice,
        categories=list(RequestCategory),
    )


@get("/board/live")
async def board_fragment(
    viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext], site: FromQuery[str] = DEFAULT_SITE
) -> Template:
    """The board alone, refreshed by htmx every few seconds."""
    board = await _board(ctx, viewer, site)
    return page(viewer, "office_hours/board_live.html", "board.title", board=board, site=site)


@post("/check-in")
async def check_in(
    form: NamedDependency[Form], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[Any]:
    site = form.get("site") or DEFAULT_SITE
    await _check_in(ctx, viewer, form.uuid("person_id"), site)
    return Redirect(_board_url(site) + "&notice=checked_in", status_code=303)


@post("/newcomer")
async def quick_registration(
    form: NamedDependency[Form], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[Any]:
    """Register a newcomer and check them in, in two steps of the same services."""
    site = form.get("site") or DEFAULT_SITE
    registered = await register_person(ctx, viewer.principal.actor, RegisterPerson(details_from(form)))
    await _check_in(ctx, viewer, registered.person_id, site)
    return Redirect(_board_url(site) + "&notice=registered", status_code=303)


@post("/visits/{visit_id:uuid}/call")
async def call(
    visit_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    site = (await form_of(request)).get("site") or DEFAULT_SITE
    await office_hours.call_visitor(ctx, viewer.principal.actor, office_hours.CallVisitor(visit_id))
    return Redirect(f"/ui/office-hours/visits/{visit_id}?site={quote(site)}", status_code=303)


@get("/visits/{visit_id:uuid}")
async def visit_page(
    visit_id: FromPath[UUID], viewer: NamedDependency[Viewer], site: FromQuery[str] = DEFAULT_SITE
) -> Template:
    return page(
        viewer, "office_hours/visit.html", "visit.title", visit_id=visit_id, site=site, categories=list(RequestCategory)
    )


@post("/visits/{visit_id:uuid}/help")
async def record_help(
    visit_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    helping = office_hours.RecordHelp(
        visit_id,
        category=form.choice("category", RequestCategory, "other"),
        description=form.get("description", ""),
        help_given=form.get("help_given", ""),
        minutes=form.integer("minutes", 0),
        follow_up_needed=form.get("follow_up_needed") == "on",
    )
    await office_hours.record_help(ctx, viewer.principal.actor, helping)
    return Redirect(
        f"/ui/office-hours/visits/{visit_id}?site={quote(form.get('site') or DEFAULT_SITE)}&helped=1", status_code=303
    )


@post("/visits/{visit_id:uuid}/referral")
async def refer(
    visit_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """Refer the visitor to the social-legal service (the visit and the referral in one append)."""
    referring = office_hours.ReferVisit(visit_id, form.get("reason", ""))
    await office_hours.refer_visit(ctx, viewer.principal.actor, referring)
    return Redirect(_board_url(form.get("site") or DEFAULT_SITE) + "&notice=referred", status_code=303)


# A session's pages are the helpers' (their navigation leads here); which visitors, the access policy decides.
ROUTES = [
    Router(
        "/ui/office-hours",
        route_handlers=[
            choose_session,
            board_page,
            board_fragment,
            check_in,
            quick_registration,
            call,
            visit_page,
            record_help,
            refer,
        ],
        guards=pages_for(Role.OFFICE_HOURS_HELPER),
        include_in_schema=False,
    )
]
