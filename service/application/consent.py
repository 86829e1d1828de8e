"""Giving and withdrawing consent, per purpose, with its evidence.

Both are repeated on a concurrency conflict: each records a new fact about the person's
will, which does not depend on what another writer recorded at the same moment.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID

import msgspec

from domain.base import Category
from domain.consent import Body, ConsentRecord, Evidence, Purpose, consent_record_id
from service.application.authorisation import authorise, person_open_to
from service.application.context import Actor, ApplicationContext
from service.application.running import Decision, Outcome, execute, versions_of
from service.storage.repository import AggregateNotFoundError


class GiveConsent(msgspec.Struct, frozen=True):
    person_id: UUID
    purpose: Purpose
    evidence: Evidence
    body: Body | None = None
    """The outside body, for (and only for) external referral."""
    valid_until: date | None = None
    evidence_reference: str | None = None
    """Where the evidence is kept (a form's number), never the form itself."""


class WithdrawConsent(msgspec.Struct, frozen=True):
    person_id: UUID
    purpose: Purpose
    body: Body | None = None


class ConsentChanged(Outcome, frozen=True):
    consent_record_id: UUID
    given_version: int | None = None
    """The version of the ``Given`` event, which later decisions cite as their basis."""


async def _consents_of(ctx: ApplicationContext, person_id: UUID, at: datetime, by: UUID) -> ConsentRecord:
    try:
        return await ctx.repository.get(ConsentRecord, consent_record_id(person_id))
    except AggregateNotFoundError:
        # Registration opens the record; this covers people registered before it did.
        return ConsentRecord.open(person_id, at, by)


async def _change_consent(
    ctx: ApplicationContext,
    actor: Actor,
    command: GiveConsent | WithdrawConsent,
    change: Callable[[ConsentRecord, datetime], int | None],
    idempotency_key: str | None,
) -> ConsentChanged:
    authorise(actor, Category.CONSENT)

    async def decide(at: datetime) -> Decision[ConsentChanged]:
        await person_open_to(ctx, actor, command.person_id)
        record = await _consents_of(ctx, command.person_id, at, actor.staff_id)
        given_version = change(record, at)
        result = ConsentChanged(versions=versions_of(record), consent_record_id=record.id, given_version=given_version)
        return Decision((record,), result)

    return await execute(ctx, actor, command, decide, ConsentChanged, idempotency_key=idempotency_key, repeatable=True)


async def give_consent(
    ctx: ApplicationContext, actor: Actor, command: GiveConsent, *, idempotency_key: str | None = None
) -> ConsentChanged:
    def change(record: ConsentRecord, at: datetime) -> int:
        return record.give(
            command.purpose,
            command.evidence,
            at,
            actor.staff_id,
            body=command.body,
            valid_until=command.valid_until,
            evidence_reference=command.evidence_reference,
        )

    return await _change_consent(ctx, actor, command, change, idempotency_key)


async def withdraw_consent(
    ctx: ApplicationContext, actor: Actor, command: WithdrawConsent, *, idempotency_key: str | None = None
) -> ConsentChanged:
    def change(record: ConsentRecord, at: datetime) -> None:
        record.withdraw(command.purpose, at, actor.staff_id, body=command.body)

    return await _change_consent(ctx, actor, command, change, idempotency_key)
