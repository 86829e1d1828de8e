"""Social-legal cases: open, reassign, close, reopen (notes and follow-ups: ``case_notes``).

Reading a case goes through the case file (``case_file``). A social worker writing to a
case outside their caseload sends a ``break_glass_reason`` in the body; the application
records the write in the access log, flagged for the DPO, in the same append.
"""

from __future__ import annotations

from uuid import UUID

from litestar import Response, Router, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.case import CaseDomain, CaseOutcome
from domain.policy import Role
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
from service.http.deps import Command
from service.http.guards import requires
from service.http.headers import IfMatch
from service.http.openapi import area
from service.http.wire import Changed, LongText, Request, ShortText, changed


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


def case_changed(outcome: CaseChanged, status: int = 200, **ids: UUID) -> Response[Changed]:
    """The command result, with the case's ETag and the ids of a new entry (then 201)."""
    response = changed(outcome, status, etag_of=outcome.case_id)
    if not ids:
        return response
    body = Changed(response.content.versions, {**response.content.ids, **{k: str(v) for k, v in ids.items()}})
    return Response(body, status_code=201, headers=response.headers)


@post("/")
async def open_new_case(data: JSONBody[NewCase], command: NamedDependency[Command]) -> Response[Changed]:
    """Open a case, followed by ``social_worker_id`` (the signed-in social worker by default).

    ``social_worker_id`` must name an active social worker: otherwise 422, naming it.
    """
    worker = command.actor.staff_id if data.social_worker_id is None else data.social_worker_id
    opening = OpenCase(data.person_id, data.domain, worker, data.summary)
    outcome = await open_case(command.ctx, command.actor, opening, idempotency_key=command.idempotency_key)
    return case_changed(outcome, 201)


@post("/{case_id:uuid}/reassignment", status_code=200)
async def reassign(
    case_id: FromPath[UUID], data: JSONBody[Reassignment], command: NamedDependency[Command], if_match: IfMatch = None
) -> Response[Changed]:
    """Give the case to another social worker: ``social_worker_id`` must name an active one (else 422, naming it)."""
    reassignment = ReassignCase(
        case_id, data.break_glass_reason, social_worker_id=data.social_worker_id, reason=data.reason
    )
    ctx = command.on(case_id, if_match)
    return case_changed(await reassign_case(ctx, command.actor, reassignment, idempotency_key=command.idempotency_key))


@post("/{case_id:uuid}/closure", status_code=200)
async def close(
    case_id: FromPath[UUID], data: JSONBody[Closure], command: NamedDependency[Command], if_match: IfMatch = None
) -> Response[Changed]:
    closure = CloseCase(case_id, data.break_glass_reason, outcome=data.outcome, outcome_note=data.outcome_note or "")
    ctx = command.on(case_id, if_match)
    return case_changed(await close_case(ctx, command.actor, closure, idempotency_key=command.idempotency_key))


@post("/{case_id:uuid}/reopening", status_code=200)
async def reopen(
    case_id: FromPath[UUID], data: JSONBody[Reopening], command: NamedDependency[Command], if_match: IfMatch = None
) -> Response[Changed]:
    reopening = ReopenCase(case_id, data.break_glass_reason, reason=data.reason)
    ctx = command.on(case_id, if_match)
    return case_changed(await reopen_case(ctx, command.actor, reopening, idempotency_key=command.idempotency_key))


# Only social workers take in and decide on cases; which cases, the access policy decides.
ROUTES = [
    Router(
        "/cases",
        route_handlers=[open_new_case, reassign, close, reopen],
        guards=[requires(Role.SOCIAL_WORKER)],
        tags=["cases"],
        opt=area(people=True, restricted=True),
    )
]
