"""Rights requests: record, extend (Art. 12(3)), answer or refuse, decide objections, list what is due.

Receiving an objection (Art. 21) restricts the person in the same atomic append, unless they
are already restricted; deciding it keeps the restriction (upheld) or lifts the one this
request imposed (rejected). Listing reads the requests' events (a handful of streams, found
through the ``gdpr`` topic index), not a projection.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec

from domain.person import Person
from domain.rights import IdentityCheck, ObjectionDecision, RequestStatus, Right, RightsRequest
from service.application.context import Actor, ApplicationContext
from service.application.running import Decision, Outcome, execute, versions_of
from service.gdpr.guard import require_dpo
from service.storage.repository import AggregateErasedError


class ReceiveRequest(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    right: Right
    received_on: date
    identity_check: IdentityCheck
    identity_note: str = ""
    details: str = ""


class ExtendDeadline(msgspec.Struct, frozen=True, kw_only=True):
    request_id: UUID
    months: int
    reason: str


class AnswerRequest(msgspec.Struct, frozen=True, kw_only=True):
    request_id: UUID
    answer: str


class RefuseRequest(msgspec.Struct, frozen=True, kw_only=True):
    request_id: UUID
    reason: str


class DecideObjection(msgspec.Struct, frozen=True, kw_only=True):
    request_id: UUID
    decision: ObjectionDecision
    reason: str


class RequestChanged(Outcome, frozen=True, kw_only=True):
    request_id: UUID
    deadline: date
    status: RequestStatus


class RequestSummary(msgspec.Struct, frozen=True, kw_only=True):
    request_id: UUID
    person_id: UUID
    right: Right
    received_on: date
    deadline: date
    extension_months: int
    status: RequestStatus
    overdue: bool
    nearly_due: bool


def _changed(request: RightsRequest, *others: Person) -> Decision[RequestChanged]:
    result = RequestChanged(
        versions=versions_of(request, *others), request_id=request.id, deadline=request.deadline, status=request.status
    )
    return Decision((request, *others), result)


async def receive_request(
    ctx: ApplicationContext, actor: Actor, command: ReceiveRequest, *, idempotency_key: str | None = None
) -> RequestChanged:
    require_dpo(actor)

    async def decide(at: datetime) -> Decision[RequestChanged]:
        person = await ctx.repository.get(Person, command.person_id)
        person.ensure_processing_allowed(actor_is_dpo=True)
        restricts = command.right is Right.OBJECTION and not person.restricted
        request = RightsRequest.receive(
            ctx.new_id(),
            command.person_id,
            command.right,
            command.received_on,
            command.identity_check,
            command.identity_note,
            at,
            actor.staff_id,
            details=command.details,
            restricted_person=restricts,
        )
        if restricts:
            person.restrict_processing(f"objection (Art. 21) pending: request {request.id}", at, actor.staff_id)
        return _changed(request, person)

    return await execute(ctx, actor, command, decide, RequestChanged, idempotency_key=idempotency_key, repeatable=False)


async def _change(
    ctx: ApplicationContext,
    actor: Actor,
    command: ExtendDeadline | AnswerRequest | RefuseRequest | DecideObjection,
    idempotency_key: str | None,
) -> RequestChanged:
    require_dpo(actor)

    async def decide(at: datetime) -> Decision[RequestChanged]:
        request = await ctx.repository.get(RightsRequest, command.request_id)
        by = actor.staff_id
        if isinstance(command, ExtendDeadline):
            request.extend(command.months, command.reason, at, by)
        elif isinstance(command, AnswerRequest):
            request.answer(command.answer, at, by)
        elif isinstance(command, RefuseRequest):
            request.refuse(command.reason, at, by)
        else:
            request.decide_objection(command.decision, command.reason, at, by)
            if command.decision is ObjectionDecision.REJECTED and request.restricted_person:
                assert request.person_id is not None
                person = await ctx.repository.get(Person, request.person_id)
                person.lift_restriction(at, by)
                return _changed(request, person)
        return _changed(request)

    return await execute(ctx, actor, command, decide, RequestChanged, idempotency_key=idempotency_key, repeatable=False)


async def extend_deadline(
    ctx: ApplicationContext, actor: Actor, command: ExtendDeadline, *, idempotency_key: str | None = None
) -> RequestChanged:
    return await _change(ctx, actor, command, idempotency_key)


async def answer_request(
    ctx: ApplicationContext, actor: Actor, command: AnswerRequest, *, idempotency_key: str | None = None
) -> RequestChanged:
    return await _change(ctx, actor, command, idempotency_key)


async def refuse_request(
    ctx: ApplicationContext, actor: Actor, command: RefuseRequest, *, idempotency_key: str | None = None
) -> RequestChanged:
    return await _change(ctx, actor, command, idempotency_key)


async def decide_objection(
    ctx: ApplicationContext, actor: Actor, command: DecideObjection, *, idempotency_key: str | None = None
) -> RequestChanged:
    return await _change(ctx, actor, command, idempotency_key)


async def list_requests(
    ctx: ApplicationContext, actor: Actor, *, warning_days: int = 7, only_due: bool = False, urgent_first: bool = False
) -> list[RequestSummary]:
    """Every readable request (erased people's are gone), by deadline. ``only_due``: overdue or nearly due.

    ``urgent_first``: the overdue first, then the nearly due, each by deadline.
    """
    require_dpo(actor, "read")
    today = ctx.clock().date()
    topic = ctx.repository.codec.topic_of_class(RightsRequest.Received)
    async with ctx.pool.acquire() as db:
        ids = [
            row[0]
            for row in await db.fetch("SELECT stream_id FROM events WHERE category = 'gdpr' AND topic = $1", topic)
        ]
    found = []
    for request_id in ids:
        try:
            request = await ctx.repository.get(RightsRequest, request_id)
        except AggregateErasedError:
            continue
        assert request.person_id is not None
        summary = RequestSummary(
            request_id=request.id,
            person_id=request.person_id,
            right=request.right,
            received_on=request.received_on,
            deadline=request.deadline,
            extension_months=request.extension_months,
            status=request.status,
            overdue=request.is_overdue(today),
            nearly_due=request.is_nearly_due(today, warning_days),
        )
        if not only_due or summary.overdue or summary.nearly_due:
            found.append(summary)
    by_deadline = sorted(found, key=lambda s: (s.deadline, s.received_on, str(s.request_id)))
    if not urgent_first:
        return by_deadline
    return sorted(by_deadline, key=lambda s: (not s.overdue, not s.nearly_due))  # stable: by deadline within each
