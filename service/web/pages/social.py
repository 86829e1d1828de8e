"""Social worker: the caseload (overdue first, referrals waiting), answering referrals, and the case actions.

Every action calls the JSON route's function (so a write outside the caseload needs, and
records, a break-glass reason exactly as the API does), then returns to the person's file.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from domain.case import CaseDomain, CaseOutcome
from domain.organisations import OrganisationKind
from domain.policy import Role
from service.application.context import ApplicationContext
from service.http.deps import Services
from service.http.routes import case_notes, cases, referrals, reports
from service.web.viewer import Viewer, form_of, page

_SOCIAL = (Role.SOCIAL_WORKER,)


@get("/ui/caseload", include_in_schema=False)
async def caseload(viewer: NamedDependency[Viewer], services: NamedDependency[Services]) -> Template:
    viewer.require(*_SOCIAL)
    load = await reports.caseload.fn(services=services, principal=viewer.principal)
    today = services.clock().date()
    return page(viewer, "social/caseload.html", "caseload.title", load=load, today=today, domains=list(CaseDomain))


def _file(person_id: UUID) -> Response[Any]:
    return Redirect(f"/ui/people/{person_id}", status_code=303)


@post("/ui/referrals/{referral_id:uuid}/accept", include_in_schema=False)
async def accept(
    referral_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    services: NamedDependency[Services],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """Accepting an internal referral opens the case in the same append."""
    viewer.require(*_SOCIAL)
    form = await form_of(request)
    data = referrals.Acceptance(domain=form.choice("domain", CaseDomain), summary=form.get("summary") or None)
    await referrals.accept.fn(
        referral_id=referral_id,
        data=data,
        ctx=ctx,
        services=services,
        principal=viewer.principal,
        key=None,
        if_match=None,
    )
    return _file(form.uuid("person_id"))


@post("/ui/referrals/{referral_id:uuid}/decline", include_in_schema=False)
async def decline(
    referral_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    viewer.require(*_SOCIAL)
    form = await form_of(request)
    data = referrals.Decline(reason=form.get("reason", ""))
    await referrals.decline.fn(
        referral_id=referral_id, data=data, ctx=ctx, principal=viewer.principal, key=None, if_match=None
    )
    return Redirect("/ui/caseload", status_code=303)


@post("/ui/people/{person_id:uuid}/cases", include_in_schema=False)
async def open_case(
    person_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    services: NamedDependency[Services],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    viewer.require(*_SOCIAL)
    form = await form_of(request)
    data = cases.NewCase(person_id=person_id, domain=form.choice("domain", CaseDomain), summary=form.get("summary", ""))
    await cases.open_new_case.fn(data=data, ctx=ctx, services=services, principal=viewer.principal, key=None)
    return _file(person_id)


@post("/ui/cases/{case_id:uuid}/{action:str}", include_in_schema=False)
async def case_action(
    case_id: FromPath[UUID],
    action: FromPath[str],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    services: NamedDependency[Services],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """A note, a follow-up, a reassignment, an external referral, closing or reopening.

    The form names the person to go back to.
    """
    viewer.require(*_SOCIAL)
    form = await form_of(request)
    reason = form.get("break_glass_reason") or None
    common = {"case_id": case_id, "ctx": ctx, "services": services, "principal": viewer.principal, "key": None}
    if action == "notes":
        note = case_notes.NewNote(break_glass_reason=reason, text=form.get("text", ""))
        await case_notes.note.fn(data=note, if_match=None, **common)
    elif action == "follow-ups":
        due = form.day("due_on")
        follow_up = case_notes.NewFollowUp(
            break_glass_reason=reason, due_on=due, description=form.get("description", "")
        )
        await case_notes.follow_up.fn(data=follow_up, if_match=None, **common)
    elif action == "closure":
        closure = cases.Closure(break_glass_reason=reason, outcome=form.choice("outcome", CaseOutcome))
        await cases.close.fn(data=closure, if_match=None, **common)
    elif action == "reassignment":
        reassignment = cases.Reassignment(
            break_glass_reason=reason,
            social_worker_id=form.uuid("social_worker_id"),
            reason=form.get("reason", ""),
        )
        await cases.reassign.fn(data=reassignment, if_match=None, **common)
        return Redirect("/ui/caseload", status_code=303)
    elif action == "external-referral":
        referral = referrals.ExternalReferral(
            person_id=form.uuid("person_id"),
            organisation_kind=form.choice("organisation_kind", OrganisationKind),
            organisation_name=form.get("organisation_name", "").strip(),
            reason=form.get("reason", ""),
            case_id=case_id,
            override_reason=form.get("override_reason", "").strip() or None,
        )
        await referrals.refer_externally.fn(data=referral, ctx=ctx, principal=viewer.principal, key=None)
    elif action == "reopening":
        reopening = cases.Reopening(break_glass_reason=reason, reason=form.get("reason", ""))
        await cases.reopen.fn(data=reopening, if_match=None, **common)
    else:
        return Redirect("/ui/caseload", status_code=303)
    return _file(form.uuid("person_id"))


ROUTES = [caseload, accept, decline, open_case, case_action]
