"""The reminders API: each appointment's reminders, the failed ones, and sending one again."""

from __future__ import annotations

from uuid import UUID

from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from domain.policy import Role
from service.application.context import Actor, ApplicationContext
from service.application.reading import ReadPurpose
from service.application.reminders import RetryReminder, retry_reminder
from service.application.views.reminders import (
    AppointmentReminders,
    FailedReminders,
    appointment_reminders,
    failed_reminders,
)
from service.http.deps import Command, Services
from service.http.guards import requires
from service.http.openapi import area
from service.http.wire import Changed, changed
from service.reminders.scheduler import Schedule


@get("/appointments/{appointment_id:uuid}")
async def of_appointment(
    appointment_id: FromPath[UUID],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    services: NamedDependency[Services],
    purpose: FromQuery[ReadPurpose] = ReadPurpose.FOLLOW_UP,
) -> AppointmentReminders:
    """Where the appointment's reminders stand (planned, waiting, sent, failed, none), each with why, in French."""
    return await appointment_reminders(ctx, actor, appointment_id, Schedule.of(services.settings), purpose=purpose)


@get("/failed")
async def failed(
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    purpose: FromQuery[ReadPurpose] = ReadPurpose.FOLLOW_UP,
) -> FailedReminders:
    """The reminders that could not be sent, the latest first: only of people the reader may follow."""
    return await failed_reminders(ctx, actor, purpose=purpose)


@post("/{reminder_id:uuid}/retry", status_code=200)
async def retry(reminder_id: FromPath[UUID], command: NamedDependency[Command]) -> Response[Changed]:
    """Send a failed reminder again (a fresh count of attempts); one not failed is a 422."""
    outcome = await retry_reminder(
        command.ctx, command.actor, RetryReminder(reminder_id), idempotency_key=command.idempotency_key
    )
    return changed(outcome, etag_of=reminder_id)


# Reminders follow the appointments: the social workers' and the helpers'; whose, the access policy decides.
ROUTES = [
    Router(
        "/reminders",
        route_handlers=[of_appointment, failed, retry],
        guards=[requires(Role.SOCIAL_WORKER, Role.OFFICE_HOURS_HELPER)],
        tags=["reminders"],
        opt=area(people=True, restricted=True),
    )
]
