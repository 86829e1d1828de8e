"""Booking, moving, cancelling and checking in appointments; no staff member booked twice at once."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.agenda_day import AgendaDay, DoubleBookingError, agenda_day_id
from domain.appointment import Appointment, AppointmentKind, AppointmentStatus
from domain.office_hours import UnknownSiteError
from projections.agenda import booked_between
from projections.board import read_board
from service.application.appointments import (
    BookAppointment,
    CancelAppointment,
    CheckInAppointment,
    MarkNoShow,
    MoveAppointment,
    book_appointment,
    cancel_appointment,
    check_in_appointment,
    mark_no_show,
    move_appointment,
)
from service.application.errors import NotAuthorisedError
from service.application.views.agenda import appointment, site_agenda, staff_agenda
from tests.application.support import MeetBeforeSaving, register
from tests.conftest import catch_up_all

TEN = datetime(2026, 9, 2, 8, 0, tzinfo=UTC)  # 10:00 in Liège


def booking(person_id, staff_id, starts_at=TEN, minutes=30, kind=AppointmentKind.SOCIAL_LEGAL, site="Liège centre"):
    return BookAppointment(
        kind=kind, person_id=person_id, staff_id=staff_id, site=site, starts_at=starts_at, minutes=minutes
    )


async def test_two_bookings_of_one_slot_at_once_one_wins_the_other_is_a_double_booking(ctx, social_worker):
    first = await register(ctx, social_worker, "Amina", "Diallo")
    second = await register(ctx, social_worker, "Karim", "Benali")
    racing = dataclasses.replace(ctx, repository=MeetBeforeSaving(ctx.repository, 2))
    outcomes = await asyncio.gather(
        book_appointment(racing, social_worker, booking(first, social_worker.staff_id)),
        book_appointment(racing, social_worker, booking(second, social_worker.staff_id, TEN + timedelta(minutes=10))),
        return_exceptions=True,
    )
    refused = [o for o in outcomes if isinstance(o, DoubleBookingError)]
    won = [o for o in outcomes if not isinstance(o, BaseException)]
    assert len(refused) == 1 and len(won) == 1, outcomes
    assert refused[0].field == "starts_at"
    day = await ctx.repository.get(AgendaDay, agenda_day_id(social_worker.staff_id, date(2026, 9, 2)))
    assert list(day.slots) == [won[0].appointment_id]


async def test_move_releases_the_old_slot_and_cancel_frees_it(ctx, social_worker):
    person = await register(ctx, social_worker, "Amina", "Diallo")
    other = await register(ctx, social_worker, "Karim", "Benali")
    booked = await book_appointment(ctx, social_worker, booking(person, social_worker.staff_id))
    moved = MoveAppointment(
        appointment_id=booked.appointment_id,
        staff_id=social_worker.staff_id,
        site="Seraing",
        starts_at=TEN + timedelta(days=1),
        minutes=45,
    )
    await move_appointment(ctx, social_worker, moved)
    # The old time is free again, the new one is taken.
    again = await book_appointment(ctx, social_worker, booking(other, social_worker.staff_id))
    with pytest.raises(DoubleBookingError):
        await book_appointment(ctx, social_worker, booking(other, social_worker.staff_id, TEN + timedelta(days=1)))
    await cancel_appointment(ctx, social_worker, CancelAppointment(booked.appointment_id))
    await book_appointment(ctx, social_worker, booking(other, social_worker.staff_id, TEN + timedelta(days=1)))
    assert (await ctx.repository.get(Appointment, booked.appointment_id)).status is AppointmentStatus.CANCELLED
    assert (await ctx.repository.get(Appointment, again.appointment_id)).status is AppointmentStatus.BOOKED


async def test_who_may_book_what(ctx, social_worker, helper, trainer):
    person = await register(ctx, helper, "Amina", "Diallo")
    with pytest.raises(NotAuthorisedError):
        await book_appointment(ctx, helper, booking(person, helper.staff_id))  # social-legal: social workers only
    with pytest.raises(NotAuthorisedError):
        await book_appointment(ctx, trainer, booking(person, trainer.staff_id, kind=AppointmentKind.OFFICE_HOURS))
    with pytest.raises(UnknownSiteError):
        await book_appointment(ctx, helper, booking(person, None, kind=AppointmentKind.OFFICE_HOURS, site="Mars"))
    office = booking(person, None, kind=AppointmentKind.OFFICE_HOURS)
    assert (await book_appointment(ctx, helper, office)).appointment_id
    assert (await book_appointment(ctx, social_worker, office)).appointment_id  # nobody named: no slot to hold


async def test_arrival_at_office_hours_puts_the_person_on_the_board(ctx, runner, helper, clock):
    person = await register(ctx, helper, "Amina", "Diallo")
    booked = await book_appointment(
        ctx, helper, booking(person, helper.staff_id, TEN, kind=AppointmentKind.OFFICE_HOURS)
    )
    clock.now = TEN - timedelta(minutes=5)
    arrived = await check_in_appointment(ctx, helper, CheckInAppointment(booked.appointment_id))
    assert arrived.visit_id is not None
    await catch_up_all(runner)
    async with ctx.pool.acquire() as db:
        board = await read_board(db, date(2026, 9, 2), "Liège centre")
        still_booked = await booked_between(db, TEN - timedelta(hours=1), TEN + timedelta(hours=1))
    assert [(line.person_id, line.booked) for line in board.waiting] == [(person, True)]
    assert still_booked == []  # arrived: no reminder to send
    shown = await appointment(ctx, helper, booked.appointment_id)
    assert shown.status is AppointmentStatus.ARRIVED and shown.person is not None
    assert shown.person.family_name == "Diallo" and shown.person.file_number


async def test_agendas_show_the_person_only_to_whom_the_policy_lets_read(
    ctx, runner, social_worker, other_social_worker, helper, clock
):
    mine = await register(ctx, social_worker, "Amina", "Diallo")  # she registered her: her caseload
    booked = await book_appointment(ctx, social_worker, booking(mine, social_worker.staff_id))
    office = await book_appointment(
        ctx, helper, booking(mine, None, TEN + timedelta(hours=2), kind=AppointmentKind.OFFICE_HOURS)
    )
    await catch_up_all(runner)
    own = await staff_agenda(ctx, social_worker, social_worker.staff_id, date(2026, 9, 2))
    assert [(a.appointment_id, a.person and a.person.given_name) for a in own.appointments] == [
        (booked.appointment_id, "Amina")
    ]
    seen_by_colleague = await staff_agenda(ctx, other_social_worker, social_worker.staff_id, date(2026, 9, 2))
    assert [a.person for a in seen_by_colleague.appointments] == [None]  # a busy slot, nobody named
    by_helper = await site_agenda(ctx, helper, "Liège centre", date(2026, 8, 31), days=7)
    assert {a.appointment_id: a.person is not None for a in by_helper.appointments} == {
        booked.appointment_id: False,  # social-legal: not the helper's to read
        office.appointment_id: True,
    }
    async with ctx.pool.acquire() as db:
        upcoming = await booked_between(db, TEN, TEN + timedelta(days=1))
    assert {u.appointment_id for u in upcoming} == {booked.appointment_id, office.appointment_id}
    clock.now = TEN + timedelta(minutes=20)
    await mark_no_show(ctx, social_worker, MarkNoShow(booked.appointment_id))
    await catch_up_all(runner)
    async with ctx.pool.acquire() as db:
        upcoming = await booked_between(db, TEN, TEN + timedelta(days=1))
    assert [u.appointment_id for u in upcoming] == [office.appointment_id]
