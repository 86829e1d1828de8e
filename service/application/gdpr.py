"""The DPO's commands on a person: restriction (Art. 18), legal holds (Art. 17(3)), erasure (Art. 17).

Erasure itself lives in ``service.gdpr.erasure`` (key first, then the tombstone, then a
signed receipt); ``erase_person`` is its command-shaped entry point.

The policy grants ``gdpr`` writes to the DPO only, so every command here starts there.
None is repeated on conflict: each is a deliberate decision about the person's state.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

import msgspec

from domain.base import Category
from domain.person import LegalBasis, Person
from service.application.authorisation import authorise
from service.application.context import Actor, ApplicationContext
from service.application.running import Decision, Outcome, execute, versions_of

if TYPE_CHECKING:
    from service.gdpr.tools import ErasureTools


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


class ErasePerson(msgspec.Struct, frozen=True):
    person_id: UUID


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


async def erase_person(
    ctx: ApplicationContext,
    actor: Actor,
    command: ErasePerson,
    *,
    tools: ErasureTools,
    idempotency_key: str | None = None,
) -> PersonChanged:
    """Erase the person (crash-safe, see ``service.gdpr.erasure``); the receipt is kept in the database.

    ``idempotency_key`` is accepted for symmetry: erasure is idempotent by nature (erasing
    an erased person returns the receipt already issued). ``service.gdpr.erasure.erase``
    returns the signed receipt itself.
    """
    from service.gdpr.erasure import erase

    authorise(actor, Category.GDPR)
    receipt = await erase(ctx, actor, command.person_id, tools)
    version = await ctx.repository.store.current_version(command.person_id)
    return PersonChanged(versions={command.person_id: version}, person_id=receipt.person_id)
