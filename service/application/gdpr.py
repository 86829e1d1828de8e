"""The DPO's commands on a person: restriction (Art. 18) and legal holds (Art. 17(3)); and break-glass reviews.

Erasure (Art. 17) is ``service.gdpr.erasure.erase`` (key first, then the tombstone, then a
signed receipt), which every door calls.

The policy grants ``gdpr`` writes to the DPO only, so every command here starts there.
None is repeated on conflict: each is a deliberate decision about the person's state.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

import msgspec

from domain.access import AccessReview, review_id_of
from domain.base import Category
from domain.person import LegalBasis, Person
from projections.access_log import is_break_glass
from service.application.authorisation import authorise
from service.application.context import Actor, ApplicationContext
from service.application.kept_access_log import is_kept_break_glass
from service.application.running import Decision, Outcome, execute, versions_of
from service.storage.repository import AggregateNotFoundError


class RestrictProcessing(msgspec.Struct, frozen=True):
    person_id: UUID
    reason: str


class LiftRestriction(msgspec.Struct, frozen=True):
    person_id: UUID


class PlaceLegalHold(msgspec.Struct, frozen=True):
    person_id: UUID
    basis: LegalBasis
    note: str


class LiftLegalHold(msgspec.Struct, frozen=True):
    person_id: UUID
    hold_id: UUID


class PersonChanged(Outcome, frozen=True):
    person_id: UUID


class LegalHoldPlaced(Outcome, frozen=True):
    person_id: UUID
    hold_id: UUID


async def _change_person(
    ctx: ApplicationContext,
    actor: Actor,
    command: RestrictProcessing | LiftRestriction | LiftLegalHold,
    change: Callable[[Person, datetime], None],
    idempotency_key: str | None,
) -> PersonChanged:
    authorise(actor, Category.GDPR)

    async def decide(at: datetime) -> Decision[PersonChanged]:
        person = await ctx.repository.get(Person, command.person_id)
        change(person, at)
        return Decision((person,), PersonChanged(versions=versions_of(person), person_id=person.id))

    return await execute(ctx, actor, command, decide, PersonChanged, idempotency_key=idempotency_key, repeatable=False)


async def restrict_processing(
    ctx: ApplicationContext, actor: Actor, command: RestrictProcessing, *, idempotency_key: str | None = None
) -> PersonChanged:
    def change(person: Person, at: datetime) -> None:
        person.restrict_processing(command.reason, at, actor.staff_id)

    return await _change_person(ctx, actor, command, change, idempotency_key)


async def lift_restriction(
    ctx: ApplicationContext, actor: Actor, command: LiftRestriction, *, idempotency_key: str | None = None
) -> PersonChanged:
    def change(person: Person, at: datetime) -> None:
        person.lift_restriction(at, actor.staff_id)

    return await _change_person(ctx, actor, command, change, idempotency_key)


async def place_legal_hold(
    ctx: ApplicationContext, actor: Actor, command: PlaceLegalHold, *, idempotency_key: str | None = None
) -> LegalHoldPlaced:
    authorise(actor, Category.GDPR)

    async def decide(at: datetime) -> Decision[LegalHoldPlaced]:
        person = await ctx.repository.get(Person, command.person_id)
        hold_id = ctx.new_id()
        person.place_legal_hold(hold_id, command.basis, command.note, at, actor.staff_id)
        return Decision((person,), LegalHoldPlaced(versions=versions_of(person), person_id=person.id, hold_id=hold_id))

    return await execute(
        ctx, actor, command, decide, LegalHoldPlaced, idempotency_key=idempotency_key, repeatable=False
    )


async def lift_legal_hold(
    ctx: ApplicationContext, actor: Actor, command: LiftLegalHold, *, idempotency_key: str | None = None
) -> PersonChanged:
    def change(person: Person, at: datetime) -> None:
        person.lift_legal_hold(command.hold_id, at, actor.staff_id)

    return await _change_person(ctx, actor, command, change, idempotency_key)


class ReviewBreakGlass(msgspec.Struct, frozen=True):
    access_id: UUID


class BreakGlassReviewed(Outcome, frozen=True):
    access_id: UUID
    reviewed_by: UUID
    reviewed_at: datetime
    already: bool = False
    """Reviewed before (by whoever did it first): that review stands, nothing new is written."""


async def review_break_glass(
    ctx: ApplicationContext, actor: Actor, command: ReviewBreakGlass, *, idempotency_key: str | None = None
) -> BreakGlassReviewed:
    """The DPO marks a break-glass access reviewed: once, with who and when (an event, kept after any erasure)."""
    authorise(actor, Category.GDPR)
    earlier = await _review_of(ctx, command.access_id)
    if earlier is not None:
        return earlier
    async with ctx.pool.acquire() as db:
        known = await is_break_glass(db, command.access_id)
    if not known and not await is_kept_break_glass(ctx, command.access_id):
        raise AggregateNotFoundError("AccessRecord", command.access_id)

    async def decide(at: datetime) -> Decision[BreakGlassReviewed]:
        review = AccessReview.review(command.access_id, actor.staff_id, at)
        outcome = BreakGlassReviewed(
            versions=versions_of(review), access_id=command.access_id, reviewed_by=actor.staff_id, reviewed_at=at
        )
        return Decision((review,), outcome)

    return await execute(
        ctx, actor, command, decide, BreakGlassReviewed, idempotency_key=idempotency_key, repeatable=False
    )


async def _review_of(ctx: ApplicationContext, access_id: UUID) -> BreakGlassReviewed | None:
    """The review already made, read from its own stream (not the read model, which may lag behind)."""
    try:
        review = await ctx.repository.get(AccessReview, review_id_of(access_id))
    except AggregateNotFoundError:
        return None
    assert review.reviewed_by is not None
    return BreakGlassReviewed(
        versions={}, access_id=access_id, reviewed_by=review.reviewed_by, reviewed_at=review.created_on, already=True
    )
