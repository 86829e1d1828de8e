"""The access log: every staff member reads their own entries, the DPO reads everyone's.

Reading it is decided in ``service.application.views.access_log`` (which also records the
DPO's oversight); statistics, which hold no personal data, are in ``statistics``. The
``summary`` of a log groups it by staff member, view and day (a list that loads adds a row
each time). Every break-glass access is in one list for the DPO, to mark each one reviewed.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter

from domain.policy import Role
from service.application.context import Actor, ApplicationContext
from service.application.gdpr import BreakGlassReviewed, ReviewBreakGlass, review_break_glass
from service.application.views import access_log
from service.application.views.access_log import AccessGroup, AccessLogEntry, grouped
from service.application.views.break_glass import BreakGlassAccess, break_glass_accesses
from service.http.deps import Command
from service.http.guards import requires
from service.http.openapi import area

Limit = Annotated[int, QueryParameter(ge=1, le=500)]


@get("/mine")
async def my_access_log(
    ctx: NamedDependency[ApplicationContext], actor: NamedDependency[Actor], limit: FromQuery[Limit] = 200
) -> list[AccessLogEntry]:
    """What the signed-in staff member read: ids, views and bases only."""
    return await access_log.my_access_log(ctx, actor, limit)


@get("/people/{person_id:uuid}")
async def person_access_log(
    person_id: FromPath[UUID],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    limit: FromQuery[Limit] = 200,
) -> list[AccessLogEntry]:
    """Who read this person's data, when, why and on what basis (DPO); break-glass entries flagged."""
    return await access_log.person_access_log(ctx, actor, person_id, limit)


@get("/staff/{staff_id:uuid}")
async def staff_access_log(
    staff_id: FromPath[UUID],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    limit: FromQuery[Limit] = 200,
) -> list[AccessLogEntry]:
    """Whose data this staff member read (DPO); each person shown is recorded as oversight."""
    return await access_log.staff_access_log(ctx, actor, staff_id, limit)


@get("/people/{person_id:uuid}/summary")
async def person_access_summary(
    person_id: FromPath[UUID],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    limit: FromQuery[Limit] = 500,
) -> list[AccessGroup]:
    """The same entries grouped by staff member, view and day (count, first and last time), each with its entries."""
    return grouped(await access_log.person_access_log(ctx, actor, person_id, limit))


@get("/staff/{staff_id:uuid}/summary")
async def staff_access_summary(
    staff_id: FromPath[UUID],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    limit: FromQuery[Limit] = 500,
) -> list[AccessGroup]:
    """The staff member's accesses grouped by view and day, people since erased included (pseudonymously)."""
    return grouped(await access_log.staff_access_log(ctx, actor, staff_id, limit))


@get("/break-glass")
async def break_glass(
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    unreviewed: FromQuery[bool] = False,
    limit: FromQuery[Limit] = 200,
) -> list[BreakGlassAccess]:
    """Every break-glass access, newest first, with its reason and its review; ``unreviewed=true``: not yet reviewed."""
    return await break_glass_accesses(ctx, actor, unreviewed_only=unreviewed, limit=limit)


@post("/break-glass/{access_id:uuid}/review", status_code=200)
async def review(access_id: FromPath[UUID], command: NamedDependency[Command]) -> Response[BreakGlassReviewed]:
    """Mark the access reviewed (201); reviewed before, the first review stands (200, ``already``)."""
    outcome = await review_break_glass(
        command.ctx, command.actor, ReviewBreakGlass(access_id), idempotency_key=command.idempotency_key
    )
    return Response(outcome, status_code=200 if outcome.already else 201)


# Everyone but the admin reads their own entries (the access policy decides); the rest is the DPO's.
ROUTES = [
    Router("/access-log", route_handlers=[my_access_log], tags=["access log"]),
    Router(
        "/access-log",
        route_handlers=[
            person_access_log,
            staff_access_log,
            person_access_summary,
            staff_access_summary,
            break_glass,
            review,
        ],
        guards=[requires(Role.DPO)],
        tags=["access log"],
        opt=area(people=True),
    ),
]
