"""The DPO's person: found for a rights request, shown by name; legal holds (Art. 17(3)) and restriction (Art. 18).

The look-up takes a file number, or a name and a birth date (both), in the body (never in
the URL), and answers at most a few people; it is recorded as an access for the rights request.

A legal hold refuses erasure until it is lifted. A restriction blocks every processing
command but the DPO's own (423 for everyone else) and shows on the person's card and case
file. Each takes an Idempotency-Key and, optionally, the person's expected version (If-Match).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.person import LegalBasis
from domain.policy import Role
from service.application.context import Actor, ApplicationContext
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
from service.application.views.dpo import (
    DpoPerson,
    FoundPerson,
    PersonLookup,
    find_for_rights_request,
    person_for_rights_request,
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


class Lookup(Request, frozen=True):
    """A file number; or a name and a birth date, both (a name alone finds no one)."""

    file_number: Annotated[str, msgspec.Meta(max_length=20, examples=["2026-00042"])] = ""
    name: Annotated[str, msgspec.Meta(max_length=200, examples=["Amina Diallo"])] = ""
    birth_date: date | None = None


@post("/lookup", status_code=200)
async def lookup(
    data: JSONBody[Lookup], ctx: NamedDependency[ApplicationContext], actor: NamedDependency[Actor]
) -> list[FoundPerson]:
    """Find the person a rights request is about: at most a few people, each recorded as an access for the request."""
    return await find_for_rights_request(ctx, actor, PersonLookup(data.file_number, data.name, data.birth_date))


@get("/{person_id:uuid}")
async def person(
    person_id: FromPath[UUID], ctx: NamedDependency[ApplicationContext], actor: NamedDependency[Actor]
) -> DpoPerson:
    """Name, file number, birth date, restriction and legal holds: who the DPO is about to act on (410 once erased)."""
    return await person_for_rights_request(ctx, actor, person_id)


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
        route_handlers=[lookup, person, place_hold, lift_hold, restrict, lift],
        guards=[requires(Role.DPO)],
        tags=["dpo"],
        opt=area(people=True),
    )
]
