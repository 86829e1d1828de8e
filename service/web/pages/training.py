"""Trainer: their cohorts, the roster with enrolment and its waiting list, today's attendance sheet, DigComp,
completion, a learner's history.

Each page calls the application layer, as the JSON routes do, so the access policy (and
the access log) is exactly the API's: a roster opens every learner through the policy.
A trainer finds the person to enrol by the exact file number the person brings (trainers
do not browse the directory), or takes them from her cohort's waiting list.
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
from service.application import cohorts, training
from service.application.context import ApplicationContext
from service.application.views.cohorts import EnrolmentCandidate, find_for_enrolment, my_cohorts
from service.application.views.digcomp_grid import DigCompGrid, digcomp_grid
from service.application.views.roster import roster
from service.application.views.training_history import training_history
from service.web.errors import shown_again
from service.web.kept import FormFieldError, FormFieldErrors, Kept
from service.web.viewer import NAME_LENGTH, Form, Viewer, page, pages_for

REASON_LENGTH = 280
"""A completion reason, as long as the API takes."""


@get("/")
async def cohorts_page(viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]) -> Template:
    found = await my_cohorts(ctx, viewer.principal.actor)
    return page(viewer, "training/cohorts.html", "cohorts.title", cohorts=found)


DONE = frozenset({"enrolled", "waiting", "seated", "removed", "completed"})
"""What the roster page confirms after a command (``?done=``): each has its words, ``roster.done.<what>``."""


async def _roster_page(
    viewer: Viewer,
    ctx: ApplicationContext,
    cohort_id: UUID,
    *,
    done: str | None = None,
    place: int | None = None,
    candidate: EnrolmentCandidate | None = None,
    nobody: bool = False,
    kept: Kept | None = None,
) -> Template:
    view = await roster(ctx, viewer.principal.actor, cohort_id)  # today's
    return page(
        viewer,
        "training/roster.html",
        "roster.title",
        roster=view,
        done=done if done in DONE else None,
        place=place,
        candidate=candidate,
        nobody=nobody,
        threshold=ctx.centre.completion_attendance_percent / 100,
        kept=kept,
    )


@get("/{cohort_id:uuid}")
async def roster_page(
    cohort_id: FromPath[UUID],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    done: FromQuery[str | None] = None,
    place: FromQuery[int | None] = None,
) -> Template:
    return await _roster_page(viewer, ctx, cohort_id, done=done, place=place)


def _done(cohort_id: UUID, what: str, place: int | None = None) -> Redirect:
    query = f"?done={what}" + (f"&place={place}" if place else "")
    return Redirect(f"/ui/cohorts/{cohort_id}{query}", status_code=303)


@post("/{cohort_id:uuid}/lookup")
async def lookup(
    cohort_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """The person with this exact file number, shown on the roster with what the trainer may do (enrol, wait)."""

    async def attempt() -> Response[Any]:
        number = form.text("file_number", 20, required=True)
        found = await find_for_enrolment(ctx, viewer.principal.actor, cohort_id, number)
        return await _roster_page(viewer, ctx, cohort_id, candidate=found, nobody=found is None)

    async def again(kept: Kept) -> Template:
        return await _roster_page(viewer, ctx, cohort_id, kept=kept)

    return await shown_again(form, viewer, attempt, again)


async def _on_roster(
    form: Form, viewer: Viewer, ctx: ApplicationContext, cohort_id: UUID, attempt: Any
) -> Response[Any]:
    """Run a roster command; a refusal the trainer can understand comes back on the roster, said in French."""

    async def again(kept: Kept) -> Template:
        return await _roster_page(viewer, ctx, cohort_id, kept=kept)

    return await shown_again(form, viewer, attempt, again)


@post("/{cohort_id:uuid}/enrolments")
async def enrol(
    cohort_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """A seat when one is free, else the end of the waiting list (the domain decides)."""

    async def attempt() -> Response[Any]:
        enrolling = cohorts.Enrol(cohort_id, form.uuid("person_id"))
        done = await cohorts.enrol(ctx, viewer.principal.actor, enrolling, idempotency_key=form.key(viewer))
        if done.record_id is None:
            return _done(cohort_id, "waiting", done.waiting_list_place)
        return _done(cohort_id, "enrolled")

    return await _on_roster(form, viewer, ctx, cohort_id, attempt)


@post("/{cohort_id:uuid}/waiting-list")
async def wait(
    cohort_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    async def attempt() -> Response[Any]:
        joining = cohorts.JoinWaitingList(cohort_id, form.uuid("person_id"))
        done = await cohorts.join_waiting_list(ctx, viewer.principal.actor, joining, idempotency_key=form.key(viewer))
        return _done(cohort_id, "waiting", done.place)

    return await _on_roster(form, viewer, ctx, cohort_id, attempt)


@post("/{cohort_id:uuid}/waiting-list/{person_id:uuid}/seat")
async def seat(
    cohort_id: FromPath[UUID],
    person_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    async def attempt() -> Response[Any]:
        seating = cohorts.SeatFromWaitingList(cohort_id, person_id)
        await cohorts.seat_waiting_person(ctx, viewer.principal.actor, seating, idempotency_key=form.key(viewer))
        return _done(cohort_id, "seated")

    return await _on_roster(form, viewer, ctx, cohort_id, attempt)


@post("/{cohort_id:uuid}/waiting-list/{person_id:uuid}/removal")
async def unwait(
    cohort_id: FromPath[UUID],
    person_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    async def attempt() -> Response[Any]:
        leaving = cohorts.LeaveWaitingList(cohort_id, person_id)
        await cohorts.leave_waiting_list(ctx, viewer.principal.actor, leaving, idempotency_key=form.key(viewer))
        return _done(cohort_id, "removed")

    return await _on_roster(form, viewer, ctx, cohort_id, attempt)


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


def _kind_shown(grid: DigCompGrid, asked: str | None) -> AssessmentKind:
    """The assessment asked for, else the initial one until it is made, then the final one."""
    if asked in set(AssessmentKind):
        return AssessmentKind(asked)
    return AssessmentKind.FINAL if grid.assessments[AssessmentKind.INITIAL].levels else AssessmentKind.INITIAL


async def _grid_page(
    viewer: Viewer,
    ctx: ApplicationContext,
    cohort_id: UUID,
    record_id: UUID,
    kind: str | None,
    saved: int = 0,
    kept: Kept | None = None,
) -> Template:
    grid = await digcomp_grid(ctx, viewer.principal.actor, cohort_id, record_id)
    return page(
        viewer,
        "training/digcomp.html",
        "digcomp.title",
        grid=grid,
        kind=_kind_shown(grid, kind),
        areas=AREAS,
        competences=COMPETENCES,
        levels=range(LOWEST_LEVEL, HIGHEST_LEVEL + 1),
        kinds=list(AssessmentKind),
        saved=saved,
        kept=kept,
    )


@get("/{cohort_id:uuid}/records/{record_id:uuid}/digcomp")
async def digcomp_page(
    cohort_id: FromPath[UUID],
    record_id: FromPath[UUID],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
    kind: FromQuery[str | None] = None,
    saved: FromQuery[int] = 0,
) -> Template:
    """The learner's grid, filled with what was assessed; after saving, the same grid and how many levels were saved."""
    return await _grid_page(viewer, ctx, cohort_id, record_id, kind, saved)


@post("/{cohort_id:uuid}/records/{record_id:uuid}/digcomp")
async def assess(
    cohort_id: FromPath[UUID],
    record_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    async def attempt() -> Response[Any]:
        kind = form.choice("kind", AssessmentKind, "initial")
        levels = {
            k.removeprefix("level-"): form.integer(k, 0, low=LOWEST_LEVEL, high=HIGHEST_LEVEL)
            for k, v in form.items()
            if k.startswith("level-") and v
        }
        assessment = training.AssessDigComp(record_id, kind, training.competence_levels(levels))
        await training.assess_digcomp(ctx, viewer.principal.actor, assessment, idempotency_key=form.key(viewer))
        where = f"/ui/cohorts/{cohort_id}/records/{record_id}/digcomp?kind={kind}&saved={len(levels)}"
        return Redirect(where, status_code=303)

    async def again(kept: Kept) -> Template:
        return await _grid_page(viewer, ctx, cohort_id, record_id, form.get("kind"), kept=kept)

    return await shown_again(form, viewer, attempt, again)


@post("/{cohort_id:uuid}/records/{record_id:uuid}/completion")
async def complete(
    cohort_id: FromPath[UUID],
    record_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """The learner finished the course: their certificate's reference closes the training record.

    Below the centre's attendance threshold a written reason is needed: without it the roster comes
    back with the message next to the field and what was typed.
    """

    async def attempt() -> Response[Any]:
        completion = training.CompleteTraining(
            record_id,
            form.text("certificate_reference", NAME_LENGTH, required=True),
            form.text("reason", REASON_LENGTH) or None,
        )
        await training.complete_training(ctx, viewer.principal.actor, completion, idempotency_key=form.key(viewer))
        return _done(cohort_id, "completed")

    return await _on_roster(form, viewer, ctx, cohort_id, attempt)


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
        route_handlers=[
            cohorts_page,
            roster_page,
            lookup,
            enrol,
            wait,
            seat,
            unwait,
            attendance_sheet,
            record_attendance,
            digcomp_page,
            assess,
            complete,
        ],
        guards=pages_for(Role.TRAINER),
        include_in_schema=False,
    ),
    # A learner's history (linked from the roster): who may read it, the access policy decides per person.
    Router("/ui/people/{person_id:uuid}/training", route_handlers=[history_page], include_in_schema=False),
]
