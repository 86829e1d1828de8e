"""Office hours (permanences): check-in, call, help, referral to the social-legal service, the board."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from domain.office_hours import RequestCategory
from domain.policy import Role
from service.application.context import Actor, ApplicationContext
from service.application.office_hours import (
    CallVisitor,
    CheckIn,
    RecordHelp,
    ReferVisit,
    call_visitor,
    check_in,
    record_help,
    refer_visit,
)
from service.application.reading import ReadPurpose
from service.application.views.board import BoardView, office_hours_board
from service.http.deps import Command
from service.http.guards import requires
from service.http.headers import IfMatch
from service.http.openapi import area
from service.http.wire import Changed, Name, Request, ShortText, changed

Site = Annotated[str, QueryParameter(min_length=1, max_length=100)]


class Arrival(Request, frozen=True):
    person_id: UUID
    session_on: date
    site: Name
    """The place of the session (a place name, not personal data)."""


class HelpGiven(Request, frozen=True):
    category: RequestCategory
    description: ShortText
    """What the person asked for."""
    help_given: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    minutes: Annotated[int, msgspec.Meta(ge=0, le=480)]
    follow_up_needed: bool = False


class Referral(Request, frozen=True):
    reason: ShortText


@post("/visits")
async def arrive(data: JSONBody[Arrival], command: NamedDependency[Command]) -> Response[Changed]:
    """Check a person in to a session: they join the queue."""
    arrival = CheckIn(data.person_id, data.session_on, data.site)
    outcome = await check_in(command.ctx, command.actor, arrival, idempotency_key=command.idempotency_key)
    return changed(outcome, 201, etag_of=outcome.visit_id)


@post("/visits/{visit_id:uuid}/call", status_code=200)
async def call(
    visit_id: FromPath[UUID], command: NamedDependency[Command], if_match: IfMatch = None
) -> Response[Changed]:
    """The signed-in helper calls the visitor; a visit already called is a 422, a stale If-Match a 409."""
    ctx = command.on(visit_id, if_match)
    outcome = await call_visitor(ctx, command.actor, CallVisitor(visit_id), idempotency_key=command.idempotency_key)
    return changed(outcome, etag_of=visit_id)


@post("/visits/{visit_id:uuid}/help", status_code=200)
async def help_(
    visit_id: FromPath[UUID], data: JSONBody[HelpGiven], command: NamedDependency[Command], if_match: IfMatch = None
) -> Response[Changed]:
    """What was asked and what was done; the signed-in helper is the one who helped."""
    helping = RecordHelp(
        visit_id, data.category, data.description, data.help_given, data.minutes, data.follow_up_needed
    )
    ctx = command.on(visit_id, if_match)
    outcome = await record_help(ctx, command.actor, helping, idempotency_key=command.idempotency_key)
    return changed(outcome, etag_of=visit_id)


@post("/visits/{visit_id:uuid}/referral")
async def referral(
    visit_id: FromPath[UUID], data: JSONBody[Referral], command: NamedDependency[Command], if_match: IfMatch = None
) -> Response[Changed]:
    """Refer the visitor to the social-legal service: the visit and the new referral in one append."""
    ctx = command.on(visit_id, if_match)
    referring = ReferVisit(visit_id, data.reason)
    outcome = await refer_visit(ctx, command.actor, referring, idempotency_key=command.idempotency_key)
    return changed(outcome, 201, etag_of=visit_id)


@get("/board")
async def board(
    site: Site,
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    session_on: FromQuery[date | None] = None,
    purpose: FromQuery[ReadPurpose] = ReadPurpose.OFFICE_HOURS,
) -> BoardView:
    """The queue of a session, who is being helped and who is done; every visitor shown is an access."""
    return await office_hours_board(ctx, actor, site, session_on, purpose)


# Office hours are the helpers' and the social workers'; which visitors, the access policy decides.
ROUTES = [
    Router(
        "/office-hours",
        route_handlers=[arrive, call, help_, referral, board],
        guards=[requires(Role.SOCIAL_WORKER, Role.OFFICE_HOURS_HELPER)],
        tags=["office hours"],
        opt=area(people=True, restricted=True),
    )
]
