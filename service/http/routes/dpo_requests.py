"""The DPO's register of rights requests: receive, extend (Art. 12(3)), answer, refuse, decide objections.

Every endpoint under ``/dpo`` is the DPO's alone (403 for every other role, and
``service.gdpr`` refuses anyone else too, for the CLI's sake). The person is
named by id in the body, never by name and never in the URL.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from domain.policy import Role
from domain.rights import IdentityCheck, ObjectionDecision, Right
from service.application.context import Actor, ApplicationContext
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
from service.http.deps import Command, Services
from service.http.guards import requires
from service.http.openapi import area
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


@post("/")
async def receive(data: JSONBody[RequestReceived], command: NamedDependency[Command]) -> Response[Changed]:
    """Record a rights request; its deadline is one month after it was received."""
    received = ReceiveRequest(
        person_id=data.person_id,
        right=data.right,
        received_on=data.received_on,
        identity_check=data.identity_check,
        identity_note=data.identity_note,
        details=data.details,
    )
    outcome = await receive_request(command.ctx, command.actor, received, idempotency_key=command.idempotency_key)
    return changed(outcome, 201, etag_of=outcome.request_id)


@post("/{request_id:uuid}/extension", status_code=200)
async def extend(
    request_id: FromPath[UUID], data: JSONBody[Extension], command: NamedDependency[Command]
) -> Response[Changed]:
    """Extend the deadline by one or two months, with the reason told to the person (Art. 12(3))."""
    extension = ExtendDeadline(request_id=request_id, months=data.months, reason=data.reason)
    outcome = await extend_deadline(command.ctx, command.actor, extension, idempotency_key=command.idempotency_key)
    return changed(outcome, etag_of=request_id)


@post("/{request_id:uuid}/answer", status_code=200)
async def answer(
    request_id: FromPath[UUID], data: JSONBody[Answer], command: NamedDependency[Command]
) -> Response[Changed]:
    answering = AnswerRequest(request_id=request_id, answer=data.answer)
    outcome = await answer_request(command.ctx, command.actor, answering, idempotency_key=command.idempotency_key)
    return changed(outcome, etag_of=request_id)


@post("/{request_id:uuid}/refusal", status_code=200)
async def refuse(
    request_id: FromPath[UUID], data: JSONBody[Refusal], command: NamedDependency[Command]
) -> Response[Changed]:
    refusal = RefuseRequest(request_id=request_id, reason=data.reason)
    outcome = await refuse_request(command.ctx, command.actor, refusal, idempotency_key=command.idempotency_key)
    return changed(outcome, etag_of=request_id)


@post("/{request_id:uuid}/objection-decision", status_code=200)
async def decide(
    request_id: FromPath[UUID], data: JSONBody[ObjectionDecided], command: NamedDependency[Command]
) -> Response[Changed]:
    decision = DecideObjection(request_id=request_id, decision=data.decision, reason=data.reason)
    outcome = await decide_objection(command.ctx, command.actor, decision, idempotency_key=command.idempotency_key)
    return changed(outcome, etag_of=request_id)


@get("/")
async def requests(
    services: NamedDependency[Services],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    due: FromQuery[bool] = False,
) -> list[RequestSummary]:
    """Every request, overdue first, then nearly due, then by deadline; ``due=true``: only those two."""
    warning_days = services.settings.rights_request_warning_days
    return await list_requests(ctx, actor, warning_days=warning_days, only_due=due, urgent_first=True)


ROUTES = [
    Router(
        "/dpo/requests",
        route_handlers=[receive, extend, answer, refuse, decide, requests],
        guards=[requires(Role.DPO)],
        tags=["dpo"],
        opt=area(people=True),
    )
]
