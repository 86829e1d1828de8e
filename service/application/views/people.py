"""The directory: searching people (through the blind index) and the person's card."""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID

import msgspec

from domain.base import Category
from projections.blind_index import BlindIndex
from projections.directory import Listing, listings, search
from service.application.authorisation import authorise
from service.application.context import Actor, ApplicationContext
from service.application.listing import open_each
from service.application.reading import ReadPurpose, open_for_reading
from service.storage.repository import AggregateNotFoundError


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


async def search_directory(
    ctx: ApplicationContext, actor: Actor, query: str, purpose: ReadPurpose = ReadPurpose.FOLLOW_UP
) -> list[PersonCard]:
    """People found by name, birth date (31/12/1990 or 1990-12-31) or file number; every person shown is an access."""
    authorise(actor, Category.IDENTITY)  # only those who register people search the directory
    async with ctx.pool.acquire() as db:
        found = await search(db, ctx.sealer, _index_of(ctx), as_searched(query))
    grants = await open_each(
        ctx, actor, [listing.person_id for listing in found], "directory_search", purpose, Category.IDENTITY
    )
    return [PersonCard.of(listing) for listing in found if listing.person_id in grants]


async def person_card(
    ctx: ApplicationContext, actor: Actor, person_id: UUID, purpose: ReadPurpose = ReadPurpose.FOLLOW_UP
) -> PersonCard:
    """Who the person is and how to reach them (identity), opened and recorded first."""
    await open_for_reading(ctx, actor, person_id, "person_card", purpose)
    async with ctx.pool.acquire() as db:
        found = await listings(db, ctx.sealer, [person_id])
    if not found:
        raise AggregateNotFoundError("Person", person_id)
    return PersonCard.of(found[0])


_WRITTEN_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def as_searched(query: str) -> str:
    """A birth date as people write it (31/12/1990, 31-12-1990, 31.12.1990) becomes the date the index knows."""
    found = _WRITTEN_DATE.fullmatch(query.strip())
    if found is None:
        return query
    day, month, year = (int(n) for n in found.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return query


def _index_of(ctx: ApplicationContext) -> BlindIndex:
    # Only searches need the index (it holds a key), so a context may be built without one.
    if ctx.index is None:
        raise RuntimeError("searching the directory needs a context built with the blind index")
    return ctx.index
