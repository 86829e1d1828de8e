"""Appointments under ``/appointments``, agendas under ``/agenda``, and each staff member's calendar feed.

A double booking answers 409 (``double-booking``, naming ``starts_at``); a stale If-Match
on a move, a cancellation, an arrival or an absence answers 409 (``conflict``) as elsewhere.
The calendar feed (``GET /agenda/feeds/{token}.ics``) needs no session: its secret token is
its authorisation, and a revoked one answers 404.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request as HttpRequest
from litestar import Response, Router, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.types import ExceptionHandlersMap

from domain.agenda_day import DoubleBookingError
from domain.appointment import AppointmentKind
from domain.policy import Role
from service.application import appointments as application
from service.application.agenda_feeds import FeedNotFoundError, create_feed, feed_calendar, feed_path, revoke_feed
from service.application.appointments import (
    BookAppointment,
    CancelAppointment,
    CheckInAppointment,
    MarkNoShow,
    MoveAppointment,
    local_day,
)
from service.application.context import Actor, ApplicationContext
from service.application.views.agenda import AgendaView, AppointmentView, BookableStaff, bookable_staff
from service.application.views.agenda import appointment as appointment_view
from service.application.views.agenda import site_agenda as site_agenda_view
from service.application.views.agenda import staff_agenda as staff_agenda_view
from service.http.deps import Command, Services
from service.http.guards import requires
from service.http.headers import IfMatch
from service.http.openapi import area
from service.http.problems import problem
from service.http.wire import Changed, Name, Request, changed

Minutes = Annotated[int, msgspec.Meta(ge=5, le=480)]
_MOMENT = (
    r"^(19|20)\d\d-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?"
    r"(Z|[+-](0\d|1[0-4]):[0-5]\d)$"
)
Moment = Annotated[datetime, msgspec.Meta(tz=True, extra_json_schema={"pattern": _MOMENT})]
"""A time with its offset (``2026-09-02T10:00:00+02:00``): a time without one is refused, naming the field."""
Days = Annotated[int, QueryParameter(ge=1, le=31)]
Site = Annotated[str, QueryParameter(min_length=1, max_length=100)]
CALENDAR = "text/calendar; charset=utf-8"


class Booking(Request, frozen=True, kw_only=True):
    kind: AppointmentKind
    person_id: UUID
    staff_id: UUID | None = None
    """With whom (required for a social-legal appointment); none: whoever is on duty at office hours."""
    site: Name
    starts_at: Moment
    minutes: Minutes


class Moving(Request, frozen=True, kw_only=True):
    staff_id: UUID | None = None
    site: Name
    starts_at: Moment
    minutes: Minutes


class FeedAddress(msgspec.Struct, frozen=True):
    url: str
    """The secret address to subscribe to; shown once (only a hash of it is kept)."""


def _double_booking(_: HttpRequest[Any, Any, Any], error: DoubleBookingError) -> Response[dict[str, Any]]:
    blamed = [{"field": "starts_at", "source": "body", "message": str(error)}]
    return problem(409, "double-booking", "Already booked", str(error), errors=blamed)  # the detail says when


@post("/")
async def book(data: JSONBody[Booking], command: NamedDependency[Command]) -> Response[Changed]:
    """Book an appointment: 201; 409 (double-booking, naming ``starts_at``) if the staff member is taken then."""
    booking = BookAppointment(
        kind=data.kind,
        person_id=data.person_id,
        staff_id=data.staff_id,
        site=data.site,
        starts_at=data.starts_at,
        minutes=data.minutes,
    )
    outcome = await application.book_appointment(
        command.ctx, command.actor, booking, idempotency_key=command.idempotency_key
    )
    return changed(outcome, 201, etag_of=outcome.appointment_id)


@get("/{appointment_id:uuid}")
async def one(
    appointment_id: FromPath[UUID], ctx: NamedDependency[ApplicationContext], actor: NamedDependency[Actor]
) -> Response[AppointmentView]:
    """One appointment with its person (file number, and name where the reader may read it)."""
    shown = await appointment_view(ctx, actor, appointment_id)
    return Response(shown, headers={"ETag": f'"{shown.version}"'})


@post("/{appointment_id:uuid}/move", status_code=200)
async def move(
    appointment_id: FromPath[UUID],
    data: JSONBody[Moving],
    command: NamedDependency[Command],
    if_match: IfMatch = None,
) -> Response[Changed]:
    """Move it to another time, place or staff member: the old slot is freed, the new one taken (or 409)."""
    moving = MoveAppointment(
        appointment_id=appointment_id,
        staff_id=data.staff_id,
        site=data.site,
        starts_at=data.starts_at,
        minutes=data.minutes,
    )
    ctx = command.on(appointment_id, if_match)
    outcome = await application.move_appointment(ctx, command.actor, moving, idempotency_key=command.idempotency_key)
    return changed(outcome, etag_of=appointment_id)


@post("/{appointment_id:uuid}/cancellation", status_code=200)
async def cancel(
    appointment_id: FromPath[UUID], command: NamedDependency[Command], if_match: IfMatch = None
) -> Response[Changed]:
    """Cancel it: its slot is free again."""
    ctx = command.on(appointment_id, if_match)
    asked = CancelAppointment(appointment_id)
    outcome = await application.cancel_appointment(ctx, command.actor, asked, idempotency_key=command.idempotency_key)
    return changed(outcome, etag_of=appointment_id)


@post("/{appointment_id:uuid}/arrival", status_code=200)
async def arrival(
    appointment_id: FromPath[UUID], command: NamedDependency[Command], if_match: IfMatch = None
) -> Response[Changed]:
    """The person came; for office hours they also join today's board (``visit_id``)."""
    ctx = command.on(appointment_id, if_match)
    asked = CheckInAppointment(appointment_id)
    outcome = await application.check_in_appointment(ctx, command.actor, asked, idempotency_key=command.idempotency_key)
    return changed(outcome, etag_of=appointment_id)


@post("/{appointment_id:uuid}/no-show", status_code=200)
async def no_show(
    appointment_id: FromPath[UUID], command: NamedDependency[Command], if_match: IfMatch = None
) -> Response[Changed]:
    """The person did not come (once the appointment has begun; 422 before)."""
    ctx = command.on(appointment_id, if_match)
    asked = MarkNoShow(appointment_id)
    outcome = await application.mark_no_show(ctx, command.actor, asked, idempotency_key=command.idempotency_key)
    return changed(outcome, etag_of=appointment_id)


@get("/staff")
async def staff_list(ctx: NamedDependency[ApplicationContext], actor: NamedDependency[Actor]) -> list[BookableStaff]:
    """The staff members appointments may be booked with, and for which kinds."""
    return await bookable_staff(ctx, actor)


@get("/staff/{staff_id:uuid}")
async def staff_agenda(
    staff_id: FromPath[UUID],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    day: FromQuery[date | None] = None,
    days: Days = 1,
) -> AgendaView:
    """A staff member's appointments from ``day`` (today by default), for ``days`` days (7: a week)."""
    return await staff_agenda_view(ctx, actor, staff_id, day or local_day(ctx.clock()), days)


@get("/site")
async def site_agenda(
    site: Site,
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    day: FromQuery[date | None] = None,
    days: Days = 1,
) -> AgendaView:
    """A site's appointments from ``day`` (today by default), for ``days`` days, whoever they are with."""
    return await site_agenda_view(ctx, actor, site, day or local_day(ctx.clock()), days)


@post("/feed")
async def make_feed(command: NamedDependency[Command], services: NamedDependency[Services]) -> FeedAddress:
    """A new secret calendar address for the signed-in staff member (any earlier one stops working)."""
    token = await create_feed(command.ctx, command.actor)
    return FeedAddress(feed_url(services, token))


@delete("/feed")
async def stop_feed(command: NamedDependency[Command]) -> None:
    """Revoke the signed-in staff member's calendar address: it answers 404 from now on (204 if there was none)."""
    await revoke_feed(command.ctx, command.actor)


def feed_url(services: Services, token: str) -> str:
    return services.settings.public_url.rstrip("/") + feed_path(token)


@get("/{feed:str}", media_type=CALENDAR)
async def feed(feed: FromPath[str], services: NamedDependency[Services]) -> Response[bytes]:
    """The staff member's agenda as iCalendar: time, place and file number only (404 once revoked)."""
    token = feed.removesuffix(".ics")
    if token == feed or not token:
        raise FeedNotFoundError()
    ctx = services.context()
    calendar = await feed_calendar(ctx, token, services.settings.centre_address)
    return Response(calendar, media_type=CALENDAR, headers={"Cache-Control": "private, no-store"})


_STAFF = [requires(Role.SOCIAL_WORKER, Role.OFFICE_HOURS_HELPER)]
_HANDLERS: ExceptionHandlersMap = {DoubleBookingError: _double_booking}

ROUTES = [
    Router(
        "/appointments",
        route_handlers=[book, one, move, cancel, arrival, no_show],
        guards=_STAFF,
        tags=["appointments"],
        opt=area(people=True, restricted=True, conflicts=True),
        exception_handlers=_HANDLERS,
    ),
    Router(
        "/agenda",
        route_handlers=[staff_list, staff_agenda, site_agenda, make_feed, stop_feed],
        guards=_STAFF,
        tags=["appointments"],
        opt=area(people=True),
    ),
    # No session: the secret token is the key. No personal data beyond file numbers, read as its owner.
    Router("/agenda/feeds", route_handlers=[feed], tags=["appointments"]),
]
