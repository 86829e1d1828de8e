"""What the DPO's pages show besides the export and the erasure plan: legal holds, and file numbers."""

from __future__ import annotations

from uuid import UUID

from domain.base import Category
from domain.person import LegalHold, Person, PersonErasedError
from projections.directory import listings
from service.application.context import Actor, ApplicationContext
from service.application.listing import ensure_role_may_read
from service.storage.repository import AggregateErasedError, AggregateNotFoundError


async def legal_holds(ctx: ApplicationContext, actor: Actor, person_id: UUID) -> list[LegalHold]:
    """The person's legal holds (DPO), as the erasure dry run reads them.

    An empty list for an erased person (their history can no longer be read) or an id no one has:
    the DPO opens a person by typing an id, and the page says what it can about it.
    """
    ensure_role_may_read(actor, Category.GDPR)
    try:
        return list((await ctx.repository.get(Person, person_id)).legal_holds)
    except (AggregateNotFoundError, AggregateErasedError, PersonErasedError):
        return []


async def file_numbers(ctx: ApplicationContext, actor: Actor, person_ids: list[UUID]) -> dict[UUID, str]:
    """The file number of each person (DPO): how the DPO's pages name a person, never by id nor by name.

    The DPO finds a person by file number for a rights request; names stay in the export. One
    query for the whole list; an erased person has no file number any more.
    """
    ensure_role_may_read(actor, Category.GDPR)
    unique = list(dict.fromkeys(person_ids))
    if not unique:
        return {}
    async with ctx.pool.acquire() as db:
        found = await listings(db, ctx.sealer, unique, limit=len(unique))
    return {listing.person_id: listing.file_number for listing in found}
