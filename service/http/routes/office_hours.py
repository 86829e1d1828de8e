"""Office hours (permanences): check-in, call, help, referral to the social-legal service, the board."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from domain.base import Category
from domain.office_hours import RequestCategory
from projections.board import BoardLine, read_board
from service.application.context import ApplicationContext
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
from service.http.deps import Services
from service.http.headers import IdempotencyKey, IfMatch, expecting, idempotency_key
from service.http.reading import ReadPurpose
from service.http.routes.listed import PersonName, ensure_role_may_read, name_parts, names_of, open_each
from service.http.security import Principal
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


class BoardEntry(msgspec.Struct, frozen=True):
    visit_id: UUID
    person_id: UUID
    given_name: str | None
    family_name: str | None
    status: str
    checked_in_at: datetime
    called_at: datetime | None
    helper_id: UUID | None
    request_category: str | None


class BoardView(msgspec.Struct, frozen=True):
    session_on: date
    site: str
    waiting: list[BoardEntry]
    being_helped: list[BoardEntry]
    done: list[BoardEntry]


@post("/office-hours/visits", tags=["office hours"])
async def arrive(
    data: JSONBody[Arrival],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
) -> Response[Changed]:
    """Check a person in to a session: they join the queue."""
    command = CheckIn(data.person_id, data.session_on, data.site)
    outcome = await check_in(ctx, principal.actor, command, idempotency_key=idempotency_key(key))
    return changed(outcome, 201, etag_of=outcome.visit_id)


@post("/office-hours/visits/{visit_id:uuid}/call", status_code=200, tags=["office hours"])
async def call(
    visit_id: FromPath[UUID],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response[Changed]:
    """The signed-in helper calls the visitor; a visit already called is a 422, a stale If-Match a 409."""
    ctx = expecting(ctx, visit_id, if_match)
    outcome = await call_visitor(ctx, principal.actor, CallVisitor(visit_id), idempotency_key=idempotency_key(key))
    return changed(outcome, etag_of=visit_id)


@post("/office-hours/visits/{visit_id:uuid}/help", status_code=200, tags=["office hours"])
async def help_(
    visit_id: FromPath[UUID],
    data: JSONBody[HelpGiven],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response[Changed]:
    """What was asked and what was done; the signed-in helper is the one who helped."""
    ctx = expecting(ctx, visit_id, if_match)
    command = RecordHelp(
        visit_id, data.category, data.description, data.help_given, data.minutes, data.follow_up_needed
    )
    outcome = await record_help(ctx, principal.actor, command, idempotency_key=idempotency_key(key))
    return changed(outcome, etag_of=visit_id)


@post("/office-hours/visits/{visit_id:uuid}/referral", tags=["office hours"])
async def referral(
    visit_id: FromPath[UUID],
    data: JSONBody[Referral],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response[Changed]:
    """Refer the visitor to the social-legal service: the visit and the new referral in one append."""
    ctx = expecting(ctx, visit_id, if_match)
    command = ReferVisit(visit_id, data.reason)
    outcome = await refer_visit(ctx, principal.actor, command, idempotency_key=idempotency_key(key))
    return changed(outcome, 201, etag_of=visit_id)


@get("/office-hours/board", tags=["office hours"])
async def board(
    site: Site,
    services: NamedDependency[Services],
    principal: NamedDependency[Principal],
    session_on: FromQuery[date | None] = None,
    purpose: FromQuery[ReadPurpose] = ReadPurpose.OFFICE_HOURS,
) -> BoardView:
    """The queue of a session, who is being helped and who is done; every visitor shown is an access."""
    ensure_role_may_read(principal, Category.OFFICE_HOURS)
    on = session_on or services.clock().date()
    async with services.runtime.pool.acquire() as db:
        found = await read_board(db, on, site)
    lines = [*found.waiting, *found.being_helped, *found.done]
    grants = await open_each(
        services, principal, (line.person_id for line in lines), "office_hours_board", purpose, Category.OFFICE_HOURS
    )
    names = await names_of(services, grants)

    def entries(part: list[BoardLine]) -> list[BoardEntry]:
        return [_entry(line, names.get(line.person_id)) for line in part if line.person_id in grants]

    return BoardView(on, site, entries(found.waiting), entries(found.being_helped), entries(found.done))


def _entry(line: BoardLine, name: PersonName | None) -> BoardEntry:
    return BoardEntry(
        line.visit_id,
        line.person_id,
        *name_parts(name),
        line.status,
        line.checked_in_at,
        line.called_at,
        line.helper_id,
        line.request_category,
    )


ROUTES = [arrive, call, help_, referral, board]
