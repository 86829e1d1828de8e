"""The reminders that could not be sent (social workers and helpers), and sending one again.

The list is the API's view (``views.reminders.failed_reminders``): each person shown is opened
through the access policy, so a helper sees the office-hours reminders, a social worker those
of the people she follows. ``appointment_status`` is what an appointment's page loads.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from domain.policy import Role
from service.application.context import ApplicationContext
from service.application.errors import NotAuthorisedError
from service.application.reminders import RetryReminder, retry_reminder
from service.application.views.reminders import appointment_reminders, failed_reminders
from service.http.deps import Services
from service.reminders.scheduler import Schedule
from service.web.errors import shown_again
from service.web.kept import Kept
from service.web.viewer import Form, Viewer, page, pages_for

_NOTICES = ("retried",)


async def _failed_page(viewer: Viewer, ctx: ApplicationContext, notice: str = "", kept: Kept | None = None) -> Template:
    failed = await failed_reminders(ctx, viewer.principal.actor, language=viewer.language)
    return page(
        viewer,
        "reminders/failed.html",
        "reminder.failed.title",
        failed=failed.reminders,
        notice=notice if notice in _NOTICES else "",
        kept=kept,
    )


@get("/failed")
async def failed_page(
    viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext], notice: FromQuery[str] = ""
) -> Template:
    return await _failed_page(viewer, ctx, notice)


@post("/{reminder_id:uuid}/retry")
async def retry(
    reminder_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    async def attempt() -> Response[Any]:
        await retry_reminder(ctx, viewer.principal.actor, RetryReminder(reminder_id), idempotency_key=form.key(viewer))
        return Redirect("/ui/reminders/failed?notice=retried", status_code=303)

    async def again(kept: Kept) -> Template:
        return await _failed_page(viewer, ctx, kept=kept)

    return await shown_again(form, viewer, attempt, again)


@get("/appointments/{appointment_id:uuid}")
async def appointment_status(
    appointment_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    services: NamedDependency[Services],
) -> Response[Any]:
    """An appointment's reminders: the fragment its page loads (htmx), or a page of its own without script."""
    fragment = request.headers.get("HX-Request") == "true"
    schedule = Schedule.of(services.settings)
    try:
        reminders = await appointment_reminders(
            ctx, viewer.principal.actor, appointment_id, schedule, language=viewer.language
        )
    except NotAuthorisedError:
        if fragment:  # the appointment's page says what may be said; the fragment adds nothing
            return Response(b"", status_code=204)
        raise
    if fragment:
        return page(viewer, "reminders/status.html", "reminder.status.title", reminders=reminders, standalone=False)
    return page(
        viewer, "reminders/appointment.html", "reminder.status.page_title", reminders=reminders, standalone=True
    )


ROUTES = [
    Router(
        "/ui/reminders",
        route_handlers=[failed_page, retry, appointment_status],
        guards=pages_for(Role.SOCIAL_WORKER, Role.OFFICE_HOURS_HELPER),
        include_in_schema=False,
    )
]
