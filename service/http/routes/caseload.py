"""The signed-in social worker's caseload: open cases and referrals waiting for an answer."""

from __future__ import annotations

from litestar import Router, get
from litestar.di import NamedDependency

from domain.policy import Role
from service.application.context import Actor, ApplicationContext
from service.application.views.caseload import Caseload, caseload
from service.http.guards import requires
from service.http.openapi import area


@get("/")
async def my_caseload(ctx: NamedDependency[ApplicationContext], actor: NamedDependency[Actor]) -> Caseload:
    """The signed-in social worker's caseload; every person shown is an access."""
    return await caseload(ctx, actor)


# A caseload is a social worker's; the view still opens (and records) each person shown.
ROUTES = [
    Router(
        "/caseload",
        route_handlers=[my_caseload],
        guards=[requires(Role.SOCIAL_WORKER)],
        tags=["caseload"],
        opt=area(people=True),
    )
]
