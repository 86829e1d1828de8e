"""Social-legal cases: open, reassign, close, reopen (notes and follow-ups: ``case_notes``).

Writing to a case needs it in the actor's own caseload (its assigned social worker, while it is
open or for the retention period after she closed it; or the person is one she registered), or a
written break-glass reason. A break-glass write is recorded in the access log, flagged for
the DPO, in the command's own append: the write and its audit commit together or not at
all, whoever the caller. Reassigning, closing and reopening are not repeated on a
conflict: each is a decision taken on the case as the social worker saw it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar
from uuid import UUID

import msgspec

from domain.access import AccessRecord
from domain.base import Category, SuiviAggregate
from domain.case import Case, CaseDomain, CaseOutcome
from domain.errors import InvalidValueError
from domain.policy import Role, Scope
from service.application.authorisation import (
    authorise,
    person_of,
    person_open_to,
    relation_to,
    social_legal_retention_years,
)
from service.application.context import Actor, ApplicationContext
from service.application.running import Decision, Outcome, execute, versions_of
from service.staff.accounts import StaffNotFoundError


class OpenCase(msgspec.Struct, frozen=True):
    person_id: UUID
    domain: CaseDomain
    social_worker_id: UUID
    summary: str


class CaseCommand(msgspec.Struct, frozen=True):
    """What every command on an existing case carries (see ``case_notes`` for the others)."""

    case_id: UUID
    break_glass_reason: str | None = None

    view: ClassVar[str] = "case"
    """How a break-glass write is named in the access log."""


class ReassignCase(CaseCommand, frozen=True, kw_only=True):
    view: ClassVar[str] = "case_reassignment"
    social_worker_id: UUID
    reason: str


class CloseCase(CaseCommand, frozen=True, kw_only=True):
    view: ClassVar[str] = "case_closure"
    outcome: CaseOutcome
    outcome_note: str = ""


class ReopenCase(CaseCommand, frozen=True, kw_only=True):
    view: ClassVar[str] = "case_reopening"
    reason: str


class CaseChanged(Outcome, frozen=True):
    case_id: UUID
    break_glass: bool = False
    """True when the actor wrote outside their caseload, on a written reason (and it was logged)."""


async def change_case(
    ctx: ApplicationContext,
    actor: Actor,
    command: CaseCommand,
    change: Callable[[Case, datetime], None],
    *,
    idempotency_key: str | None,
    repeatable: bool,
) -> CaseChanged:
    """Load the case, authorise on its caseload, check the person, change it, append."""
    authorise(actor, Category.SOCIAL_LEGAL)

    async def decide(at: datetime) -> Decision[CaseChanged]:
        case = await ctx.repository.get(Case, command.case_id)
        person = await person_of(ctx, case.person_id)
        relation = relation_to(
            actor,
            case=case,
            person=person,
            break_glass_reason=command.break_glass_reason,
            on=at.date(),
            kept_years=social_legal_retention_years(ctx),
        )
        grant = authorise(actor, Category.SOCIAL_LEGAL, relation)
        person.ensure_processing_allowed(actor.is_dpo)
        change(case, at)
        result = CaseChanged(versions=versions_of(case), case_id=case.id, break_glass=grant.break_glass)
        changed: tuple[SuiviAggregate, ...] = (case,)
        if grant.break_glass and case.person_id is not None:
            changed += (_break_glass_record(ctx, actor, command, case.person_id, at),)
        return Decision(changed, result)

    return await execute(
        ctx, actor, command, decide, CaseChanged, idempotency_key=idempotency_key, repeatable=repeatable
    )


async def assignable_social_worker(
    ctx: ApplicationContext, actor: Actor, staff_id: UUID, *, scope: Scope = Scope.INTAKE_ONLY
) -> UUID:
    """The colleague a case is given (or a referral addressed) to must be an active social worker."""
    authorise(actor, Category.SOCIAL_LEGAL, scope=scope)  # refuse before looking anyone up
    try:
        member = await ctx.accounts.get(staff_id)
    except StaffNotFoundError:
        member = None
    if member is None or not member.active or Role.SOCIAL_WORKER not in member.roles:
        raise InvalidValueError("social_worker_id must name an active social worker", field="social_worker_id")
    return staff_id


def _break_glass_record(
    ctx: ApplicationContext, actor: Actor, command: CaseCommand, person_id: UUID, at: datetime
) -> AccessRecord:
    return AccessRecord.record(
        ctx.new_id(),
        person_id,
        actor.staff_id,
        command.view,
        "follow_up",
        "break_glass",
        at,
        break_glass=True,
        reason=command.break_glass_reason,
    )


async def open_case(
    ctx: ApplicationContext, actor: Actor, command: OpenCase, *, idempotency_key: str | None = None
) -> CaseChanged:
    """Open a case for a person; any social worker may take one in (intake), for any colleague."""
    authorise(actor, Category.SOCIAL_LEGAL, scope=Scope.INTAKE_ONLY)
    if command.social_worker_id != actor.staff_id:
        await assignable_social_worker(ctx, actor, command.social_worker_id)

    async def decide(at: datetime) -> Decision[CaseChanged]:
        await person_open_to(ctx, actor, command.person_id)
        case = Case.open(
            ctx.new_id(),
            command.person_id,
            command.domain,
            command.social_worker_id,
            command.summary,
            at,
            actor.staff_id,
        )
        return Decision((case,), CaseChanged(versions=versions_of(case), case_id=case.id))

    return await execute(ctx, actor, command, decide, CaseChanged, idempotency_key=idempotency_key, repeatable=False)


async def reassign_case(
    ctx: ApplicationContext, actor: Actor, command: ReassignCase, *, idempotency_key: str | None = None
) -> CaseChanged:
    await assignable_social_worker(ctx, actor, command.social_worker_id)

    def change(case: Case, at: datetime) -> None:
        case.reassign(command.social_worker_id, command.reason, at, actor.staff_id)

    return await change_case(ctx, actor, command, change, idempotency_key=idempotency_key, repeatable=False)


async def close_case(
    ctx: ApplicationContext, actor: Actor, command: CloseCase, *, idempotency_key: str | None = None
) -> CaseChanged:
    def change(case: Case, at: datetime) -> None:
        case.close(command.outcome, command.outcome_note, at, actor.staff_id)

    return await change_case(ctx, actor, command, change, idempotency_key=idempotency_key, repeatable=False)


async def reopen_case(
    ctx: ApplicationContext, actor: Actor, command: ReopenCase, *, idempotency_key: str | None = None
) -> CaseChanged:
    def change(case: Case, at: datetime) -> None:
        case.reopen(command.reason, at, actor.staff_id)

    return await change_case(ctx, actor, command, change, idempotency_key=idempotency_key, repeatable=False)
