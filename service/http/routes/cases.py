"""Social-legal cases: open, reassign, close, reopen (notes and follow-ups: ``case_notes``).

Reading a case goes through the case file (``case_file``). A social worker writing to a
case outside their caseload sends a ``break_glass_reason`` in the body; the write is
then recorded in the access log, flagged for the DPO.
"""

from __future__ import annotations

from uuid import UUID, uuid4

from litestar import Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.access import AccessRecord
from domain.base import Category
from domain.case import Case, CaseDomain, CaseOutcome
from domain.errors import InvalidValueError
from domain.policy import Role, Scope
from service.application.authorisation import authorise
from service.application.cases import (
    CaseChanged,
    CloseCase,
    OpenCase,
    ReassignCase,
    ReopenCase,
    close_case,
    open_case,
    reassign_case,
    reopen_case,
)
from service.application.context import Actor, ApplicationContext
from service.http.deps import Services
from service.http.headers import IdempotencyKey, IfMatch, expecting, idempotency_key
from service.http.reading import ReadPurpose
from service.http.security import Principal
from service.http.wire import Changed, LongText, Request, ShortText, changed
from service.staff.accounts import StaffNotFoundError
from service.storage.repository import Repository


class NewCase(Request, frozen=True):
    person_id: UUID
    domain: CaseDomain
    summary: LongText
    social_worker_id: UUID | None = None
    """Defaults to the signed-in social worker."""


class OnCase(Request, frozen=True):
    break_glass_reason: ShortText | None = None
    """Needed outside one's own caseload; recorded and flagged for the DPO."""


class Reassignment(OnCase, frozen=True, kw_only=True):
    social_worker_id: UUID
    reason: ShortText


class Closure(OnCase, frozen=True, kw_only=True):
    outcome: CaseOutcome
    outcome_note: LongText | None = None


class Reopening(OnCase, frozen=True, kw_only=True):
    reason: ShortText


async def assignable_social_worker(services: Services, actor: Actor, staff_id: UUID) -> UUID:
    """The colleague a case is given to must be an active social worker."""
    authorise(actor, Category.SOCIAL_LEGAL, scope=Scope.INTAKE_ONLY)  # refuse before looking anyone up
    try:
        member = await services.accounts.get(staff_id)
    except StaffNotFoundError:
        member = None
    if member is None or not member.active or Role.SOCIAL_WORKER not in member.roles:
        raise InvalidValueError("social_worker_id must name an active social worker")
    return staff_id


async def answer(
    services: Services, principal: Principal, outcome: CaseChanged, view: str, reason: str | None, **ids: UUID
) -> Response[Changed]:
    """The command result (201 with the ids of a new entry); a break-glass write is logged first."""
    if outcome.break_glass:
        repository = Repository(services.runtime.store)
        case = await repository.get(Case, outcome.case_id)
        if case.person_id is not None:
            record = AccessRecord.record(
                uuid4(),
                case.person_id,
                principal.staff.staff_id,
                view,
                str(ReadPurpose.FOLLOW_UP),
                "break_glass",
                services.clock(),
                break_glass=True,
                reason=reason,
            )
            await repository.save(record, actor_id=principal.staff.staff_id)
    response = changed(outcome, etag_of=outcome.case_id)
    if not ids:
        return response
    etag = response.headers.get("ETag")
    body = Changed(response.content.versions, {**response.content.ids, **{k: str(v) for k, v in ids.items()}})
    return Response(body, status_code=201, headers={"ETag": etag} if etag else {})


@post("/cases", tags=["cases"])
async def open_new_case(
    data: JSONBody[NewCase],
    ctx: NamedDependency[ApplicationContext],
    services: NamedDependency[Services],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
) -> Response[Changed]:
    actor = principal.actor
    worker = actor.staff_id if data.social_worker_id is None else data.social_worker_id
    if worker != actor.staff_id:
        await assignable_social_worker(services, actor, worker)
    command = OpenCase(data.person_id, data.domain, worker, data.summary)
    outcome = await open_case(ctx, actor, command, idempotency_key=idempotency_key(key))
    return changed(outcome, 201, etag_of=outcome.case_id)


@post("/cases/{case_id:uuid}/reassignment", status_code=200, tags=["cases"])
async def reassign(
    case_id: FromPath[UUID],
    data: JSONBody[Reassignment],
    ctx: NamedDependency[ApplicationContext],
    services: NamedDependency[Services],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response[Changed]:
    worker = await assignable_social_worker(services, principal.actor, data.social_worker_id)
    command = ReassignCase(case_id, data.break_glass_reason, social_worker_id=worker, reason=data.reason)
    outcome = await reassign_case(
        expecting(ctx, case_id, if_match), principal.actor, command, idempotency_key=idempotency_key(key)
    )
    return await answer(services, principal, outcome, "case_reassignment", data.break_glass_reason)


@post("/cases/{case_id:uuid}/closure", status_code=200, tags=["cases"])
async def close(
    case_id: FromPath[UUID],
    data: JSONBody[Closure],
    ctx: NamedDependency[ApplicationContext],
    services: NamedDependency[Services],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response[Changed]:
    command = CloseCase(case_id, data.break_glass_reason, outcome=data.outcome, outcome_note=data.outcome_note or "")
    outcome = await close_case(
        expecting(ctx, case_id, if_match), principal.actor, command, idempotency_key=idempotency_key(key)
    )
    return await answer(services, principal, outcome, "case_closure", data.break_glass_reason)


@post("/cases/{case_id:uuid}/reopening", status_code=200, tags=["cases"])
async def reopen(
    case_id: FromPath[UUID],
    data: JSONBody[Reopening],
    ctx: NamedDependency[ApplicationContext],
    services: NamedDependency[Services],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response[Changed]:
    command = ReopenCase(case_id, data.break_glass_reason, reason=data.reason)
    outcome = await reopen_case(
        expecting(ctx, case_id, if_match), principal.actor, command, idempotency_key=idempotency_key(key)
    )
    return await answer(services, principal, outcome, "case_reopening", data.break_glass_reason)


ROUTES = [open_new_case, reassign, close, reopen]
