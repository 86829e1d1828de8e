"""The roster of a cohort on one day: learners with their attendance, and the waiting list."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from litestar import Router, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from service.application.context import Actor, ApplicationContext
from service.application.reading import ReadPurpose
from service.application.views import roster as views
from service.application.views.roster import RosterView
from service.http.openapi import area


@get("/")
async def roster(
    cohort_id: FromPath[UUID],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    day: FromQuery[date | None] = None,
    purpose: FromQuery[ReadPurpose] = ReadPurpose.TRAINING,
) -> RosterView:
    """Learners (with the day's attendance) and the waiting list; every person shown is an access."""
    return await views.roster(ctx, actor, cohort_id, day, purpose)


# No role guard: the access policy decides, for the roster and for each learner on it
# (trainers and helpers read training; a name only for whom may read the identity).
ROUTES = [Router("/cohorts/{cohort_id:uuid}/roster", route_handlers=[roster], tags=["training"], opt=area(people=True))]
