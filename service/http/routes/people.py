"""People: registration, search through the blind index, the person's card, corrections, consent."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from domain.base import Category
from domain.consent import Body, Evidence, Purpose
from domain.organisations import OrganisationKind
from domain.person import ContactDetails, PersonDetails, Situation
from projections.directory import Listing, listings, search
from service.application.authorisation import authorise
from service.application.consent import GiveConsent, WithdrawConsent, give_consent, withdraw_consent
from service.application.context import ApplicationContext
from service.application.people import CorrectDetails, RegisterPerson, correct_details, register_person
from service.http.deps import Services
from service.http.headers import IdempotencyKey, IfMatch, expecting, idempotency_key
from service.http.reading import ReadPurpose, open_for_reading
from service.http.routes.listed import open_each
from service.http.security import Principal
from service.http.wire import Changed, Name, Request, ShortText, changed
from service.storage.repository import AggregateNotFoundError


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
        )


class Correction(Request, frozen=True):
    details: Details
    reason: ShortText


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


class PersonCard(msgspec.Struct, frozen=True):
    person_id: UUID
    file_number: str
    given_name: str
    family_name: str
    birth_date: date | None
    nationality: str | None
    languages: list[str]
    preferred_language: str | None
    phone: str | None
    email: str | None
    address: str | None
    situations: list[str]
    restricted: bool
    possible_duplicates: list[UUID]

    @classmethod
    def of(cls, listing: Listing) -> PersonCard:
        d = listing.details
        return cls(
            listing.person_id,
            listing.file_number,
            d.given_name,
            d.family_name,
            d.birth_date,
            d.nationality,
            list(d.languages),
            d.preferred_language,
            d.contact.phone,
            d.contact.email,
            d.contact.address,
            [str(s) for s in d.situations],
            listing.restricted,
            list(listing.possible_duplicates),
        )


def _body(kind: OrganisationKind | None, name: str | None) -> Body | None:
    return None if kind is None else Body(kind, name)


@post("/people", tags=["people"])
async def register(
    data: JSONBody[Details],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
) -> Response[Changed]:
    outcome = await register_person(
        ctx, principal.actor, RegisterPerson(data.to_domain()), idempotency_key=idempotency_key(key)
    )
    return changed(outcome, 201, etag_of=outcome.person_id)


@post("/people/search", status_code=200, tags=["people"])
async def search_people(
    data: JSONBody[SearchQuery],
    services: NamedDependency[Services],
    principal: NamedDependency[Principal],
    purpose: FromQuery[ReadPurpose] = ReadPurpose.FOLLOW_UP,
) -> list[PersonCard]:
    """Find people by name, birth date (YYYY-MM-DD) or file number; every person shown is an access."""
    authorise(principal.actor, Category.IDENTITY)  # only those who register people search the directory
    async with services.runtime.pool.acquire() as db:
        found = await search(db, services.sealer, services.index, data.query)
    grants = await open_each(
        services, principal, [listing.person_id for listing in found], "directory_search", purpose, Category.IDENTITY
    )
    return [PersonCard.of(listing) for listing in found if listing.person_id in grants]


@get("/people/{person_id:uuid}", tags=["people"])
async def person_card(
    person_id: FromPath[UUID],
    services: NamedDependency[Services],
    principal: NamedDependency[Principal],
    purpose: FromQuery[ReadPurpose] = ReadPurpose.FOLLOW_UP,
) -> PersonCard:
    await open_for_reading(services, principal, person_id, "person_card", purpose)
    async with services.runtime.pool.acquire() as db:
        found = await listings(db, services.sealer, [person_id])
    if not found:
        raise AggregateNotFoundError("Person", person_id)
    return PersonCard.of(found[0])


@post("/people/{person_id:uuid}/corrections", tags=["people"])
async def correct(
    person_id: FromPath[UUID],
    data: JSONBody[Correction],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response[Changed]:
    ctx = expecting(ctx, person_id, if_match)
    outcome = await correct_details(
        ctx,
        principal.actor,
        CorrectDetails(person_id, data.details.to_domain(), data.reason),
        idempotency_key=idempotency_key(key),
    )
    return changed(outcome, etag_of=person_id)


@post("/people/{person_id:uuid}/consents", tags=["consent"])
async def give(
    person_id: FromPath[UUID],
    data: JSONBody[ConsentGiven],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
) -> Response[Changed]:
    command = GiveConsent(
        person_id,
        data.purpose,
        data.evidence,
        _body(data.body_kind, data.body_name),
        data.valid_until,
        data.evidence_reference,
    )
    return changed(await give_consent(ctx, principal.actor, command, idempotency_key=idempotency_key(key)), 201)


@post("/people/{person_id:uuid}/consents/withdrawals", tags=["consent"])
async def withdraw(
    person_id: FromPath[UUID],
    data: JSONBody[ConsentWithdrawn],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
) -> Response[Changed]:
    command = WithdrawConsent(person_id, data.purpose, _body(data.body_kind, data.body_name))
    return changed(await withdraw_consent(ctx, principal.actor, command, idempotency_key=idempotency_key(key)))


ROUTES = [register, search_people, person_card, correct, give, withdraw]
