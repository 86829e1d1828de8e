"""An appointment's own rules, and a staff member's day that refuses two appointments at once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from domain.agenda_day import AgendaDay, DoubleBookingError, agenda_day_id
from domain.appointment import Appointment, AppointmentKind, AppointmentStateError, AppointmentStatus
from domain.base import Category
from domain.errors import InvalidValueError

AT = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
TEN = datetime(2026, 9, 2, 8, 0, tzinfo=UTC)
STAFF = uuid4()


def booked(kind: AppointmentKind = AppointmentKind.SOCIAL_LEGAL, minutes: int = 30) -> Appointment:
    return Appointment.book(uuid4(), kind, uuid4(), STAFF, "Liège centre", TEN, minutes, AT, STAFF)


def test_a_social_legal_appointment_names_its_social_worker_and_lasts_a_sensible_time():
    with pytest.raises(InvalidValueError) as refused:
        Appointment.book(uuid4(), AppointmentKind.SOCIAL_LEGAL, uuid4(), None, "Liège centre", TEN, 30, AT, STAFF)
    assert refused.value.field == "staff_id"
    with pytest.raises(InvalidValueError) as too_short:
        booked(minutes=2)
    assert too_short.value.field == "minutes"
    office = Appointment.book(uuid4(), AppointmentKind.OFFICE_HOURS, uuid4(), None, "Seraing", TEN, 20, AT, STAFF)
    assert office.staff_id is None and office.ends_at == TEN + timedelta(minutes=20)


def test_events_are_sealed_under_the_person_and_belong_to_the_service_of_their_kind():
    social = booked()
    office = booked(AppointmentKind.OFFICE_HOURS)
    (social_event,) = social.collect_events()
    (office_event,) = office.collect_events()
    assert social.subject_of(social_event) == social.person_id
    assert social.category_of(social_event) is Category.SOCIAL_LEGAL
    assert office.category_of(office_event) is Category.OFFICE_HOURS


def test_move_cancel_arrive_and_absence_follow_the_appointment_steps():
    appointment = booked()
    appointment.move(STAFF, "Seraing", TEN + timedelta(hours=1), 45, AT, STAFF)
    assert appointment.site == "Seraing" and appointment.minutes == 45
    with pytest.raises(AppointmentStateError):
        appointment.mark_no_show(AT, STAFF)  # not begun yet: the person may still come
    appointment.mark_no_show(TEN + timedelta(hours=1, minutes=10), STAFF)
    assert appointment.status is AppointmentStatus.NO_SHOW
    visit_id = uuid4()
    appointment.check_in(TEN + timedelta(hours=1, minutes=20), STAFF, visit_id)  # late, welcome still
    assert appointment.status is AppointmentStatus.ARRIVED and appointment.visit_id == visit_id
    with pytest.raises(AppointmentStateError):
        appointment.cancel(AT, STAFF)
    cancelled = booked()
    cancelled.cancel(AT, STAFF)
    with pytest.raises(AppointmentStateError):
        cancelled.move(STAFF, "Seraing", TEN, 30, AT, STAFF)


def test_a_day_refuses_an_overlapping_slot_and_names_the_time_taken():
    day = AgendaDay.open(STAFF, date(2026, 9, 2), AT)
    assert day.id == agenda_day_id(STAFF, date(2026, 9, 2)) != agenda_day_id(STAFF, date(2026, 9, 3))
    first, second = uuid4(), uuid4()
    day.take(first, AppointmentKind.SOCIAL_LEGAL, TEN, TEN + timedelta(minutes=30), AT)
    with pytest.raises(DoubleBookingError) as refused:
        day.take(second, AppointmentKind.SOCIAL_LEGAL, TEN + timedelta(minutes=15), TEN + timedelta(minutes=45), AT)
    assert refused.value.field == "starts_at" and refused.value.taken.appointment_id == first
    day.take(second, AppointmentKind.OFFICE_HOURS, TEN + timedelta(minutes=30), TEN + timedelta(minutes=60), AT)
    day.take(first, AppointmentKind.SOCIAL_LEGAL, TEN - timedelta(minutes=30), TEN, AT)  # its own slot moved
    day.release(first, AppointmentKind.SOCIAL_LEGAL, AT)
    assert list(day.slots) == [second]
    events = day.collect_events()
    assert all(day.subject_of(e) is None for e in events)  # ids and times only: nothing personal
    assert day.category_of(events[-1]) is Category.SOCIAL_LEGAL
    assert day.category_of(events[2]) is Category.OFFICE_HOURS
