"""People: registration, search through the blind index, the person's card, corrections, merges, consent.

No role guard: who may register, search, read or correct whom is the access policy's to
decide, person by person (a trainer reads their learners' cards, the DPO corrects details).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from domain.consent import Body, Evidence, Purpose
from domain.organisations import OrganisationKind
from domain.person import ContactDetails, PersonDetails, Situation
from service.application.consent import GiveConsent, WithdrawConsent, give_consent, withdraw_consent
from service.application.context import Actor, ApplicationContext
from service.application.people import (
    CorrectDetails,
    MergePeople,
    RegisterPerson,
    correct_details,
    merge_people,
    register_person,
)
from service.application.reading import ReadPurpose
from service.application.views import people as views
from service.application.views.people import PersonCard
from service.http.deps import Command
from service.http.headers import IfMatch
from service.http.openapi import area
from service.http.wire import Changed, Flag, Name, Request, ShortText, changed


class Contact(Request, frozen=True):
    phone: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    email: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    address: Annotated[str, msgspec.Meta(max_length=300)] | None = None


class Details(Request, frozen=True):
    given_name: Name
    family_name: Name
    birth_date: date | None = None
    nationality: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{2}$")] | None = None
    languages: Annotated[list[Annotated[str, msgspec.Meta(pattern=r"^[a-z]{2,3}$")]], msgspec.Meta(max_length=20)] = []
    preferred_language: Annotated[str, msgspec.Meta(pattern=r"^[a-z]{2,3}$")] | None = None
    contact: Contact = Contact()
    situations: list[Situation] = []
    niss: Annotated[str, msgspec.Meta(max_length=20)] | None = None
    """The national register number (or a bis number), with or without its dots and dash."""
    needs_interpreter: Flag = False

    def to_domain(self) -> PersonDetails:
        return PersonDetails(
            given_name=self.given_name,
            family_name=self.family_name,
            birth_date=self.birth_date,
            nationality=self.nationality,
            languages=tuple(self.languages),
            preferred_language=self.preferred_language,
            contact=ContactDetails(self.contact.phone, self.contact.email, self.contact.address),
            situations=tuple(self.situations),
            niss=self.niss,
            needs_interpreter=self.needs_interpreter,
        )


class Correction(Request, frozen=True):
    details: Details
    reason: ShortText


class Merge(Request, frozen=True):
    """The record to merge into the one in the path (which is kept): the same person, registered twice."""

    duplicate_id: UUID


class SearchQuery(Request, frozen=True):
    """Sent in the body, never in the URL: a name is personal data."""

    query: Annotated[str, msgspec.Meta(min_length=2, max_length=100)]


class ConsentGiven(Request, frozen=True):
    purpose: Purpose
    evidence: Evidence
    body_kind: OrganisationKind | None = None
    body_name: Name | None = None
    valid_until: date | None = None
    evidence_reference: Annotated[str, msgspec.Meta(max_length=100)] | None = None


class ConsentWithdrawn(Request, frozen=True):
    purpose: Purpose
    body_kind: OrganisationKind | None = None
    body_name: Name | None = None


def _body(kind: OrganisationKind | None, name: str | None) -> Body | None:
    return None if kind is None else Body(kind, name)


@post("/", tags=["people"])
async def register(data: JSONBody[Details], command: NamedDependency[Command]) -> Response[Changed]:
    registering = RegisterPerson(data.to_domain())
    outcome = await register_person(command.ctx, command.actor, registering, idempotency_key=command.idempotency_key)
    return changed(outcome, 201, etag_of=outcome.person_id)


@post("/search", status_code=200, tags=["people"])
async def search_people(
    data: JSONBody[SearchQuery],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    purpose: FromQuery[ReadPurpose] = ReadPurpose.FOLLOW_UP,
) -> list[PersonCard]:
    """Find people by name, birth date (YYYY-MM-DD) or file number; every person shown is an access."""
    return await views.search_directory(ctx, actor, data.query, purpose)


@get("/{person_id:uuid}", tags=["people"])
async def person_card(
    person_id: FromPath[UUID],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    purpose: FromQuery[ReadPurpose] = ReadPurpose.FOLLOW_UP,
) -> PersonCard:
    return await views.person_card(ctx, actor, person_id, purpose)


@post("/{person_id:uuid}/corrections", status_code=200, tags=["people"])
async def correct(
    person_id: FromPath[UUID], data: JSONBody[Correction], command: NamedDependency[Command], if_match: IfMatch = None
) -> Response[Changed]:
    correction = CorrectDetails(person_id, data.details.to_domain(), data.reason)
    ctx = command.on(person_id, if_match)
    outcome = await correct_details(ctx, command.actor, correction, idempotency_key=command.idempotency_key)
    return changed(outcome, etag_of=person_id)


@post("/{person_id:uuid}/merges", status_code=200, tags=["people"])
async def merge(
    person_id: FromPath[UUID], data: JSONBody[Merge], command: NamedDependency[Command]
) -> Response[Changed]:
    """Merge ``duplicate_id`` into this person (social workers): both records then read as this one."""
    merging = MergePeople(kept_id=person_id, duplicate_id=data.duplicate_id)
    outcome = await merge_people(command.ctx, command.actor, merging, idempotency_key=command.idempotency_key)
    return changed(outcome, etag_of=person_id)


@post("/{person_id:uuid}/consents", tags=["consent"])
async def give(
    person_id: FromPath[UUID], data: JSONBody[ConsentGiven], command: NamedDependency[Command]
) -> Response[Changed]:
    giving = GiveConsent(
        person_id,
        data.purpose,
        data.evidence,
        _body(data.body_kind, data.body_name),
        data.valid_until,
        data.evidence_reference,
    )
    outcome = await give_consent(command.ctx, command.actor, giving, idempotency_key=command.idempotency_key)
    return changed(outcome, 201)


@post("/{person_id:uuid}/consents/withdrawals", status_code=200, tags=["consent"])
async def withdraw(
    person_id: FromPath[UUID], data: JSONBody[ConsentWithdrawn], command: NamedDependency[Command]
) -> Response[Changed]:
    withdrawing = WithdrawConsent(person_id, data.purpose, _body(data.body_kind, data.body_name))
    return changed(
        await withdraw_consent(command.ctx, command.actor, withdrawing, idempotency_key=command.idempotency_key)
    )


# Tags stay on each handler: the consent routes are listed under "consent", not "people". The handlers'
# names make the OpenAPI operation ids, which generated clients use: keep them.
ROUTES = [
    Router(
        "/people",
        route_handlers=[register, search_people, person_card, correct, merge, give, withdraw],
        opt=area(people=True, restricted=True),
    )
]
