"""The DPO's holds on a person: legal holds (Art. 17(3)) and restriction of processing (Art. 18).

A legal hold refuses erasure until it is lifted. A restriction blocks every processing
command but the DPO's own (423 for everyone else) and shows on the person's card and case
file. Each takes an Idempotency-Key and, optionally, the person's expected version (If-Match).
"""

from __future__ import annotations

from uuid import UUID

from litestar import Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.person import LegalBasis
from service.application.context import ApplicationContext
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
from service.gdpr.guard import require_dpo
from service.http.headers import IdempotencyKey, IfMatch, expecting, idempotency_key
from service.http.security import Principal
from service.http.wire import Changed, Request, ShortText, changed


class LegalHoldPlaced(Request, frozen=True):
    basis: LegalBasis
    note: ShortText
    """What the hold is for (the proceedings or the obligation), without needless personal data."""


class Restriction(Request, frozen=True):
    reason: ShortText


@post("/dpo/people/{person_id:uuid}/legal-holds", tags=["dpo"])
async def place_hold(
    person_id: FromPath[UUID],
    data: JSONBody[LegalHoldPlaced],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response[Changed]:
    require_dpo(principal.actor)
    ctx = expecting(ctx, person_id, if_match)
    command = PlaceLegalHold(person_id, data.basis, data.note)
    outcome = await place_legal_hold(ctx, principal.actor, command, idempotency_key=idempotency_key(key))
    return changed(outcome, 201, etag_of=person_id)


@post("/dpo/people/{person_id:uuid}/legal-holds/{hold_id:uuid}/lift", status_code=200, tags=["dpo"])
async def lift_hold(
    person_id: FromPath[UUID],
    hold_id: FromPath[UUID],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response[Changed]:
    require_dpo(principal.actor)
    ctx = expecting(ctx, person_id, if_match)
    command = LiftLegalHold(person_id, hold_id)
    outcome = await lift_legal_hold(ctx, principal.actor, command, idempotency_key=idempotency_key(key))
    return changed(outcome, etag_of=person_id)


@post("/dpo/people/{person_id:uuid}/restriction", status_code=200, tags=["dpo"])
async def restrict(
    person_id: FromPath[UUID],
    data: JSONBody[Restriction],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response[Changed]:
    require_dpo(principal.actor)
    ctx = expecting(ctx, person_id, if_match)
    command = RestrictProcessing(person_id, data.reason)
    outcome = await restrict_processing(ctx, principal.actor, command, idempotency_key=idempotency_key(key))
    return changed(outcome, etag_of=person_id)


@post("/dpo/people/{person_id:uuid}/restriction/lift", status_code=200, tags=["dpo"])
async def lift(
    person_id: FromPath[UUID],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response[Changed]:
    require_dpo(principal.actor)
    ctx = expecting(ctx, person_id, if_match)
    outcome = await lift_restriction(
        ctx, principal.actor, LiftRestriction(person_id), idempotency_key=idempotency_key(key)
    )
    return changed(outcome, etag_of=person_id)


ROUTES = [place_hold, lift_hold, restrict, lift]
