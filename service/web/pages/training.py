"""Trainer: their cohorts, the roster with its waiting list, today's attendance sheet, DigComp, a learner's history.

Each page calls the JSON route's own function, so the access policy (and the access log)
is exactly the API's: a roster opens every learner through ``open_for_reading``.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from domain.digcomp import AREAS, COMPETENCES, HIGHEST_LEVEL, LOWEST_LEVEL
from domain.policy import Role
from domain.training import AssessmentKind, AttendanceStatus
from service.application.context import ApplicationContext
from service.http.deps import Services
from service.http.reading import ReadPurpose
from service.http.routes import cohorts, roster, training
from service.http.routes.roster import RosterView
from service.web.viewer import Viewer, form_of, page

_TRAINING = (Role.TRAINER,)


async def _roster(services: Services, viewer: Viewer, cohort_id: UUID) -> RosterView:
    view: RosterView = await roster.roster.fn(
        cohort_id=cohort_id, services=services, principal=viewer.principal, day=None, purpose=ReadPurpose.TRAINING
    )
    return view


@get("/ui/cohorts", include_in_schema=False)
async def my_cohorts(viewer: NamedDependency[Viewer], services: NamedDependency[Services]) -> Template:
    viewer.require(*_TRAINING)
    found = await cohorts.my_cohorts.fn(services=services, principal=viewer.principal)
    return page(viewer, "training/cohorts.html", "cohorts.title", cohorts=found)


@get("/ui/cohorts/{cohort_id:uuid}", include_in_schema=False)
async def cohort_roster(
    cohort_id: FromPath[UUID], viewer: NamedDependency[Viewer], services: NamedDependency[Services]
) -> Template:
    viewer.require(*_TRAINING)
    view = await _roster(services, viewer, cohort_id)
    return page(viewer, "training/roster.html", "roster.title", roster=view)


@get("/ui/cohorts/{cohort_id:uuid}/attendance", include_in_schema=False)
async def attendance_sheet(
    cohort_id: FromPath[UUID],
    viewer: NamedDependency[Viewer],
    services: NamedDependency[Services],
    saved: FromQuery[int] = 0,
) -> Template:
    """Everyone is marked present; the trainer changes only the exceptions, then saves once."""
    viewer.require(*_TRAINING)
    view = await _roster(services, viewer, cohort_id)
    enrolled = [line for line in view.learners if line.status == "enrolled"]
    statuses = list(AttendanceStatus)
    return page(
        viewer,
        "training/attendance.html",
        "attendance.title",
        roster=view,
        learners=enrolled,
        statuses=statuses,
        saved=saved,
    )


@post("/ui/cohorts/{cohort_id:uuid}/attendance", include_in_schema=False)
async def record_attendance(
    cohort_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    services: NamedDependency[Services],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    viewer.require(*_TRAINING)
    form = await form_of(request)
    exceptions = [
        training.LearnerDay(status=AttendanceStatus(value), person_id=UUID(key.removeprefix("mark-")))
        for key, value in form.items()
        if key.startswith("mark-") and value != AttendanceStatus.PRESENT
    ]
    day = training.AttendanceDay(
        day=services.clock().date(), default_status=AttendanceStatus.PRESENT, exceptions=exceptions
    )
    await training.attendance.fn(
        cohort_id=cohort_id, data=day, services=services, ctx=ctx, principal=viewer.principal, key=None
    )
    return Redirect(f"/ui/cohorts/{cohort_id}/attendance?saved=1", status_code=303)


@get("/ui/cohorts/{cohort_id:uuid}/records/{record_id:uuid}/digcomp", include_in_schema=False)
async def digcomp_grid(
    cohort_id: FromPath[UUID], record_id: FromPath[UUID], viewer: NamedDependency[Viewer], saved: FromQuery[int] = 0
) -> Template:
    viewer.require(*_TRAINING)
    levels = range(LOWEST_LEVEL, HIGHEST_LEVEL + 1)
    return page(
        viewer,
        "training/digcomp.html",
        "digcomp.title",
        cohort_id=cohort_id,
        record_id=record_id,
        areas=AREAS,
        competences=COMPETENCES,
        levels=levels,
        kinds=list(AssessmentKind),
        saved=saved,
    )


@post("/ui/cohorts/{cohort_id:uuid}/records/{record_id:uuid}/digcomp", include_in_schema=False)
async def assess(
    cohort_id: FromPath[UUID],
    record_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    viewer.require(*_TRAINING)
    form = await form_of(request)
    levels = {k.removeprefix("level-"): form.integer(k, 0) for k, v in form.items() if k.startswith("level-") and v}
    data = training.Assessment(kind=form.choice("kind", AssessmentKind, "initial"), levels=levels)
    await training.assessment.fn(
        record_id=record_id, data=data, ctx=ctx, principal=viewer.principal, key=None, if_match=None
    )
    return Redirect(f"/ui/cohorts/{cohort_id}/records/{record_id}/digcomp?saved=1", status_code=303)


@post("/ui/cohorts/{cohort_id:uuid}/records/{record_id:uuid}/completion", include_in_schema=False)
async def complete(
    cohort_id: FromPath[UUID],
    record_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """The learner finished the course: their certificate's reference closes the training record."""
    viewer.require(*_TRAINING)
    form = await form_of(request)
    data = training.Completion(certificate_reference=form.get("certificate_reference", "").strip())
    await training.completion.fn(
        record_id=record_id, data=data, ctx=ctx, principal=viewer.principal, key=None, if_match=None
    )
    return Redirect(f"/ui/cohorts/{cohort_id}", status_code=303)


@get("/ui/people/{person_id:uuid}/training", include_in_schema=False)
async def training_history(
    person_id: FromPath[UUID], viewer: NamedDependency[Viewer], services: NamedDependency[Services]
) -> Template:
    history = await training.training_history.fn(
        person_id=person_id, services=services, principal=viewer.principal, purpose=ReadPurpose.TRAINING
    )
    return page(viewer, "training/history.html", "history.title", history=history)


ROUTES = [my_cohorts, cohort_roster, attendance_sheet, record_attendance, digcomp_grid, assess, complete]
ROUTES += [training_history]
