"""Trainer: their cohorts, the roster with its waiting list, today's attendance sheet, DigComp, a learner's history.

Each page calls the application layer, as the JSON routes do, so the access policy (and
the access log) is exactly the API's: a roster opens every learner through the policy.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from domain.digcomp import AREAS, COMPETENCES, HIGHEST_LEVEL, LOWEST_LEVEL
from domain.policy import Role
from domain.training import AssessmentKind, AttendanceStatus
from service.application import training
from service.application.context import ApplicationContext
from service.application.views.cohorts import my_cohorts
from service.application.views.roster import roster
from service.application.views.training_history import training_history
from service.web.errors import shown_again
from service.web.kept import FormFieldError, FormFieldErrors, Kept
from service.web.viewer import NAME_LENGTH, Form, Viewer, page, pages_for


@get("/")
async def cohorts_page(viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]) -> Template:
    found = await my_cohorts(ctx, viewer.principal.actor)
    return page(viewer, "training/cohorts.html", "cohorts.title", cohorts=found)


@get("/{cohort_id:uuid}")
async def roster_page(
    cohort_id: FromPath[UUID], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Template:
    view = await roster(ctx, viewer.principal.actor, cohort_id)  # today's
    return page(viewer, "training/roster.html", "roster.title", roster=view)


async def _attendance_page(
    viewer: Viewer, ctx: ApplicationContext, cohort_id: UUID, saved: int = 0, kept: Kept | None = None
) -> Template:
    view = await roster(ctx, viewer.principal.actor, cohort_id)
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
        kept=kept,
    )


@get("/{cohort_id:uuid}/attendance")
async def attendance_sheet(
    cohort_id: FromPath[UUID],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    saved: FromQuery[int] = 0,
) -> Template:
    """Everyone is marked present; the trainer changes only the exceptions, then saves once."""
    return await _attendance_page(viewer, ctx, cohort_id, saved)


def marks_of(form: Form) -> tuple[training.LearnerMark, ...]:
    """The exceptions to "everyone present": one mark per learner (``mark-<person id>``), each one of the statuses."""
    marks, problems = [], []
    for name, value in form.items():
        if not name.startswith("mark-"):
            continue
        try:
            person_id = UUID(name.removeprefix("mark-"))
        except ValueError:
            problems.append(FormFieldError(name, "identifier"))
            continue
        try:
            status = form.one_of(name, AttendanceStatus, value)
        except FormFieldError as problem:
            problems.append(problem)
            continue
        if status is not AttendanceStatus.PRESENT:
            marks.append(training.LearnerMark(status, person_id=person_id))
    if problems:
        raise FormFieldErrors(problems)
    return tuple(marks)


@post("/{cohort_id:uuid}/attendance")
async def record_attendance(
    cohort_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    async def attempt() -> Response[Any]:
        day = training.RecordGroupDay(cohort_id, ctx.clock().date(), AttendanceStatus.PRESENT, marks_of(form))
        await training.record_group_day(ctx, viewer.principal.actor, day, idempotency_key=form.key(viewer))
        return Redirect(f"/ui/cohorts/{cohort_id}/attendance?saved=1", status_code=303)

    async def again(kept: Kept) -> Template:
        return await _attendance_page(viewer, ctx, cohort_id, kept=kept)

    return await shown_again(form, viewer, attempt, again)


@get("/{cohort_id:uuid}/records/{record_id:uuid}/digcomp")
async def digcomp_grid(
    cohort_id: FromPath[UUID], record_id: FromPath[UUID], viewer: NamedDependency[Viewer], saved: FromQuery[int] = 0
) -> Template:
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


@post("/{cohort_id:uuid}/records/{record_id:uuid}/digcomp")
async def assess(
    cohort_id: FromPath[UUID],
    record_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    levels = {k.removeprefix("level-"): form.integer(k, 0) for k, v in form.items() if k.startswith("level-") and v}
    kind = form.choice("kind", AssessmentKind, "initial")
    assessment = training.AssessDigComp(record_id, kind, training.competence_levels(levels))
    await training.assess_digcomp(ctx, viewer.principal.actor, assessment, idempotency_key=form.key(viewer))
    return Redirect(f"/ui/cohorts/{cohort_id}/records/{record_id}/digcomp?saved=1", status_code=303)


@post("/{cohort_id:uuid}/records/{record_id:uuid}/completion")
async def complete(
    cohort_id: FromPath[UUID],
    record_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """The learner finished the course: their certificate's reference closes the training record."""
    completion = training.CompleteTraining(record_id, form.text("certificate_reference", NAME_LENGTH, required=True))
    await training.complete_training(ctx, viewer.principal.actor, completion, idempotency_key=form.key(viewer))
    return Redirect(f"/ui/cohorts/{cohort_id}", status_code=303)


@get("/")
async def history_page(
    person_id: FromPath[UUID], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Template:
    history = await training_history(ctx, viewer.principal.actor, person_id)
    return page(viewer, "training/history.html", "history.title", history=history)


ROUTES = [
    # The cohorts' pages are the trainers' (their navigation leads here); which learners, the access policy decides.
    Router(
        "/ui/cohorts",
        route_handlers=[cohorts_page, roster_page, attendance_sheet, record_attendance, digcomp_grid, assess, complete],
        guards=pages_for(Role.TRAINER),
        include_in_schema=False,
    ),
    # A learner's history (linked from the roster): who may read it, the access policy decides per person.
    Router("/ui/people/{person_id:uuid}/training", route_handlers=[history_page], include_in_schema=False),
]
