"""What the DPO's pages show of a person: found for a rights request, named before an erasure.

The access policy gives the DPO a person's data through the export only. One narrow exception
serves a rights request: the DPO finds the person by file number, or by name *and* birth date,
and sees, of each person found (a handful at most), the name, the file number and the birth
date; the DPO's page of a person shows the same, with the restriction (Art. 18) and the legal
holds, so that nobody is erased by an id alone. Each is recorded as an access for the rights
request, like the export. There is no browsing: a look-up that names nobody precisely finds
nobody.
"""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID

import msgspec

from domain.access import AccessRecord
from domain.base import Category
from domain.errors import InvalidValueError
from domain.person import LegalHold, Person, PersonErasedError
from projections.blind_index import BlindIndex
from projections.directory import Listing, listings, search
from projections.text import tokens
from service.application.context import Actor, ApplicationContext
from service.application.listing import ensure_role_may_read
from service.storage.erasures import ensure_not_erased
from service.storage.repository import AggregateErasedError, AggregateNotFoundError

RIGHTS_REQUEST_PURPOSE = "rights_request"
RIGHTS_REQUEST_BASIS = "dpo_rights_request"
LOOKUP_VIEW = "dpo_person_lookup"
PERSON_VIEW = "dpo_person"
MOST_FOUND = 5
"""A look-up shows at most this many people: enough to tell namesakes apart, too few to browse."""
_FILE_NUMBER = re.compile(r"^\d{4}-\d{5}$")


class PersonLookup(msgspec.Struct, frozen=True):
    """A file number; or a name and a birth date, both."""

    file_number: str = ""
    name: str = ""
    birth_date: date | None = None


class FoundPerson(msgspec.Struct, frozen=True):
    person_id: UUID
    file_number: str
    given_name: str
    family_name: str
    birth_date: date | None
    restricted: bool


class DpoPerson(msgspec.Struct, frozen=True):
    """The person as the DPO sees them before acting on a rights request or erasing them."""

    person_id: UUID
    file_number: str
    given_name: str
    family_name: str
    birth_date: date | None
    restricted: bool
    """Processing restricted (Art. 18): only the DPO's own commands go through."""
    legal_holds: list[LegalHold]
    """Art. 17(3): while one is in place, the person cannot be erased."""


class LookupIncompleteError(InvalidValueError):
    """What the DPO typed cannot find one person precisely (the message names the field to complete)."""


async def find_for_rights_request(ctx: ApplicationContext, actor: Actor, lookup: PersonLookup) -> list[FoundPerson]:
    """The people the look-up names (at most ``MOST_FOUND``), each one's reading recorded for the rights request."""
    ensure_role_may_read(actor, Category.GDPR)
    number, name = lookup.file_number.strip(), " ".join(tokens(lookup.name))
    if not number and not name and lookup.birth_date is None:
        raise LookupIncompleteError("type a file number, or a name and a birth date", field="file_number")
    if number and not _FILE_NUMBER.match(number):
        raise LookupIncompleteError("a file number reads like 2026-00042", field="file_number")
    if not number and not name:
        raise LookupIncompleteError("a birth date needs the name too", field="name")
    if not number and lookup.birth_date is None:
        raise LookupIncompleteError("a name needs the birth date too", field="birth_date")
    async with ctx.pool.acquire() as db:
        if number:
            found = await search(db, ctx.sealer, _index(ctx), number, limit=MOST_FOUND)
        else:
            assert lookup.birth_date is not None
            born = await search(db, ctx.sealer, _index(ctx), lookup.birth_date.isoformat(), limit=1000)
            found = [listing for listing in born if _named(listing, name)][:MOST_FOUND]
    await _record(ctx, actor, [f.person_id for f in found], LOOKUP_VIEW)
    return [_found(listing) for listing in found]


async def person_for_rights_request(ctx: ApplicationContext, actor: Actor, person_id: UUID) -> DpoPerson:
    """Name, file number, birth date, restriction and legal holds (DPO); 404 for no one, 410 once erased."""
    ensure_role_may_read(actor, Category.GDPR)
    await ensure_not_erased(ctx.pool, person_id)
    try:
        person = await ctx.repository.get(Person, person_id)
    except (AggregateErasedError, PersonErasedError):
        await ensure_not_erased(ctx.pool, person_id)  # erased meanwhile: 410 with the receipt
        raise
    if person.details is None:
        raise AggregateNotFoundError("Person", person_id)
    await _record(ctx, actor, [person_id], PERSON_VIEW)
    d = person.details
    return DpoPerson(
        person_id,
        person.file_number,
        d.given_name,
        d.family_name,
        d.birth_date,
        person.restricted,
        list(person.legal_holds),
    )


async def legal_holds(ctx: ApplicationContext, actor: Actor, person_id: UUID) -> list[LegalHold]:
    """The person's legal holds (DPO), as the erasure dry run reads them; none for an erased person."""
    ensure_role_may_read(actor, Category.GDPR)
    try:
        return list((await ctx.repository.get(Person, person_id)).legal_holds)
    except (AggregateNotFoundError, AggregateErasedError, PersonErasedError):
        return []


async def file_numbers(ctx: ApplicationContext, actor: Actor, person_ids: list[UUID]) -> dict[UUID, str]:
    """The file number of each person (DPO): how the DPO's lists name a person, never by id.

    One query for the whole list; an erased person has no file number any more.
    """
    ensure_role_may_read(actor, Category.GDPR)
    unique = list(dict.fromkeys(person_ids))
    if not unique:
        return {}
    async with ctx.pool.acquire() as db:
        found = await listings(db, ctx.sealer, unique, limit=len(unique))
    return {listing.person_id: listing.file_number for listing in found}


def _named(listing: Listing, name: str) -> bool:
    """Every word typed is one of the person's names (case and accents aside): a precise match, not a search."""
    names = set(tokens(f"{listing.details.given_name} {listing.details.family_name}"))
    return set(name.split()) <= names


def _found(listing: Listing) -> FoundPerson:
    d = listing.details
    return FoundPerson(
        listing.person_id, listing.file_number, d.given_name, d.family_name, d.birth_date, listing.restricted
    )


async def _record(ctx: ApplicationContext, actor: Actor, person_ids: list[UUID], view: str) -> None:
    at = ctx.clock()
    records = [
        AccessRecord.record(ctx.new_id(), p, actor.staff_id, view, RIGHTS_REQUEST_PURPOSE, RIGHTS_REQUEST_BASIS, at)
        for p in dict.fromkeys(person_ids)
    ]
    if records:
        await ctx.repository.save(*records, actor_id=actor.staff_id)


def _index(ctx: ApplicationContext) -> BlindIndex:
    if ctx.index is None:
        raise RuntimeError("finding a person needs a context built with the blind index")
    return ctx.index
