"""Social worker: the caseload (cases, follow-ups, referrals in and out, closed cases), answering
referrals, and the case actions.

Every action calls the same application function as the API (so a write outside the
caseload needs, and records, a break-glass reason exactly as the API does), then returns
to the person's file.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID, uuid5

from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.types import ControllerRouterHandler

from domain.case import CaseDomain, CaseOutcome
from domain.organisations import OrganisationKind
from domain.policy import Role
from service.application.case_notes import (
    AddNote,
    MarkFollowUpDone,
    SetFollowUp,
    add_note,
    mark_follow_up_done,
    set_follow_up,
)
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
from service.web.errors import shown_again
from service.web.kept import Checks, Kept
from service.web.pages.people import body_words, on_the_file
from service.web.viewer import LONG_LENGTH, NAME_LENGTH, SHORT_LENGTH, Form, Viewer, page, pages_for

_IDS = UUID("0b7e6f0e-3d6a-4f57-9a52-5d1f0c0a9e21")
"""Namespace of the ids of entries made from a page form with a one-time token (a resend makes the same id)."""


def _entry_id(ctx: ApplicationContext, key: str | None, kind: str) -> UUID:
    return ctx.new_id() if key is None else uuid5(_IDS, f"{kind}:{key}")


async def _caseload_page(viewer: Viewer, ctx: ApplicationContext, kept: Kept | None = None) -> Template:
    load = await caseload(ctx, viewer.principal.actor)
    today = ctx.clock().date()
    return page(
        viewer,
        "social/caseload.html",
        "caseload.title",
        load=load,
        today=today,
        domains=list(CaseDomain),
        body_words=body_words,
        kept=kept,
    )


@get("/caseload")
async def my_caseload(viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]) -> Template:
    return await _caseload_page(viewer, ctx)


def _on_the_caseload(
    form: Form, viewer: Viewer, ctx: ApplicationContext, command: Callable[[], Awaitable[str]]
) -> Awaitable[Response[Any]]:
    """An answer to a referral: then where ``command`` says, or the caseload again with the form kept."""

    async def attempt() -> Response[Any]:
        return Redirect(await command(), status_code=303)

    async def again(kept: Kept) -> Template:
        return await _caseload_page(viewer, ctx, kept)

    return shown_again(form, viewer, attempt, again)


@post("/referrals/{referral_id:uuid}/accept")
async def accept(
    referral_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """Accepting an internal referral opens the case, taken by the signed-in social worker, in the same append."""
    actor = viewer.principal.actor

    async def command() -> str:
        person_id = form.uuid("person_id")
        summary = form.text("summary", LONG_LENGTH)
        acceptance = AcceptReferral(referral_id, form.choice("domain", CaseDomain), actor.staff_id, summary)
        await accept_referral(ctx, actor, acceptance, idempotency_key=form.key(viewer))
        return f"/ui/people/{person_id}"

    return await _on_the_caseload(form, viewer, ctx, command)


@post("/referrals/{referral_id:uuid}/decline")
async def decline(
    referral_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    async def command() -> str:
        declining = DeclineReferral(referral_id, form.text("reason", SHORT_LENGTH, required=True))
        await decline_referral(ctx, viewer.principal.actor, declining, idempotency_key=form.key(viewer))
        return "/ui/caseload"

    return await _on_the_caseload(form, viewer, ctx, command)


@post("/people/{person_id:uuid}/cases")
async def new_case(
    person_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """The case is the signed-in social worker's."""
    actor = viewer.principal.actor

    async def command() -> object:
        summary = form.text("summary", LONG_LENGTH, required=True)
        opening = OpenCase(person_id, form.choice("domain", CaseDomain), actor.staff_id, summary)
        return await open_case(ctx, actor, opening, idempotency_key=form.key(viewer))

    return await on_the_file(form, viewer, ctx, person_id, command)


@post("/cases/{case_id:uuid}/{action:str}")
async def case_action(
    case_id: FromPath[UUID],
    action: FromPath[str],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    """A note, a follow-up (or marking one done), a reassignment, an external referral, closing or reopening.

    The form names the person to go back to; a reassignment goes back to the caseload. If the
    action cannot be done, the file comes back with the form as it was typed and the message.
    """
    if action not in _CASE_ACTIONS:
        return Redirect("/ui/caseload", status_code=303)
    person_id = form.uuid("person_id")

    async def command() -> object:
        return await _CASE_ACTIONS[action](form, viewer, ctx, case_id)

    then = "/ui/caseload" if action == "reassignment" else None
    return await on_the_file(form, viewer, ctx, person_id, command, then)


CaseAction = Callable[[Form, Viewer, ApplicationContext, UUID], Awaitable[object]]


async def _note(form: Form, viewer: Viewer, ctx: ApplicationContext, case_id: UUID) -> object:
    key = form.key(viewer)
    text = form.text("text", LONG_LENGTH, required=True)
    adding = AddNote(case_id, _glass(form), note_id=_entry_id(ctx, key, "note"), text=text)
    return await add_note(ctx, viewer.principal.actor, adding, idempotency_key=key)


async def _follow_up(form: Form, viewer: Viewer, ctx: ApplicationContext, case_id: UUID) -> object:
    key, check = form.key(viewer), Checks()
    check(form.day, "due_on")
    check(lambda name: form.text(name, SHORT_LENGTH, required=True), "description")
    check.done()  # both are named at once; read now, they are sure to be good
    due_on, description = form.day("due_on"), form.text("description", SHORT_LENGTH)
    follow_up_id = _entry_id(ctx, key, "follow-up")
    setting = SetFollowUp(case_id, _glass(form), follow_up_id=follow_up_id, due_on=due_on, description=description)
    return await set_follow_up(ctx, viewer.principal.actor, setting, idempotency_key=key)


async def _closure(form: Form, viewer: Viewer, ctx: ApplicationContext, case_id: UUID) -> object:
    closing = CloseCase(case_id, _glass(form), outcome=form.choice("outcome", CaseOutcome))
    return await close_case(ctx, viewer.principal.actor, closing, idempotency_key=form.key(viewer))


async def _reassignment(form: Form, viewer: Viewer, ctx: ApplicationContext, case_id: UUID) -> object:
    worker, reason = form.uuid("social_worker_id"), form.text("reason", SHORT_LENGTH, required=True)
    moving = ReassignCase(case_id, _glass(form), social_worker_id=worker, reason=reason)
    return await reassign_case(ctx, viewer.principal.actor, moving, idempotency_key=form.key(viewer))


async def _external_referral(form: Form, viewer: Viewer, ctx: ApplicationContext, case_id: UUID) -> object:
    referring = MakeExternalReferral(
        form.uuid("person_id"),
        form.choice("organisation_kind", OrganisationKind),
        form.text("organisation_name", NAME_LENGTH, required=True),
        form.text("reason", LONG_LENGTH, required=True),
        case_id,
        form.text("override_reason", SHORT_LENGTH) or None,
    )
    return await make_external_referral(ctx, viewer.principal.actor, referring, idempotency_key=form.key(viewer))


async def _follow_up_done(form: Form, viewer: Viewer, ctx: ApplicationContext, case_id: UUID) -> object:
    done = MarkFollowUpDone(case_id, _glass(form), follow_up_id=form.uuid("follow_up_id"))
    return await mark_follow_up_done(ctx, viewer.principal.actor, done, idempotency_key=form.key(viewer))


async def _reopening(form: Form, viewer: Viewer, ctx: ApplicationContext, case_id: UUID) -> object:
    reopening = ReopenCase(case_id, _glass(form), reason=form.text("reason", SHORT_LENGTH, required=True))
    return await reopen_case(ctx, viewer.principal.actor, reopening, idempotency_key=form.key(viewer))


def _glass(form: Form) -> str | None:
    """The break-glass reason the file was opened with, needed for a write outside one's own caseload."""
    return form.text("break_glass_reason", SHORT_LENGTH) or None


_CASE_ACTIONS: dict[str, CaseAction] = {
    "notes": _note,
    "follow-ups": _follow_up,
    "closure": _closure,
    "reassignment": _reassignment,
    "external-referral": _external_referral,
    "reopening": _reopening,
    "follow-up-done": _follow_up_done,
}


# Typed as any route entry, so the pages' list of every area stays one type.
ROUTES: list[ControllerRouterHandler] = [
    Router(
        "/ui",
        route_handlers=[my_caseload, accept, decline, new_case, case_action],
        guards=pages_for(Role.SOCIAL_WORKER),
        include_in_schema=False,
    )
]
