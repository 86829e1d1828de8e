"""Registering a person, correcting their details (GDPR Art. 16), and merging two records of one person."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from domain.base import Category
from domain.consent import ConsentRecord
from domain.person import Person, PersonDetails
from domain.policy import Role
from service.application.authorisation import authorise, require_role
from service.application.context import Actor, ApplicationContext
from service.application.file_numbers import allocate_file_number
from service.application.identity_values import normalised
from service.application.running import Decision, Outcome, execute, versions_of


class RegisterPerson(msgspec.Struct, frozen=True):
    details: PersonDetails


class PersonRegistered(Outcome, frozen=True):
    person_id: UUID
    file_number: str
    consent_record_id: UUID


class CorrectDetails(msgspec.Struct, frozen=True):
    person_id: UUID
    details: PersonDetails
    reason: str


class DetailsCorrected(Outcome, frozen=True):
    person_id: UUID


class MergePeople(msgspec.Struct, frozen=True):
    """``duplicate_id`` is the same person as ``kept_id``, registered a second time."""

    kept_id: UUID
    duplicate_id: UUID


class PeopleMerged(Outcome, frozen=True):
    kept_id: UUID
    duplicate_id: UUID


MERGING_ROLES = frozenset({Role.SOCIAL_WORKER})
"""Who may merge two records: social workers, who write the identity of the people they follow."""


async def register_person(
    ctx: ApplicationContext,
    actor: Actor,
    command: RegisterPerson,
    *,
    idempotency_key: str | None = None,
) -> PersonRegistered:
    """Register a person with a new file number; their consent record opens in the same append."""
    authorise(actor, Category.IDENTITY)
    details = normalised(command.details)

    async def decide(at: datetime) -> Decision[PersonRegistered]:
        person_id = ctx.new_id()
        file_number = await allocate_file_number(ctx.pool, at.year)
        person = Person.register(person_id, file_number, details, at, actor.staff_id)
        # Opened now, so that consent can be given and read without a "not found" case.
        consents = ConsentRecord.open(person_id, at, actor.staff_id)
        result = PersonRegistered(
            versions=versions_of(person, consents),
            person_id=person_id,
            file_number=file_number,
            consent_record_id=consents.id,
        )
        return Decision((person, consents), result)

    return await execute(
        ctx, actor, command, decide, PersonRegistered, idempotency_key=idempotency_key, repeatable=False
    )


async def correct_details(
    ctx: ApplicationContext,
    actor: Actor,
    command: CorrectDetails,
    *,
    idempotency_key: str | None = None,
) -> DetailsCorrected:
    """Rectify (Art. 16): the details are replaced whole. The DPO may do it while restricted."""
    authorise(actor, Category.IDENTITY)
    details = normalised(command.details)

    async def decide(at: datetime) -> Decision[DetailsCorrected]:
        person = await ctx.repository.get(Person, command.person_id)
        person.correct_details(details, command.reason, at, actor.staff_id, actor_is_dpo=actor.is_dpo)
        return Decision((person,), DetailsCorrected(versions=versions_of(person), person_id=person.id))

    # Not repeated on conflict: the corrector decided on details that have since changed.
    return await execute(
        ctx, actor, command, decide, DetailsCorrected, idempotency_key=idempotency_key, repeatable=False
    )


async def merge_people(
    ctx: ApplicationContext,
    actor: Actor,
    command: MergePeople,
    *,
    idempotency_key: str | None = None,
) -> PeopleMerged:
    """Merge two records of the same person: one event on each, in one append.

    The duplicate then reads as the kept record (its file opens the kept one, the directory
    lists the kept one, the kept file shows both histories), and erasing the kept person
    erases the duplicate too.
    """
    require_role(actor, MERGING_ROLES, "merging two records")
    authorise(actor, Category.IDENTITY)

    async def decide(at: datetime) -> Decision[PeopleMerged]:
        kept = await ctx.repository.get(Person, command.kept_id)
        duplicate = await ctx.repository.get(Person, command.duplicate_id)
        kept.merge(duplicate, at, actor.staff_id)
        result = PeopleMerged(versions=versions_of(kept, duplicate), kept_id=kept.id, duplicate_id=duplicate.id)
        return Decision((kept, duplicate), result)

    # Not repeated on conflict: the social worker compared the two records as they were.
    return await execute(ctx, actor, command, decide, PeopleMerged, idempotency_key=idempotency_key, repeatable=False)
