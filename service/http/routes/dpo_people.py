"""The DPO's holds on a person: legal holds (Art. 17(3)) and restriction of processing (Art. 18).

A legal hold refuses erasure until it is lifted. A restriction blocks every processing
command but the DPO's own (423 for everyone else) and shows on the person's card and case
file. Each takes an Idempotency-Key and, optionally, the person's expected version (If-Match).
"""

from __future__ import annotations

from uuid import UUID

from litestar import Response, Router, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.person import LegalBasis
from domain.policy import Role
from service.application.gdpr import (
    LiftLegalHold,
    LiftRestriction,
    PlaceLegalHold,
    RestrictProcessing,
    lift_legal_hold,
    lift_restriction,
    place_legal_hold,
    restrict_processing,
)
from service.http.deps import Command
from service.http.guards import requires
from service.http.headers import IfMatch
from service.http.openapi import area
from service.http.wire import Changed, Request, ShortText, changed


class LegalHoldPlaced(Request, frozen=True):
    basis: LegalBasis
    note: ShortText
    """What the hold is for (the proceedings or the obligation), without needless personal data."""


class Restriction(Request, frozen=True):
    reason: ShortText


@post("/{person_id:uuid}/legal-holds")
async def place_hold(
    person_id: FromPath[UUID],
    data: JSONBody[LegalHoldPlaced],
    command: NamedDependency[Command],
    if_match: IfMatch = None,
) -> Response[Changed]:
    hold = PlaceLegalHold(person_id, data.basis, data.note)
    ctx = command.on(person_id, if_match)
    outcome = await place_legal_hold(ctx, command.actor, hold, idempotency_key=command.idempotency_key)
    return changed(outcome, 201, etag_of=person_id)


@post("/{person_id:uuid}/legal-holds/{hold_id:uuid}/lift", status_code=200)
async def lift_hold(
    person_id: FromPath[UUID], hold_id: FromPath[UUID], command: NamedDependency[Command], if_match: IfMatch = None
) -> Response[Changed]:
    lifting = LiftLegalHold(person_id, hold_id)
    ctx = command.on(person_id, if_match)
    outcome = await lift_legal_hold(ctx, command.actor, lifting, idempotency_key=command.idempotency_key)
    return changed(outcome, etag_of=person_id)


@post("/{person_id:uuid}/restriction", status_code=200)
async def restrict(
    person_id: FromPath[UUID], data: JSONBody[Restriction], command: NamedDependency[Command], if_match: IfMatch = None
) -> Response[Changed]:
    restriction = RestrictProcessing(person_id, data.reason)
    ctx = command.on(person_id, if_match)
    outcome = await restrict_processing(ctx, command.actor, restriction, idempotency_key=command.idempotency_key)
    return changed(outcome, etag_of=person_id)


@post("/{person_id:uuid}/restriction/lift", status_code=200)
async def lift(
    person_id: FromPath[UUID], command: NamedDependency[Command], if_match: IfMatch = None
) -> Response[Changed]:
    ctx = command.on(person_id, if_match)
    outcome = await lift_restriction(
        ctx, command.actor, LiftRestriction(person_id), idempotency_key=command.idempotency_key
    )
    return changed(outcome, etag_of=person_id)


ROUTES = [
    Router(
        "/dpo/people",
        route_handlers=[place_hold, lift_hold, restrict, lift],
        guards=[requires(Role.DPO)],
        tags=["dpo"],
        opt=area(people=True),
    )
]
