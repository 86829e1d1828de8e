"""Social worker: the caseload (overdue first, referrals waiting), answering referrals, and the case actions.

Every action calls the same application function as the API (so a write outside the
caseload needs, and records, a break-glass reason exactly as the API does), then returns
to the person's file.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from domain.case import CaseDomain, CaseOutcome
from domain.organisations import OrganisationKind
from domain.policy import Role
from service.application.case_notes import AddNote, SetFollowUp, add_note, set_follow_up
from service.application.cases import (
    CloseCase,
    OpenCase,
    ReassignCase,
    ReopenCase,
    close_case,
    open_case,
    reassign_case,
    reopen_case,
)
from service.application.context import ApplicationContext
from service.application.referral_answers import DeclineReferral, decline_referral
from service.application.referrals import (
    AcceptReferral,
    MakeExternalReferral,
    accept_referral,
    make_external_referral,
)
from service.application.views.caseload import caseload
from service.web.viewer import Form, Viewer, page, pages_for


@get("/caseload")
async def my_caseload(viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]) -> Template:
    load = await caseload(ctx, viewer.principal.actor)
    today = ctx.clock().date()
    return page(viewer, "social/caseload.html", "caseload.title", load=load, today=today, domains=list(CaseDomain))


def _file(person_id: UUID) -> Response[Any]:
    return Redirect(f"/ui/people/{person_id}", status_code=303)


def _caseload() -> Response[Any]:
    return Redirect("/ui/caseload", status_code=303)


@post("/referrals/{referral_id:uuid}/accept")
async def accept(
    referral_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """Accepting an internal referral opens the case, taken by the signed-in social worker, in the same append."""
    actor = viewer.principal.actor
    acceptance = AcceptReferral(referral_id, form.choice("domain", CaseDomain), actor.staff_id, form.get("summary", ""))
    await accept_referral(ctx, actor, acceptance)
    return _file(form.uuid("person_id"))


@post("/referrals/{referral_id:uuid}/decline")
async def decline(
    referral_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    await decline_referral(ctx, viewer.principal.actor, DeclineReferral(referral_id, form.get("reason", "")))
    return _caseload()


@post("/people/{person_id:uuid}/cases")
async def new_case(
    person_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """The case is the signed-in social worker's."""
    actor = viewer.principal.actor
    opening = OpenCase(person_id, form.choice("domain", CaseDomain), actor.staff_id, form.get("summary", ""))
    await open_case(ctx, actor, opening)
    return _file(person_id)


@post("/cases/{case_id:uuid}/{action:str}")
async def case_action(
    case_id: FromPath[UUID],
    action: FromPath[str],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """A note, a follow-up, a reassignment, an external referral, closing or reopening.

    The form names the person to go back to; a reassignment goes back to the caseload.
    """
    actor = viewer.principal.actor
    glass = form.get("break_glass_reason") or None  # needed outside one's own caseload
    if action == "notes":
        await add_note(ctx, actor, AddNote(case_id, glass, note_id=ctx.new_id(), text=form.get("text", "")))
    elif action == "follow-ups":
        due_on, description = form.day("due_on"), form.get("description", "")
        setting = SetFollowUp(case_id, glass, follow_up_id=ctx.new_id(), due_on=due_on, description=description)
        await set_follow_up(ctx, actor, setting)
    elif action == "closure":
        await close_case(ctx, actor, CloseCase(case_id, glass, outcome=form.choice("outcome", CaseOutcome)))
    elif action == "reassignment":
        worker = form.uuid("social_worker_id")
        await reassign_case(
            ctx, actor, ReassignCase(case_id, glass, social_worker_id=worker, reason=form.get("reason", ""))
        )
        return _caseload()
    elif action == "external-referral":
        await make_external_referral(ctx, actor, _external_referral(form, case_id))
    elif action == "reopening":
        await reopen_case(ctx, actor, ReopenCase(case_id, glass, reason=form.get("reason", "")))
    else:
        return _caseload()
    return _file(form.uuid("person_id"))


def _external_referral(form: Form, case_id: UUID) -> MakeExternalReferral:
    return MakeExternalReferral(
        form.uuid("person_id"),
        form.choice("organisation_kind", OrganisationKind),
        form.get("organisation_name", "").strip(),
        form.get("reason", ""),
        case_id,
        form.get("override_reason", "").strip() or None,
    )


# Typed as any route entry, so the pages' list of every area stays one type.
ROUTES: list[ControllerRouterHandler] = [
    Router(
        "/ui",
        route_handlers=[my_caseload, accept, decline, new_case, case_action],
        guards=pages_for(Role.SOCIAL_WORKER),
        include_in_schema=False,
    )
]
