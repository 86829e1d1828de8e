"""Appointments (rendez-vous): the agendas per staff member and per site, by day and by week; booking,
moving, cancelling, the arrival and the absence; the staff member's own calendar address.

The agendas are the API's views (``views.agenda``): every person shown is opened through the access
policy, and a slot the reader may not read is shown as taken, without a name. Times are typed and
shown as the centre lives them (Liège); a double booking comes back on the form, saying who is taken
and from when to when.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote, urlencode
from uuid import UUID

from babel.dates import format_date
from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from domain.agenda_day import DoubleBookingError
from domain.appointment import AppointmentKind
from domain.policy import Role
from service.application import appointments as application
from service.application.agenda_feeds import create_feed, feed_path, has_feed, revoke_feed
from service.application.appointments import local_day
from service.application.context import ApplicationContext
from service.application.office_hours import own_site
from service.application.views.agenda import (
    AgendaView,
    AppointmentView,
    Attendee,
    BookableStaff,
    appointment,
    bookable_staff,
    person_by_file_number,
    person_to_book,
    site_agenda,
    staff_agenda,
)
from service.http.deps import Services
from service.web.errors import shown_again
from service.web.kept import FormFieldError, FormFieldErrors, Kept
from service.web.pages.people import reading_purpose
from service.web.viewer import Form, Viewer, page, pages_for
from service.words.formatting import CENTRE_TIME_ZONE
from service.words.translator import Translator

DURATIONS = (15, 20, 30, 45, 60, 90)
_NOTICES = ("booked", "moved", "cancelled", "arrived", "no_show")
_FEED_NOTICES = ("made", "revoked")


def _parse_time(form: Form, name: str) -> time:
    raw = form.get(name, "").strip().replace("h", ":")
    try:
        hours, minutes = (int(part) for part in raw.split(":"))
        return time(hours, minutes)
    except ValueError:
        raise FormFieldError(name, "time") from None


def _starts_at(form: Form) -> datetime:
    """The day and time typed, at the centre (daylight saving included)."""
    problems = []
    day: date | None = None
    moment: time | None = None
    try:
        day = form.day("day")
    except FormFieldError as problem:
        problems.append(problem)
    try:
        moment = _parse_time(form, "time")
    except FormFieldError as problem:
        problems.append(problem)
    if problems or day is None or moment is None:
        raise FormFieldErrors(problems)
    return datetime.combine(day, moment, CENTRE_TIME_ZONE)


def _staff_id(form: Form) -> UUID | None:
    return form.uuid("staff_id") if form.get("staff_id", "").strip() else None


def _double_booked(
    error: DoubleBookingError, staff: list[BookableStaff], staff_id: UUID | None, language: str
) -> Exception:
    """The double booking said on the form: who is taken, from when to when (as Liège reads the time)."""
    t = Translator(language)
    who = next((s.display_name for s in staff if s.staff_id == staff_id), t("appointments.the_staff_member"))
    return FormFieldError(
        "time", "double_booking", who=who, start=t.time(error.taken.starts_at), end=t.time(error.taken.ends_at)
    )


def _kinds(viewer: Viewer) -> list[AppointmentKind]:
    return [kind for kind, roles in application.BOOKERS.items() if viewer.has(*roles)]


# ---- agendas


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _agenda_url(base: str, params: dict[str, str], day: date, span: str) -> str:
    return f"{base}?{urlencode({**params, 'day': day.isoformat(), 'span': span})}"


def _days_of(agenda: AgendaView, language: str) -> list[dict[str, Any]]:
    locale = Translator(language).locale
    days = []
    for offset in range(agenda.days):
        day = agenda.first_day + timedelta(days=offset)
        shown = [a for a in agenda.appointments if local_day(a.starts_at) == day]
        days.append({"day": day, "label": format_date(day, "full", locale=locale), "appointments": shown})
    return days


async def _agenda_page(
    viewer: Viewer,
    ctx: ApplicationContext,
    agenda: AgendaView,
    span: str,
    base: str,
    params: dict[str, str],
    title: str,
    **context: Any,
) -> Template:
    step = timedelta(days=7 if span == "week" else 1)
    first = agenda.first_day
    t = Translator(viewer.language)
    if span == "week":
        last = first + timedelta(days=6)
        period = t("appointments.week_of", first=t.long_date(first), last=t.long_date(last))
    else:
        period = format_date(first, "full", locale=t.locale)
    return page(
        viewer,
        "appointments/agenda.html",
        title,
        agenda=agenda,
        span=span,
        period=period,
        days=_days_of(agenda, viewer.language),
        previous_url=_agenda_url(base, params, first - step, span),
        next_url=_agenda_url(base, params, first + step, span),
        today_url=_agenda_url(base, params, local_day(ctx.clock()), span),
        day_url=_agenda_url(base, params, first, "day"),
        week_url=_agenda_url(base, params, first, "week"),
        staff=await bookable_staff(ctx, viewer.principal.actor),
        sites=ctx.centre.sites,
        **context,
    )


def _span(span: str) -> str:
    return "week" if span == "week" else "day"


def _first_day(ctx: ApplicationContext, day: date | None, span: str) -> date:
    chosen = day or local_day(ctx.clock())
    return _week_start(chosen) if span == "week" else chosen


@get("/")
async def own_agenda(viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]) -> Response[Any]:
    return Redirect(f"/ui/agenda/staff/{viewer.principal.staff.staff_id}", status_code=303)


@get("/staff")
async def chosen_staff_agenda(
    viewer: NamedDependency[Viewer],
    staff: FromQuery[UUID | None] = None,
    day: FromQuery[date | None] = None,
    span: FromQuery[str] = "day",
) -> Response[Any]:
    """The agenda chosen in the list (a form without script sends the staff member as a field); one's own
    when the list was left unchosen."""
    query = urlencode({"day": day.isoformat(), "span": _span(span)} if day else {"span": _span(span)})
    return Redirect(f"/ui/agenda/staff/{staff or viewer.principal.staff.staff_id}?{query}", status_code=303)


@get("/staff/{staff_id:uuid}")
async def staff_agenda_page(
    staff_id: FromPath[UUID],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    day: FromQuery[date | None] = None,
    span: FromQuery[str] = "day",
) -> Template:
    """A staff member's agenda (one's own by default), by day or by week."""
    span = _span(span)
    first = _first_day(ctx, day, span)
    agenda = await staff_agenda(
        ctx, viewer.principal.actor, staff_id, first, 7 if span == "week" else 1, reading_purpose(viewer)
    )
    return await _agenda_page(
        viewer, ctx, agenda, span, f"/ui/agenda/staff/{staff_id}", {}, "appointments.staff_title", mode="staff"
    )


@get("/site")
async def site_agenda_page(
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    site: FromQuery[str | None] = None,
    day: FromQuery[date | None] = None,
    span: FromQuery[str] = "day",
) -> Template:
    """A site's agenda, whoever the appointments are with, by day or by week."""
    span = _span(span)
    chosen = site if site in ctx.centre.sites else own_site(ctx, viewer.principal.staff.site)
    first = _first_day(ctx, day, span)
    agenda = await site_agenda(
        ctx, viewer.principal.actor, str(chosen), first, 7 if span == "week" else 1, reading_purpose(viewer)
    )
    return await _agenda_page(
        viewer, ctx, agenda, span, "/ui/agenda/site", {"site": str(chosen)}, "appointments.site_title", mode="site"
    )


# ---- the calendar address


async def _feed_page(
    viewer: Viewer, ctx: ApplicationContext, services: Services, token: str = "", notice: str = ""
) -> Template:
    made = await has_feed(ctx, viewer.principal.actor)
    address = services.settings.public_url.rstrip("/") + feed_path(token) if token else ""
    return page(
        viewer,
        "appointments/feed.html",
        "appointments.feed_title",
        made=made,
        address=address,
        notice=notice if notice in _FEED_NOTICES else "",
    )


@get("/feed")
async def feed_page(
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    services: NamedDependency[Services],
    notice: FromQuery[str] = "",
) -> Template:
    """Subscribe to one's agenda from a calendar application: make, or revoke, a secret address."""
    return await _feed_page(viewer, ctx, services, notice=notice)


@post("/feed")
async def make_feed(
    viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext], services: NamedDependency[Services]
) -> Template:
    """The new address is shown once, on this page (only a hash of it is kept)."""
    token = await create_feed(ctx, viewer.principal.actor)
    return await _feed_page(viewer, ctx, services, token=token, notice="made")


@post("/feed/revocation")
async def stop_feed(viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]) -> Response[Any]:
    await revoke_feed(ctx, viewer.principal.actor)
    return Redirect("/ui/agenda/feed?notice=revoked", status_code=303)


# ---- one appointment: booking, moving, the steps


async def _booking_page(
    viewer: Viewer,
    ctx: ApplicationContext,
    person: Attendee | None,
    kept: Kept | None = None,
    day: date | None = None,
    staff_id: UUID | None = None,
) -> Template:
    return page(
        viewer,
        "appointments/new.html",
        "appointments.new_title",
        person=person,
        kinds=_kinds(viewer),
        staff=await bookable_staff(ctx, viewer.principal.actor),
        chosen_staff=str(staff_id or viewer.principal.staff.staff_id),
        sites=ctx.centre.sites,
        own_site=own_site(ctx, viewer.principal.staff.site),
        durations=DURATIONS,
        day=(day or local_day(ctx.clock())).isoformat(),
        kept=kept,
    )


@get("/new")
async def booking_form(
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    person: FromQuery[UUID | None] = None,
    day: FromQuery[date | None] = None,
    staff: FromQuery[UUID | None] = None,
) -> Template:
    """Book for a person (from their file) or for the file number typed."""
    attendee = None if person is None else await person_to_book(ctx, viewer.principal.actor, person)
    return await _booking_page(viewer, ctx, attendee, day=day, staff_id=staff)


@post("/")
async def book(
    form: NamedDependency[Form], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[Any]:
    actor = viewer.principal.actor
    staff = await bookable_staff(ctx, actor)
    staff_id: UUID | None = None
    person: Attendee | None = None

    async def attempt() -> Response[Any]:
        nonlocal staff_id, person
        if form.get("person_id"):
            person_id = form.uuid("person_id")
        else:
            person_id = await person_by_file_number(ctx, actor, form.text("file_number", 20, required=True))
        person = await person_to_book(ctx, actor, person_id, reading_purpose(viewer))
        staff_id = _staff_id(form)
        booking = application.BookAppointment(
            kind=form.choice("kind", AppointmentKind),
            person_id=person_id,
            staff_id=staff_id,
            site=form.text("site", 100, required=True),
            starts_at=_starts_at(form),
            minutes=form.integer("minutes", 30, low=5, high=480),
        )
        try:
            booked = await application.book_appointment(ctx, actor, booking, idempotency_key=form.key(viewer))
        except DoubleBookingError as error:
            raise _double_booked(error, staff, staff_id, viewer.language) from None
        return Redirect(f"/ui/appointments/{booked.appointment_id}?notice=booked", status_code=303)

    async def again(kept: Kept) -> Template:
        return await _booking_page(viewer, ctx, person, kept)

    return await shown_again(form, viewer, attempt, again)


async def _appointment_page(
    viewer: Viewer, ctx: ApplicationContext, appointment_id: UUID, notice: str = "", kept: Kept | None = None
) -> Template:
    shown: AppointmentView = await appointment(ctx, viewer.principal.actor, appointment_id, reading_purpose(viewer))
    local = shown.starts_at.astimezone(CENTRE_TIME_ZONE)
    begun = ctx.clock() >= shown.starts_at
    return page(
        viewer,
        "appointments/appointment.html",
        "appointments.title",
        shown=shown,
        day_label=format_date(local.date(), "full", locale=Translator(viewer.language).locale),
        day=local.date().isoformat(),
        time=local.strftime("%H:%M"),
        begun=begun,
        staff=await bookable_staff(ctx, viewer.principal.actor),
        sites=ctx.centre.sites,
        durations=sorted({*DURATIONS, shown.minutes}),
        notice=notice if notice in _NOTICES else "",
        board_url=f"/ui/office-hours/board?site={quote(shown.site)}",
        agenda_url=(
            f"/ui/agenda/staff/{shown.staff_id}?day={local.date().isoformat()}"
            if shown.staff_id
            else f"/ui/agenda/site?{urlencode({'site': shown.site, 'day': local.date().isoformat()})}"
        ),
        kept=kept,
    )


@get("/{appointment_id:uuid}")
async def appointment_page(
    appointment_id: FromPath[UUID],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    notice: FromQuery[str] = "",
) -> Template:
    """Who, when, where and with whom; then move, cancel, the arrival or the absence."""
    return await _appointment_page(viewer, ctx, appointment_id, notice)


def _as_seen(ctx: ApplicationContext, form: Form, appointment_id: UUID) -> ApplicationContext:
    """The context that refuses the appointment if it changed since the page was shown (409 on the form)."""
    version = form.integer("version", 0, low=0, high=1_000_000)
    if not version:
        return ctx
    return dataclasses.replace(ctx, repository=ctx.repository.expecting({appointment_id: version}))


@post("/{appointment_id:uuid}/move")
async def move(
    appointment_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    actor = viewer.principal.actor
    staff = await bookable_staff(ctx, actor)

    async def attempt() -> Response[Any]:
        staff_id = _staff_id(form)
        moving = application.MoveAppointment(
            appointment_id=appointment_id,
            staff_id=staff_id,
            site=form.text("site", 100, required=True),
            starts_at=_starts_at(form),
            minutes=form.integer("minutes", 30, low=5, high=480),
        )
        seen = _as_seen(ctx, form, appointment_id)
        try:
            await application.move_appointment(seen, actor, moving, idempotency_key=form.key(viewer))
        except DoubleBookingError as error:
            raise _double_booked(error, staff, staff_id, viewer.language) from None
        return Redirect(f"/ui/appointments/{appointment_id}?notice=moved", status_code=303)

    async def again(kept: Kept) -> Template:
        return await _appointment_page(viewer, ctx, appointment_id, kept=kept)

    return await shown_again(form, viewer, attempt, again)


Step = Callable[..., Awaitable[application.AppointmentChanged]]


def _step(name: str, notice: str, command: type[application.AppointmentStep], run: Step) -> Any:
    """The page of a step that needs nothing but the appointment (cancel, arrival, absence)."""

    @post(f"/{{appointment_id:uuid}}/{name}", name=f"appointment-{name}")
    async def take(
        appointment_id: FromPath[UUID],
        form: NamedDependency[Form],
        viewer: NamedDependency[Viewer],
        ctx: NamedDependency[ApplicationContext],
    ) -> Response[Any]:
        async def attempt() -> Response[Any]:
            seen = _as_seen(ctx, form, appointment_id)
            await run(seen, viewer.principal.actor, command(appointment_id), idempotency_key=form.key(viewer))
            return Redirect(f"/ui/appointments/{appointment_id}?notice={notice}", status_code=303)

        async def again(kept: Kept) -> Template:
            return await _appointment_page(viewer, ctx, appointment_id, kept=kept)

        return await shown_again(form, viewer, attempt, again)

    return take


cancel = _step("cancellation", "cancelled", application.CancelAppointment, application.cancel_appointment)
arrival = _step("arrival", "arrived", application.CheckInAppointment, application.check_in_appointment)
no_show = _step("no-show", "no_show", application.MarkNoShow, application.mark_no_show)

_STAFF = pages_for(Role.SOCIAL_WORKER, Role.OFFICE_HOURS_HELPER)

ROUTES = [
    Router(
        "/ui/agenda",
        route_handlers=[
            own_agenda,
            chosen_staff_agenda,
            staff_agenda_page,
            site_agenda_page,
            feed_page,
            make_feed,
            stop_feed,
        ],
        guards=_STAFF,
        include_in_schema=False,
    ),
    Router(
        "/ui/appointments",
        route_handlers=[booking_form, book, appointment_page, move, cancel, arrival, no_show],
        guards=_STAFF,
        include_in_schema=False,
    ),
]
