"""What the DPO's page of a person shows besides the export and the erasure plan: its legal holds."""

from __future__ import annotations

from uuid import UUID

from domain.base import Category
from domain.person import LegalHold, Person, PersonErasedError
from service.application.context import Actor, ApplicationContext
from service.application.listing import ensure_role_may_read
from service.storage.repository import AggregateErasedError, AggregateNotFoundError


async def legal_holds(ctx: ApplicationContext, actor: Actor, person_id: UUID) -> list[LegalHold]:
    """The person's legal holds (DPO), as the erasure dry run reads them.

    None for an erased person (their history can no longer be read) or an id no one has:
    the DPO opens a person by typing an id, and the page says what it can about it.
    """
    ensure_role_may_read(actor, Category.GDPR)
    try:
        return list((await ctx.repository.get(Person, person_id)).legal_holds)
    except (AggregateNotFoundError, AggregateErasedError, PersonErasedError):
        return []
