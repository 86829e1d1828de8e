"""Office-hours helper: the live board of a session (check in, call, help, done), quick registration, referral.

The site (one of the centre's, chosen from a list) is the only thing in the URL besides ids; the
board opens on the helper's own site. The board is the same view as the API's (``views.board``),
so every visitor shown is opened through the access policy; the visit page reads the visit itself
(``views.visit``), so it always shows the step just saved.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote
from uuid import UUID

from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from domain.office_hours import RequestCategory
from domain.policy import Role
from service.application import office_hours
from service.application.context import ApplicationContext
from service.application.people import RegisterPerson, register_person
from service.application.views.board import office_hours_board
from service.application.views.visit import VisitView, office_hours_visit
from service.web.errors import shown_again
from service.web.kept import Kept
from service.web.pages.registration import details_from
from service.web.viewer import SHORT_LENGTH, Form, Viewer, page, pages_for


def _board_url(site: str, notice: str = "") -> str:
    return f"/ui/office-hours/board?site={quote(site)}" + (f"&notice={notice}" if notice else "")


def _visit_url(visit_id: UUID, notice: str) -> str:
    return f"/ui/office-hours/visits/{visit_id}?notice={notice}"


def _site(ctx: ApplicationContext, viewer: Viewer, asked: str | None) -> str:
    """The site asked for when it is one of the centre's; otherwise the helper's own (a stale link, a bookmark)."""
    if asked in ctx.centre.sites:
        return str(asked)
    return office_hours.own_site(ctx, viewer.principal.staff.site)


async def _check_in(ctx: ApplicationContext, viewer: Viewer, person_id: UUID, site: str, key: str | None) -> None:
    arrival = office_hours.CheckIn(person_id, ctx.clock().date(), site)
    await office_hours.check_in(ctx, viewer.principal.actor, arrival, idempotency_key=key)


async def _board_page(
    viewer: Viewer, ctx: ApplicationContext, site: str, notice: str = "", kept: Kept | None = None
) -> Template:
    board = await office_hours_board(ctx, viewer.principal.actor, site)  # today's session
    return page(
        viewer,
        "office_hours/board.html",
        "board.title",
        board=board,
        site=site,
        sites=ctx.centre.sites,
        notice=notice if notice in _NOTICES else "",
        kept=kept,
    )


_NOTICES = ("checked_in", "registered", "referred")


@get("/")
async def own_board(viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]) -> Template:
    """The helper's own site's board (their account's site, or the main one); they can switch site there."""
    return await _board_page(viewer, ctx, _site(ctx, viewer, None))


@get("/board")
async def board_page(
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    site: FromQuery[str | None] = None,
    notice: FromQuery[str] = "",
) -> Template:
    return await _board_page(viewer, ctx, _site(ctx, viewer, site), notice)


@get("/board/live")
async def board_fragment(
    viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext], site: FromQuery[str | None] = None
) -> Template:
    """The board alone, refreshed by htmx every few seconds."""
    shown = _site(ctx, viewer, site)
    board = await office_hours_board(ctx, viewer.principal.actor, shown)
    return page(viewer, "office_hours/board_live.html", "board.title", board=board, site=shown)


@post("/check-in")
async def check_in(
    form: NamedDependency[Form], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[Any]:
    site = _site(ctx, viewer, form.get("site"))

    async def attempt() -> Response[Any]:
        await _check_in(ctx, viewer, form.uuid("person_id"), site, form.key(viewer))
        return Redirect(_board_url(site, "checked_in"), status_code=303)

    async def again(kept: Kept) -> Template:
        return await _board_page(viewer, ctx, site, kept=kept)

    return await shown_again(form, viewer, attempt, again)


@post("/newcomer")
async def quick_registration(
    form: NamedDependency[Form], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[Any]:
    """Register a newcomer and check them in, in two steps of the same services."""
    site = _site(ctx, viewer, form.get("site"))

    async def attempt() -> Response[Any]:
        registering = RegisterPerson(details_from(form))
        key = form.key(viewer, "register")
        registered = await register_person(ctx, viewer.principal.actor, registering, idempotency_key=key)
        await _check_in(ctx, viewer, registered.person_id, site, form.key(viewer, "check-in"))
        return Redirect(_board_url(site, "registered"), status_code=303)

    async def again(kept: Kept) -> Template:
        return await _board_page(viewer, ctx, site, kept=kept)

    return await shown_again(form, viewer, attempt, again)


@post("/visits/{visit_id:uuid}/call")
async def call(
    visit_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    site = _site(ctx, viewer, form.get("site"))

    async def attempt() -> Response[Any]:
        calling = office_hours.CallVisitor(visit_id)
        await office_hours.call_visitor(ctx, viewer.principal.actor, calling, idempotency_key=form.key(viewer))
        return Redirect(f"/ui/office-hours/visits/{visit_id}", status_code=303)

    async def again(kept: Kept) -> Template:
        return await _board_page(viewer, ctx, site, kept=kept)

    return await shown_again(form, viewer, attempt, again)


_VISIT_NOTICES = ("helped", "referred")


async def _visit_page(
    viewer: Viewer, ctx: ApplicationContext, visit_id: UUID, notice: str = "", kept: Kept | None = None
) -> Template:
    visit: VisitView = await office_hours_visit(ctx, viewer.principal.actor, visit_id)
    return page(
        viewer,
        "office_hours/visit.html",
        "visit.title",
        visit=visit,
        board_url=_board_url(visit.site),
        notice=notice if notice in _VISIT_NOTICES else "",
        categories=list(RequestCategory),
        kept=kept,
    )


@get("/visits/{visit_id:uuid}")
async def visit_page(
    visit_id: FromPath[UUID],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    notice: FromQuery[str] = "",
) -> Template:
    """Whose visit it is, where it stands, the help and the referral; after a step, what was saved and what next."""
    return await _visit_page(viewer, ctx, visit_id, notice)


@post("/visits/{visit_id:uuid}/help")
async def record_help(
    visit_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    async def attempt() -> Response[Any]:
        helping = office_hours.RecordHelp(
            visit_id,
            category=form.choice("category", RequestCategory, "other"),
            description=form.text("description", SHORT_LENGTH, required=True),
            help_given=form.text("help_given", 2000, required=True),
            minutes=form.integer("minutes", 0, high=480),
            follow_up_needed=form.get("follow_up_needed") == "on",
        )
        await office_hours.record_help(ctx, viewer.principal.actor, helping, idempotency_key=form.key(viewer))
        return Redirect(_visit_url(visit_id, "helped"), status_code=303)

    async def again(kept: Kept) -> Template:
        return await _visit_page(viewer, ctx, visit_id, kept=kept)

    return await shown_again(form, viewer, attempt, again)


@post("/visits/{visit_id:uuid}/referral")
async def refer(
    visit_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """Refer the visitor to the social-legal service, during the visit or after the help (one append for both)."""

    async def attempt() -> Response[Any]:
        referring = office_hours.ReferVisit(visit_id, form.text("reason", SHORT_LENGTH, required=True))
        await office_hours.refer_visit(ctx, viewer.principal.actor, referring, idempotency_key=form.key(viewer))
        return Redirect(_visit_url(visit_id, "referred"), status_code=303)

    async def again(kept: Kept) -> Template:
        return await _visit_page(viewer, ctx, visit_id, kept=kept)

    return await shown_again(form, viewer, attempt, again)


# A session's pages are the helpers' (their navigation leads here); which visitors, the access policy decides.
ROUTES = [
    Router(
        "/ui/office-hours",
        route_handlers=[
            own_board,
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
