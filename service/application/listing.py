"""People shown in a list (a roster, the office-hours board): each one opened, named only when allowed.

Every person a list shows goes through ``open_for_reading``, so each is an access event
of its own. A name is shown only when the reader's grant lets them read that person's
identity. People erased meanwhile (before the read model caught up) are left out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from uuid import UUID

import msgspec

from domain.base import Category
from domain.person import PersonErasedError
from domain.policy import Relation, Scope, access
from projections.directory import listings
from service.application.context import Actor, ApplicationContext
from service.application.errors import NotAuthorisedError
from service.application.reading import ReadGrant, ReadPurpose, open_for_reading
from service.storage.keys.subject_keys import SubjectErasedError
from service.storage.repository import AggregateErasedError, AggregateNotFoundError


class PersonName(msgspec.Struct, frozen=True):
    given_name: str
    family_name: str


def name_parts(name: PersonName | None) -> tuple[str | None, str | None]:
    """Given and family name, or two nulls when the name may not be shown."""
    return (None, None) if name is None else (name.given_name, name.family_name)


def ensure_role_may_read(actor: Actor, category: Category) -> None:
    """Refuse a list before anything is read when the reader's roles alone never allow ``category``."""
    if not access(actor.roles, Relation())[category].allows_read():
        raise NotAuthorisedError(category, action="read")


async def open_each(
    ctx: ApplicationContext,
    actor: Actor,
    person_ids: Iterable[UUID],
    view: str,
    purpose: ReadPurpose,
    needs: Category,
) -> dict[UUID, ReadGrant]:
    """Open every person once (concurrently), recording one access event each."""
    unique = list(dict.fromkeys(person_ids))
    grants = await asyncio.gather(*(_open(ctx, actor, p, view, purpose, needs) for p in unique))
    return {person_id: grant for person_id, grant in zip(unique, grants, strict=True) if grant is not None}


async def names_of(ctx: ApplicationContext, grants: dict[UUID, ReadGrant]) -> dict[UUID, PersonName]:
    """The names of the people opened whose identity the reader may read."""
    # A name is part of the narrowest identity a reader may get (a trainer's course details).
    readable = [p for p, grant in grants.items() if grant.may_read(Category.IDENTITY, Scope.COURSE_DETAILS)]
    if not readable:
        return {}
    async with ctx.pool.acquire() as db:
        found = await listings(db, ctx.sealer, readable, limit=len(readable))
    return {f.person_id: PersonName(f.details.given_name, f.details.family_name) for f in found}


async def _open(
    ctx: ApplicationContext, actor: Actor, person_id: UUID, view: str, purpose: ReadPurpose, needs: Category
) -> ReadGrant | None:
    try:
        return await open_for_reading(ctx, actor, person_id, view, purpose, needs=needs)
    except (AggregateErasedError, PersonErasedError, SubjectErasedError, AggregateNotFoundError):
        return None  # erased (or not yet known) while the read model has not caught up
