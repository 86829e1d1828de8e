"""Appointments and the person's rights: exported, erased with the person, kept as long as their service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.appointment import AppointmentKind
from service.application.appointments import BookAppointment, CancelAppointment, book_appointment, cancel_appointment
from service.gdpr.erasure import erase
from service.gdpr.export import export_person
from service.gdpr.html import export_html
from service.gdpr.purge import count_rows
from service.gdpr.retention import RetentionPolicy, run_retention
from tests.application.support import register
from tests.conftest import catch_up_all

TEN = datetime(2026, 9, 2, 8, 0, tzinfo=UTC)
POLICY = RetentionPolicy(social_legal_years=5, training_years=3, office_hours_years=2, identity_only_years=1)


def booking(person_id, staff_id, kind=AppointmentKind.SOCIAL_LEGAL):
    return BookAppointment(
        kind=kind, person_id=person_id, staff_id=staff_id, site="Liège centre", starts_at=TEN, minutes=30
    )


async def test_the_export_holds_the_appointments_and_erasure_leaves_no_row_in_the_agenda(
    ctx, runtime, runner, social_worker, dpo, tools
):
    person_id = await register(ctx, social_worker, "Amina", "Diallo")
    booked = await book_appointment(ctx, social_worker, booking(person_id, social_worker.staff_id))
    await cancel_appointment(ctx, social_worker, CancelAppointment(booked.appointment_id))
    await catch_up_all(runner)

    export = await export_person(ctx, dpo, person_id)
    assert [e.event for e in export.appointments] == ["Appointment.Booked", "Appointment.Cancelled"]
    assert export.appointments[0].facts["kind"] == "social_legal"
    told = export_html(export, "fr", staff={social_worker.staff_id: "Sophie Lambert"})
    assert "Sophie Lambert a fixé un rendez-vous le 02/09/2026 10:00 (Liège centre)" in told
    assert "Sophie Lambert a annulé le rendez-vous" in told and "social_legal" not in told
    async with runtime.pool.acquire() as db:
        assert (await count_rows(db, person_id)).get("agenda") == 1

    await erase(ctx, dpo, person_id, tools)
    await catch_up_all(runner)
    async with runtime.pool.acquire() as db:
        assert "agenda" not in await count_rows(db, person_id)
        left = await db.fetchval("SELECT count(*) FROM rm_agenda.appointments WHERE person_id = $1", person_id)
    assert left == 0


async def test_retention_keeps_an_appointment_as_long_as_its_service(ctx, clock, tools, helper, social_worker, dpo):
    followed = await register(ctx, social_worker, "Amina", "Diallo")
    await book_appointment(ctx, social_worker, booking(followed, social_worker.staff_id))
    visitor = await register(ctx, helper, "Karim", "Benali")
    await book_appointment(ctx, helper, booking(visitor, None, AppointmentKind.OFFICE_HOURS))

    clock.advance(days=366)  # past the identity-only year: neither is due, their appointments keep them
    assert (await run_retention(ctx, dpo, tools, POLICY, dry_run=True)).due == []

    clock.advance(days=365 + 2)  # two years: the office-hours slot's period is over, not the social-legal one
    due = (await run_retention(ctx, dpo, tools, POLICY, dry_run=True)).due
    assert [(d.person_id, d.kept_for) for d in due] == [(visitor, "office_hours")]

    clock.now += timedelta(days=3 * 365 + 2)
    due = (await run_retention(ctx, dpo, tools, POLICY, dry_run=True)).due
    assert {(d.person_id, d.kept_for) for d in due} == {(visitor, "office_hours"), (followed, "social_legal")}
