"""The directory: searching people (through the blind index) and the person's card.

The card shows what the reader's grants allow: everything to those who register and follow
people (identity ``Scope.ALL``); to a trainer of the person's cohort (``Scope.COURSE_DETAILS``)
only what the course needs (name, file number, preferred language, a phone number to call after
an absence), and of the consents only those that concern training (``Scope.TRAINING_CONSENTS``).
The access event names what was shown (``person_card`` or ``person_card_course``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from uuid import UUID

import msgspec

from domain.base import Category
from domain.consent import ConsentRecord, Purpose
from domain.organisations import OrganisationKind
from domain.person import PersonDetails
from domain.policy import TRAINING_PURPOSES, Grant, Scope
from projections.blind_index import BlindIndex
from projections.directory import Listing, kept_record_of, listings, possible_duplicates, search
from service.application.authorisation import authorise, consents_of
from service.application.context import Actor, ApplicationContext
from service.application.errors import NotAuthorisedError
from service.application.listing import open_each
from service.application.reading import ReadPurpose, open_for_reading
from service.storage.repository import AggregateNotFoundError
from service.words import formatting


class CardConsent(msgspec.Struct, frozen=True):
    """A consent that holds today: for what, for which outside body, since when and until when."""

    purpose: Purpose
    given_on: date
    valid_until: date | None = None
    body_kind: OrganisationKind | None = None
    body_name: str | None = None


class PersonCard(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    file_number: str
    given_name: str
    family_name: str
    birth_date: date | None = None
    nationality: str | None = None
    languages: list[str] = []
    needs_interpreter: bool = False
    preferred_language: str | None = None
    phone: str | None = None
    """E.164 (+32470123456); ``phone_shown`` writes it as a Belgian reads it."""
    email: str | None = None
    address: str | None = None
    niss: str | None = None
    """The national register number, 11 digits; ``niss_shown`` writes it 85.07.30-033.28."""
    situations: list[str] = []
    restricted: bool = False
    possible_duplicates: list[UUID] = []
    consents: list[CardConsent] = []
    """The consents that hold today, as far as the reader may read them (a trainer: training ones only)."""
    shown: Scope = Scope.ALL
    """What the reader's grant let the card show: ``all``, or ``course_details`` (a trainer)."""

    @classmethod
    def of(cls, listing: Listing) -> PersonCard:
        d = listing.details
        return cls(
            person_id=listing.person_id,
            file_number=listing.file_number,
            given_name=d.given_name,
            family_name=d.family_name,
            birth_date=d.birth_date,
            nationality=d.nationality,
            languages=list(d.languages),
            needs_interpreter=d.needs_interpreter,
            preferred_language=d.preferred_language,
            phone=d.contact.phone,
            email=d.contact.email,
            address=d.contact.address,
            niss=d.niss,
            situations=[str(s) for s in d.situations],
            restricted=listing.restricted,
            possible_duplicates=list(listing.possible_duplicates),
        )

    @classmethod
    def for_course(cls, listing: Listing) -> PersonCard:
        """What a course needs: the name, the file number, the preferred language and a phone number."""
        d = listing.details
        return cls(
            person_id=listing.person_id,
            file_number=listing.file_number,
            given_name=d.given_name,
            family_name=d.family_name,
            preferred_language=d.preferred_language,
            phone=d.contact.phone,
            restricted=listing.restricted,
            shown=Scope.COURSE_DETAILS,
        )

    @property
    def phone_shown(self) -> str | None:
        return None if self.phone is None else formatting.phone(self.phone)

    @property
    def niss_shown(self) -> str | None:
        return None if self.niss is None else formatting.niss(self.niss)


def identity_shown(grant: Grant) -> Scope:
    """How much of the identity a grant shows: all of it, or the course details; refuses anything else."""
    if grant.allows_read(Scope.ALL):
        return Scope.ALL
    if grant.allows_read(Scope.COURSE_DETAILS):
        return Scope.COURSE_DETAILS
    raise NotAuthorisedError(Category.IDENTITY, action="read")


def consents_shown(grant: Grant) -> frozenset[Purpose]:
    """The purposes whose consents a grant shows: all, those about training, or none."""
    if grant.allows_read(Scope.ALL):
        return frozenset(Purpose)
    if grant.allows_read(Scope.TRAINING_CONSENTS):
        return TRAINING_PURPOSES
    return frozenset()


def card_view(grants: Mapping[Category, Grant]) -> str:
    """The view recorded in the access log: the whole card, or the card a course needs."""
    whole = identity_shown(grants[Category.IDENTITY]) is Scope.ALL
    return (
        "person_card"
        if whole and consents_shown(grants[Category.CONSENT]) == frozenset(Purpose)
        else "person_card_course"
    )


def shaped(listing: Listing, grants: Mapping[Category, Grant], consents: ConsentRecord, today: date) -> PersonCard:
    """The card as the grants allow it: the identity in full or for a course, and the consents allowed."""
    card = (
        PersonCard.of(listing)
        if identity_shown(grants[Category.IDENTITY]) is Scope.ALL
        else PersonCard.for_course(listing)
    )
    purposes = consents_shown(grants[Category.CONSENT])
    holding = [
        CardConsent(
            g.purpose,
            g.given_on,
            g.valid_until,
            None if g.body is None else g.body.kind,
            None if g.body is None else g.body.name,
        )
        for g in consents.grants
        if g.purpose in purposes and g.holds_on(today)
    ]
    return msgspec.structs.replace(card, consents=holding)


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
    """Who the person is and how to reach them (identity), as the reader may see it, opened and recorded first.

    A record merged into another reads as the kept one: its card is the kept record's.
    """
    async with ctx.pool.acquire() as db:
        person_id = await kept_record_of(db, person_id)
    grant = await open_for_reading(ctx, actor, person_id, "person_card", purpose, view_shown=card_view)
    async with ctx.pool.acquire() as db:
        found = await listings(db, ctx.sealer, [person_id])
    if not found:
        raise AggregateNotFoundError("Person", person_id)
    consents = await consents_of(ctx, person_id)
    return shaped(found[0], grant.grants, consents, ctx.clock().date())


async def duplicates_of(
    ctx: ApplicationContext, actor: Actor, details: PersonDetails, purpose: ReadPurpose = ReadPurpose.FOLLOW_UP
) -> list[PersonCard]:
    """While registering: people already known with the same NISS, the same full name, or a similar
    name and the same birth date. Every person shown is an access."""
    authorise(actor, Category.IDENTITY)  # only those who register people are warned
    async with ctx.pool.acquire() as db:
        found = await possible_duplicates(db, _index_of(ctx), details)
    return await cards_of(ctx, actor, found, "directory_search", purpose)


async def cards_of(
    ctx: ApplicationContext, actor: Actor, person_ids: list[UUID], view: str, purpose: ReadPurpose
) -> list[PersonCard]:
    """The cards of several people (a list to choose from), each opened and recorded; those not allowed left out."""
    grants = await open_each(ctx, actor, person_ids, view, purpose, Category.IDENTITY)
    readable = [p for p, grant in grants.items() if grant.may_read(Category.IDENTITY)]
    async with ctx.pool.acquire() as db:
        found = await listings(db, ctx.sealer, readable, limit=max(len(readable), 1))
    return [PersonCard.of(listing) for listing in found]


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
