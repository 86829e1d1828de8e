"""Office-hours helper: the live board of a session (check in, call, help, done), quick registration, referral.

The site (a place name) is the only thing in the URL besides ids; the board is the same
view as the API's (``views.board``), so every visitor shown is opened through the access policy.
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
from service.application.views.board import BoardView, office_hours_board
from service.web.errors import shown_again
from service.web.kept import Kept
from service.web.pages.registration import details_from
from service.web.viewer import NAME_LENGTH, SHORT_LENGTH, Form, Viewer, page, pages_for

DEFAULT_SITE = "Liège"


def _board_url(site: str) -> str:
    return f"/ui/office-hours/board?site={quote(site)}"


async def _board(ctx: ApplicationContext, viewer: Viewer, site: str) -> BoardView:
    return await office_hours_board(ctx, viewer.principal.actor, site)  # today's session


async def _check_in(ctx: ApplicationContext, viewer: Viewer, person_id: UUID, site: str, key: str | None) -> None:
    arrival = office_hours.CheckIn(person_id, ctx.clock().date(), site)
    await office_hours.check_in(ctx, viewer.principal.actor, arrival, idempotency_key=key)


@get("/")
async def choose_session(viewer: NamedDependency[Viewer]) -> Template:
    return page(viewer, "office_hours/choose.html", "office_hours.title", site=DEFAULT_SITE)


async def _board_page(
    viewer: Viewer, ctx: ApplicationContext, site: str, notice: str = "", kept: Kept | None = None
) -> Template:
    board = await _board(ctx, viewer, site)
    return page(
        viewer,
        "office_hours/board.html",
        "board.title",
        board=board,
        site=site,
        notice=notice if notice in _NOTICES else "",
        categories=list(RequestCategory),
        kept=kept,
    )


_NOTICES = ("checked_in", "registered", "referred")


@get("/board")
async def board_page(
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    site: FromQuery[str] = DEFAULT_SITE,
    notice: FromQuery[str] = "",
) -> Template:
    return await _board_page(viewer, ctx, _site(site), notice)


@get("/board/live")
async def board_fragment(
    viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext], site: FromQuery[str] = DEFAULT_SITE
) -> Template:
    """The board alone, refreshed by htmx every few seconds."""
    board = await _board(ctx, viewer, _site(site))
    return page(viewer, "office_hours/board_live.html", "board.title", board=board, site=_site(site))


def _site(site: str | None) -> str:
    """The place of the session: a short name (the default when none is given)."""
    text = (site or "").strip()
    return text[:NAME_LENGTH] if text else DEFAULT_SITE


@post("/check-in")
async def check_in(
    form: NamedDependency[Form], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[Any]:
    site = _site(form.get("site"))

    async def attempt() -> Response[Any]:
        await _check_in(ctx, viewer, form.uuid("person_id"), site, form.key(viewer))
        return Redirect(_board_url(site) + "&notice=checked_in", status_code=303)

    async def again(kept: Kept) -> Template:
        return await _board_page(viewer, ctx, site, kept=kept)

    return await shown_again(form, viewer, attempt, again)


@post("/newcomer")
async def quick_registration(
    form: NamedDependency[Form], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[Any]:
    """Register a newcomer and check them in, in two steps of the same services."""
    site = _site(form.get("site"))

    async def attempt() -> Response[Any]:
        registering = RegisterPerson(details_from(form))
        key = form.key(viewer, "register")
        registered = await register_person(ctx, viewer.principal.actor, registering, idempotency_key=key)
        await _check_in(ctx, viewer, registered.person_id, site, form.key(viewer, "check-in"))
        return Redirect(_board_url(site) + "&notice=registered", status_code=303)

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
    site = _site(form.get("site"))

    async def attempt() -> Response[Any]:
        calling = office_hours.CallVisitor(visit_id)
        await office_hours.call_visitor(ctx, viewer.principal.actor, calling, idempotency_key=form.key(viewer))
        return Redirect(f"/ui/office-hours/visits/{visit_id}?site={quote(site)}", status_code=303)

    async def again(kept: Kept) -> Template:
        return await _board_page(viewer, ctx, site, kept=kept)

    return await shown_again(form, viewer, attempt, again)


def _visit_page(viewer: Viewer, visit_id: UUID, site: str, kept: Kept | None = None) -> Template:
    return page(
        viewer,
        "office_hours/visit.html",
        "visit.title",
        visit_id=visit_id,
        site=site,
        categories=list(RequestCategory),
        kept=kept,
    )


@get("/visits/{visit_id:uuid}")
async def visit_page(
    visit_id: FromPath[UUID], viewer: NamedDependency[Viewer], site: FromQuery[str] = DEFAULT_SITE
) -> Template:
    return _visit_page(viewer, visit_id, _site(site))


@post("/visits/{visit_id:uuid}/help")
async def record_help(
    visit_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    site = _site(form.get("site"))

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
        return Redirect(f"/ui/office-hours/visits/{visit_id}?site={quote(site)}&helped=1", status_code=303)

    async def again(kept: Kept) -> Template:
        return _visit_page(viewer, visit_id, site, kept)

    return await shown_again(form, viewer, attempt, again)


@post("/visits/{visit_id:uuid}/referral")
async def refer(
    visit_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """Refer the visitor to the social-legal service (the visit and the referral in one append)."""
    site = _site(form.get("site"))

    async def attempt() -> Response[Any]:
        referring = office_hours.ReferVisit(visit_id, form.text("reason", SHORT_LENGTH, required=True))
        await office_hours.refer_visit(ctx, viewer.principal.actor, referring, idempotency_key=form.key(viewer))
        return Redirect(_board_url(site) + "&notice=referred", status_code=303)

    async def again(kept: Kept) -> Template:
        return _visit_page(viewer, visit_id, site, kept)

    return await shown_again(form, viewer, attempt, again)


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
