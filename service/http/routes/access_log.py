"""The access log: every staff member reads their own entries, the DPO reads everyone's.

Reading it is decided in ``service.application.views.access_log`` (which also records the
DPO's oversight); statistics, which hold no personal data, are in ``statistics``.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Router, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter

from domain.policy import Role
from service.application.context import Actor, ApplicationContext
from service.application.views import access_log
from service.application.views.access_log import AccessLogEntry
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


# Everyone but the admin reads their own entries (the access policy decides); the rest is the DPO's.
ROUTES = [
    Router("/access-log", route_handlers=[my_access_log], tags=["access log"]),
    Router(
        "/access-log",
        route_handlers=[person_access_log, staff_access_log],
        guards=[requires(Role.DPO)],
        tags=["access log"],
        opt=area(people=True),
    ),
]
