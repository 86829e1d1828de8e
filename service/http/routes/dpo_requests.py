"""The DPO's register of rights requests: receive, extend (Art. 12(3)), answer, refuse, decide objections.

Every endpoint under ``/dpo`` is the DPO's alone (403 for every other role). The person is
named by id in the body, never by name and never in the URL.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from domain.rights import IdentityCheck, ObjectionDecision, Right
from service.application.context import ApplicationContext
from service.gdpr.guard import require_dpo
from service.gdpr.requests import (
    AnswerRequest,
    DecideObjection,
    ExtendDeadline,
    ReceiveRequest,
    RefuseRequest,
    RequestSummary,
    answer_request,
    decide_objection,
    extend_deadline,
    list_requests,
    receive_request,
    refuse_request,
)
from service.http.deps import Services
from service.http.headers import IdempotencyKey, idempotency_key
from service.http.security import Principal
from service.http.wire import Changed, LongText, Request, ShortText, changed

Note = Annotated[str, msgspec.Meta(max_length=2_000)]


class RequestReceived(Request, frozen=True):
    person_id: UUID
    right: Right
    received_on: date
    identity_check: IdentityCheck
    identity_note: Note = ""
    details: Note = ""


class Extension(Request, frozen=True):
    reason: ShortText
    months: Annotated[int, msgspec.Meta(ge=1, le=2)]


class Answer(Request, frozen=True):
    answer: LongText


class Refusal(Request, frozen=True):
    reason: ShortText


class ObjectionDecided(Request, frozen=True):
    decision: ObjectionDecision
    """``upheld``: processing stays restricted; ``rejected``: the restriction this objection imposed is lifted."""
    reason: ShortText


@post("/dpo/requests", tags=["dpo"])
async def receive(
    data: JSONBody[RequestReceived],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
) -> Response[Changed]:
    """Record a rights request; its deadline is one month after it was received."""
    require_dpo(principal.actor)
    command = ReceiveRequest(
        person_id=data.person_id,
        right=data.right,
        received_on=data.received_on,
        identity_check=data.identity_check,
        identity_note=data.identity_note,
        details=data.details,
    )
    outcome = await receive_request(ctx, principal.actor, command, idempotency_key=idempotency_key(key))
    return changed(outcome, 201, etag_of=outcome.request_id)


@post("/dpo/requests/{request_id:uuid}/extension", tags=["dpo"])
async def extend(
    request_id: FromPath[UUID],
    data: JSONBody[Extension],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
) -> Response[Changed]:
    """Extend the deadline by one or two months, with the reason told to the person (Art. 12(3))."""
    require_dpo(principal.actor)
    command = ExtendDeadline(request_id=request_id, months=data.months, reason=data.reason)
    outcome = await extend_deadline(ctx, principal.actor, command, idempotency_key=idempotency_key(key))
    return changed(outcome, etag_of=request_id)


@post("/dpo/requests/{request_id:uuid}/answer", tags=["dpo"])
async def answer(
    request_id: FromPath[UUID],
    data: JSONBody[Answer],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
) -> Response[Changed]:
    require_dpo(principal.actor)
    command = AnswerRequest(request_id=request_id, answer=data.answer)
    outcome = await answer_request(ctx, principal.actor, command, idempotency_key=idempotency_key(key))
    return changed(outcome, etag_of=request_id)


@post("/dpo/requests/{request_id:uuid}/refusal", tags=["dpo"])
async def refuse(
    request_id: FromPath[UUID],
    data: JSONBody[Refusal],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
) -> Response[Changed]:
    require_dpo(principal.actor)
    command = RefuseRequest(request_id=request_id, reason=data.reason)
    outcome = await refuse_request(ctx, principal.actor, command, idempotency_key=idempotency_key(key))
    return changed(outcome, etag_of=request_id)


@post("/dpo/requests/{request_id:uuid}/objection-decision", tags=["dpo"])
async def decide(
    request_id: FromPath[UUID],
    data: JSONBody[ObjectionDecided],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
) -> Response[Changed]:
    require_dpo(principal.actor)
    command = DecideObjection(request_id=request_id, decision=data.decision, reason=data.reason)
    outcome = await decide_objection(ctx, principal.actor, command, idempotency_key=idempotency_key(key))
    return changed(outcome, etag_of=request_id)


@get("/dpo/requests", tags=["dpo"])
async def requests(
    services: NamedDependency[Services],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    due: FromQuery[bool] = False,
) -> list[RequestSummary]:
    """Every request, overdue first, then nearly due, then by deadline; ``due=true``: only those two."""
    require_dpo(principal.actor, "read")
    found = await list_requests(
        ctx, principal.actor, warning_days=services.settings.rights_request_warning_days, only_due=due
    )
    return sorted(found, key=lambda s: (not s.overdue, not s.nearly_due))  # stable: by deadline within each


ROUTES = [receive, extend, answer, refuse, decide, requests]
