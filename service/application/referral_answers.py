"""Answering a referral: an outside body's acceptance, declining, completion, withdrawal.

The social worker whose case the referral came from (or opened) answers for it; an
internal referral is declined by the social-legal intake. None is repeated on a
conflict: each answers the referral in the state the sender saw.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

import msgspec

from domain.base import Category
from domain.case import Case
from domain.errors import InvalidValueError
from domain.policy import Relation, Scope
from domain.referral import Referral, ReferralSource
from service.application.authorisation import authorise, person_open_to, relation_to
from service.application.context import Actor, ApplicationContext
from service.application.referrals import ReferralChanged, referral_decision
from service.application.running import Decision, execute


class RecordExternalAcceptance(msgspec.Struct, frozen=True):
    referral_id: UUID


class DeclineReferral(msgspec.Struct, frozen=True):
    referral_id: UUID
    reason: str


class CompleteReferral(msgspec.Struct, frozen=True):
    referral_id: UUID
    outcome: str = ""


class WithdrawReferral(msgspec.Struct, frozen=True):
    referral_id: UUID
    reason: str


async def _relation_through_case(ctx: ApplicationContext, actor: Actor, case_id: UUID | None) -> Relation:
    if case_id is None:
        return relation_to(actor)
    return relation_to(actor, case=await ctx.repository.get(Case, case_id))


def _linked_case(referral: Referral) -> UUID | None:
    """The case a referral was made from or opened: its social worker answers for it."""
    if referral.case_id is not None:
        return referral.case_id
    return referral.source_id if referral.source is ReferralSource.SOCIAL_LEGAL else None


async def _answer(
    ctx: ApplicationContext,
    actor: Actor,
    command: RecordExternalAcceptance | DeclineReferral | CompleteReferral | WithdrawReferral,
    scope: Callable[[Referral], Scope],
    change: Callable[[Referral, datetime], None],
    idempotency_key: str | None,
) -> ReferralChanged:
    authorise(actor, Category.SOCIAL_LEGAL, scope=Scope.REFERRAL_OUT_ONLY)

    async def decide(at: datetime) -> Decision[ReferralChanged]:
        referral = await ctx.repository.get(Referral, command.referral_id)
        relation = await _relation_through_case(ctx, actor, _linked_case(referral))
        authorise(actor, Category.SOCIAL_LEGAL, relation, scope(referral))
        await person_open_to(ctx, actor, referral.person_id)
        change(referral, at)
        return referral_decision(referral)

    return await execute(
        ctx, actor, command, decide, ReferralChanged, idempotency_key=idempotency_key, repeatable=False
    )


async def record_external_acceptance(
    ctx: ApplicationContext, actor: Actor, command: RecordExternalAcceptance, *, idempotency_key: str | None = None
) -> ReferralChanged:
    """The outside body took the person on; recorded by whoever referred them."""

    def change(referral: Referral, at: datetime) -> None:
        if not referral.is_external:
            raise InvalidValueError("internal referrals are accepted by opening a case")
        referral.accept(at, actor.staff_id)

    return await _answer(ctx, actor, command, lambda _: Scope.REFERRAL_OUT_ONLY, change, idempotency_key)


async def decline_referral(
    ctx: ApplicationContext, actor: Actor, command: DeclineReferral, *, idempotency_key: str | None = None
) -> ReferralChanged:
    """Internal: the social-legal intake declines. External: the body's refusal, recorded."""

    def change(referral: Referral, at: datetime) -> None:
        referral.decline(command.reason, at, actor.staff_id)

    def scope(referral: Referral) -> Scope:
        return Scope.REFERRAL_OUT_ONLY if referral.is_external else Scope.INTAKE_ONLY

    return await _answer(ctx, actor, command, scope, change, idempotency_key)


async def complete_referral(
    ctx: ApplicationContext, actor: Actor, command: CompleteReferral, *, idempotency_key: str | None = None
) -> ReferralChanged:
    """Closed by the social worker who follows the case it belongs to."""

    def change(referral: Referral, at: datetime) -> None:
        referral.complete(command.outcome, at, actor.staff_id)

    return await _answer(ctx, actor, command, lambda _: Scope.ALL, change, idempotency_key)


async def withdraw_referral(
    ctx: ApplicationContext, actor: Actor, command: WithdrawReferral, *, idempotency_key: str | None = None
) -> ReferralChanged:
    def change(referral: Referral, at: datetime) -> None:
        referral.withdraw(command.reason, at, actor.staff_id)

    return await _answer(ctx, actor, command, lambda _: Scope.REFERRAL_OUT_ONLY, change, idempotency_key)
