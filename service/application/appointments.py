"""Appointments (rendez-vous): book, move, cancel, check in, mark absent.

Each command appends the appointment's event (sealed under the person's key) and, when a
staff member is named, the change to that staff member's day (``domain.agenda_day``) in the
SAME append. Two bookings of one slot at the same time therefore conflict in the event
store: the commands are decided again on fresh state (``repeatable``) and the later one is
refused as a double booking (``DoubleBookingError``, a 409 naming ``starts_at``). A version
check the caller asked for (If-Match) still fails at once.

Who books: social workers book social-legal appointments (with themselves or a colleague);
helpers and social workers book office-hours slots. Trainers book nothing. Checking in an
office-hours appointment also checks the person in at that day's office hours (a ``Visit``,
same append), so that they show on the board.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from uuid import UUID

import msgspec

from domain.agenda_day import AgendaDay, agenda_day_id
from domain.appointment import Appointment, AppointmentKind
from domain.base import Category, SuiviAggregate
from domain.errors import InvalidValueError
from domain.office_hours import Visit, known_site
from domain.policy import Role, Scope
from service.application.authorisation import authorise, person_open_to, require_role
from service.application.context import Actor, ApplicationContext
from service.application.running import Decision, Outcome, execute, versions_of
from service.staff.accounts import StaffNotFoundError
from service.storage.repository import AggregateNotFoundError
from service.words.formatting import CENTRE_TIME_ZONE

BOOKERS = {
    AppointmentKind.SOCIAL_LEGAL: frozenset({Role.SOCIAL_WORKER}),
    AppointmentKind.OFFICE_HOURS: frozenset({Role.SOCIAL_WORKER, Role.OFFICE_HOURS_HELPER}),
}
"""Who may book (and be booked for) each kind of appointment."""


class BookAppointment(msgspec.Struct, frozen=True, kw_only=True):
    kind: AppointmentKind
    person_id: UUID
    staff_id: UUID | None
    """With whom; None for an office-hours slot with whoever is on duty."""
    site: str
    starts_at: datetime
    minutes: int


class MoveAppointment(msgspec.Struct, frozen=True, kw_only=True):
    appointment_id: UUID
    staff_id: UUID | None
    site: str
    starts_at: datetime
    minutes: int


class AppointmentStep(msgspec.Struct, frozen=True):
    """Cancel, check in or mark absent: the appointment is all the command needs."""

    appointment_id: UUID


class CancelAppointment(AppointmentStep, frozen=True):
    pass


class CheckInAppointment(AppointmentStep, frozen=True):
    pass


class MarkNoShow(AppointmentStep, frozen=True):
    pass


class AppointmentChanged(Outcome, frozen=True):
    appointment_id: UUID
    visit_id: UUID | None = None
    """The office-hours visit opened by a check-in."""


def category_of_kind(kind: AppointmentKind) -> Category:
    return Category.SOCIAL_LEGAL if AppointmentKind(kind) is AppointmentKind.SOCIAL_LEGAL else Category.OFFICE_HOURS


def local_day(at: datetime) -> date:
    """The day at the centre (Liège) of an aware time: an agenda's day is the one staff live in."""
    return at.astimezone(CENTRE_TIME_ZONE).date()


def _starting(starts_at: datetime) -> datetime:
    """The start of an appointment must say its time zone (a form's local time is made aware by the page)."""
    if starts_at.tzinfo is None or starts_at.utcoffset() is None:
        raise InvalidValueError("starts_at must carry a time zone", field="starts_at")
    return starts_at


def _authorise_kind(actor: Actor, kind: AppointmentKind) -> None:
    require_role(actor, BOOKERS[AppointmentKind(kind)], "this kind of appointment")
    if kind is AppointmentKind.SOCIAL_LEGAL:
        # Like taking a case in: any social worker may book with any colleague (intake).
        authorise(actor, Category.SOCIAL_LEGAL, scope=Scope.INTAKE_ONLY)
    else:
        authorise(actor, Category.OFFICE_HOURS)


async def _bookable_staff(ctx: ApplicationContext, actor: Actor, kind: AppointmentKind, staff_id: UUID | None) -> None:
    """The staff member booked must be active and of a role that takes this kind of appointment."""
    if staff_id is None or staff_id == actor.staff_id:
        return
    try:
        member = await ctx.accounts.get(staff_id)
    except StaffNotFoundError:
        member = None
    if member is None or not member.active or member.roles.isdisjoint(BOOKERS[AppointmentKind(kind)]):
        raise InvalidValueError("staff_id must name an active colleague of the right service", field="staff_id")


async def _agenda_day(ctx: ApplicationContext, staff_id: UUID, day: date, at: datetime) -> AgendaDay:
    try:
        return await ctx.repository.get(AgendaDay, agenda_day_id(staff_id, day))
    except AggregateNotFoundError:
        return AgendaDay.open(staff_id, day, at)


class _Days:
    """The agenda days one command touches, each loaded once (a move within a day changes one)."""

    def __init__(self, ctx: ApplicationContext, at: datetime) -> None:
        self._ctx = ctx
        self._at = at
        self._days: dict[UUID, AgendaDay] = {}

    async def of(self, staff_id: UUID, starts_at: datetime) -> AgendaDay:
        key = agenda_day_id(staff_id, local_day(starts_at))
        if key not in self._days:
            self._days[key] = await _agenda_day(self._ctx, staff_id, local_day(starts_at), self._at)
        return self._days[key]

    @property
    def changed(self) -> tuple[SuiviAggregate, ...]:
        return tuple(day for day in self._days.values() if day.pending_events)


async def book_appointment(
    ctx: ApplicationContext, actor: Actor, command: BookAppointment, *, idempotency_key: str | None = None
) -> AppointmentChanged:
    kind = AppointmentKind(command.kind)
    _authorise_kind(actor, kind)
    site = known_site(command.site, ctx.centre.sites)
    await _bookable_staff(ctx, actor, kind, command.staff_id)

    async def decide(at: datetime) -> Decision[AppointmentChanged]:
        await person_open_to(ctx, actor, command.person_id)
        appointment = Appointment.book(
            ctx.new_id(),
            kind,
            command.person_id,
            command.staff_id,
            site,
            _starting(command.starts_at),
            command.minutes,
            at,
            actor.staff_id,
        )
        days = _Days(ctx, at)
        if appointment.staff_id is not None:
            agenda = await days.of(appointment.staff_id, appointment.starts_at)
            agenda.take(appointment.id, kind, appointment.starts_at, appointment.ends_at, at)
        changed = (appointment, *days.changed)
        return Decision(changed, AppointmentChanged(versions=versions_of(*changed), appointment_id=appointment.id))

    # Repeated on a conflict: decided again, the later of two bookings of one slot sees the first.
    return await execute(
        ctx, actor, command, decide, AppointmentChanged, idempotency_key=idempotency_key, repeatable=True
    )


async def move_appointment(
    ctx: ApplicationContext, actor: Actor, command: MoveAppointment, *, idempotency_key: str | None = None
) -> AppointmentChanged:
    site = known_site(command.site, ctx.centre.sites)

    async def decide(at: datetime) -> Decision[AppointmentChanged]:
        appointment = await _appointment_for(ctx, actor, command.appointment_id)
        await _bookable_staff(ctx, actor, appointment.kind, command.staff_id)
        days = _Days(ctx, at)
        if appointment.staff_id is not None:
            (await days.of(appointment.staff_id, appointment.starts_at)).release(appointment.id, appointment.kind, at)
        appointment.move(command.staff_id, site, _starting(command.starts_at), command.minutes, at, actor.staff_id)
        if appointment.staff_id is not None:
            agenda = await days.of(appointment.staff_id, appointment.starts_at)
            agenda.take(appointment.id, appointment.kind, appointment.starts_at, appointment.ends_at, at)
        changed = (appointment, *days.changed)
        return Decision(changed, AppointmentChanged(versions=versions_of(*changed), appointment_id=appointment.id))

    return await execute(
        ctx, actor, command, decide, AppointmentChanged, idempotency_key=idempotency_key, repeatable=True
    )


async def cancel_appointment(
    ctx: ApplicationContext, actor: Actor, command: CancelAppointment, *, idempotency_key: str | None = None
) -> AppointmentChanged:
    async def change(appointment: Appointment, at: datetime) -> tuple[SuiviAggregate, ...]:
        appointment.cancel(at, actor.staff_id)
        days = _Days(ctx, at)
        if appointment.staff_id is not None:
            (await days.of(appointment.staff_id, appointment.starts_at)).release(appointment.id, appointment.kind, at)
        return days.changed

    return await _step(ctx, actor, command, change, idempotency_key)


async def check_in_appointment(
    ctx: ApplicationContext, actor: Actor, command: CheckInAppointment, *, idempotency_key: str | None = None
) -> AppointmentChanged:
    """The person came. For office hours, they join today's board at the appointment's site."""

    async def change(appointment: Appointment, at: datetime) -> tuple[SuiviAggregate, ...]:
        if appointment.kind is not AppointmentKind.OFFICE_HOURS or appointment.person_id is None:
            appointment.check_in(at, actor.staff_id)
            return ()
        authorise(actor, Category.OFFICE_HOURS)
        visit = Visit.check_in(ctx.new_id(), appointment.person_id, local_day(at), appointment.site, at, actor.staff_id)
        appointment.check_in(at, actor.staff_id, visit.id)
        return (visit,)  # appended before the appointment: the board has the visit when it learns of the booking

    return await _step(ctx, actor, command, change, idempotency_key, visit_first=True)


async def mark_no_show(
    ctx: ApplicationContext, actor: Actor, command: MarkNoShow, *, idempotency_key: str | None = None
) -> AppointmentChanged:
    async def change(appointment: Appointment, at: datetime) -> tuple[SuiviAggregate, ...]:
        appointment.mark_no_show(at, actor.staff_id)
        return ()

    return await _step(ctx, actor, command, change, idempotency_key)


async def _appointment_for(ctx: ApplicationContext, actor: Actor, appointment_id: UUID) -> Appointment:
    """Load the appointment, refuse unless the actor may handle its kind, and check the person."""
    require_role(actor, frozenset().union(*BOOKERS.values()), "appointments")
    appointment = await ctx.repository.get(Appointment, appointment_id)
    _authorise_kind(actor, appointment.kind)
    await person_open_to(ctx, actor, appointment.person_id)
    return appointment


async def _step(
    ctx: ApplicationContext,
    actor: Actor,
    command: AppointmentStep,
    change: Callable[[Appointment, datetime], Awaitable[tuple[SuiviAggregate, ...]]],
    idempotency_key: str | None,
    *,
    visit_first: bool = False,
) -> AppointmentChanged:
    async def decide(at: datetime) -> Decision[AppointmentChanged]:
        appointment = await _appointment_for(ctx, actor, command.appointment_id)
        others = await change(appointment, at)
        changed = (*others, appointment) if visit_first else (appointment, *others)
        visit_id = next((a.id for a in others if isinstance(a, Visit)), None)
        result = AppointmentChanged(versions=versions_of(*changed), appointment_id=appointment.id, visit_id=visit_id)
        return Decision(changed, result)

    # Not repeated: each step is taken on the appointment as the staff member saw it.
    return await execute(
        ctx, actor, command, decide, AppointmentChanged, idempotency_key=idempotency_key, repeatable=False
    )
