"""Office hours (permanences): check-in, call, help, and referral to the social-legal service.

Sessions are held at the centre's sites (``ctx.centre.sites``, from its settings); a site
outside that list is refused, so that a typo never opens a second, empty board.

None is repeated on a conflict: a visit moves through steps, and a conflict means another
helper took the step first (two helpers calling the same person), which they must be told.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID

import msgspec

from domain import workflows
from domain.base import Category
from domain.office_hours import Help, RequestCategory, Visit, known_site
from domain.policy import Scope
from service.application.authorisation import authorise, person_open_to, relation_to
from service.application.context import Actor, ApplicationContext
from service.application.running import Decision, Outcome, execute, versions_of


class CheckIn(msgspec.Struct, frozen=True):
    person_id: UUID
    session_on: date
    site: str


class CallVisitor(msgspec.Struct, frozen=True):
    visit_id: UUID


class RecordHelp(msgspec.Struct, frozen=True):
    """What was asked and done; the helper is the actor."""

    visit_id: UUID
    category: RequestCategory
    description: str
    help_given: str
    minutes: int
    follow_up_needed: bool = False


class ReferVisit(msgspec.Struct, frozen=True):
    visit_id: UUID
    reason: str


class VisitChanged(Outcome, frozen=True):
    visit_id: UUID
    referral_id: UUID | None = None


def own_site(ctx: ApplicationContext, site: str | None) -> str:
    """Where a staff member works (their account's site), or the centre's main site (the first)."""
    return site if site in ctx.centre.sites else ctx.centre.sites[0]


async def check_in(
    ctx: ApplicationContext, actor: Actor, command: CheckIn, *, idempotency_key: str | None = None
) -> VisitChanged:
    authorise(actor, Category.OFFICE_HOURS)
    site = known_site(command.site, ctx.centre.sites)

    async def decide(at: datetime) -> Decision[VisitChanged]:
        await person_open_to(ctx, actor, command.person_id)
        visit = Visit.check_in(ctx.new_id(), command.person_id, command.session_on, site, at, actor.staff_id)
        return Decision((visit,), VisitChanged(versions=versions_of(visit), visit_id=visit.id))

    return await execute(ctx, actor, command, decide, VisitChanged, idempotency_key=idempotency_key, repeatable=False)


async def _change_visit(
    ctx: ApplicationContext,
    actor: Actor,
    command: CallVisitor | RecordHelp,
    change: Callable[[Visit, datetime], None],
    idempotency_key: str | None,
) -> VisitChanged:
    authorise(actor, Category.OFFICE_HOURS)

    async def decide(at: datetime) -> Decision[VisitChanged]:
        visit = await ctx.repository.get(Visit, command.visit_id)
        await person_open_to(ctx, actor, visit.person_id)
        change(visit, at)
        return Decision((visit,), VisitChanged(versions=versions_of(visit), visit_id=visit.id))

    return await execute(ctx, actor, command, decide, VisitChanged, idempotency_key=idempotency_key, repeatable=False)


async def call_visitor(
    ctx: ApplicationContext, actor: Actor, command: CallVisitor, *, idempotency_key: str | None = None
) -> VisitChanged:
    def change(visit: Visit, at: datetime) -> None:
        visit.call(actor.staff_id, at)

    return await _change_visit(ctx, actor, command, change, idempotency_key)


async def record_help(
    ctx: ApplicationContext, actor: Actor, command: RecordHelp, *, idempotency_key: str | None = None
) -> VisitChanged:
    assistance = Help(
        category=command.category,
        description=command.description,
        help_given=command.help_given,
        minutes=command.minutes,
        helper_id=actor.staff_id,
        follow_up_needed=command.follow_up_needed,
    )

    def change(visit: Visit, at: datetime) -> None:
        visit.record_help(assistance, at)

    return await _change_visit(ctx, actor, command, change, idempotency_key)


async def refer_visit(
    ctx: ApplicationContext, actor: Actor, command: ReferVisit, *, idempotency_key: str | None = None
) -> VisitChanged:
    """Refer the visitor to the social-legal service, during the visit or once helped: ONE append for both."""
    authorise(actor, Category.OFFICE_HOURS)
    authorise(actor, Category.SOCIAL_LEGAL, scope=Scope.REFERRAL_OUT_ONLY)

    async def decide(at: datetime) -> Decision[VisitChanged]:
        visit = await ctx.repository.get(Visit, command.visit_id)
        # A visit is no case: no caseload relation, so only "referral out" rights count here.
        authorise(actor, Category.SOCIAL_LEGAL, relation_to(actor), Scope.REFERRAL_OUT_ONLY)
        await person_open_to(ctx, actor, visit.person_id)
        referral = workflows.refer_visit(visit, ctx.new_id(), command.reason, at, actor.staff_id)
        result = VisitChanged(versions=versions_of(visit, referral), visit_id=visit.id, referral_id=referral.id)
        return Decision((visit, referral), result)

    return await execute(ctx, actor, command, decide, VisitChanged, idempotency_key=idempotency_key, repeatable=False)
