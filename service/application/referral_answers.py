"""Answering a referral: an outside body's acceptance, declining, completion, withdrawal.

Only the addressee accepts or declines a referral (``domain.referral.may_answer``): an internal
one, the colleague it names or any member of the social-legal service; an external one, the
outside body, whose answer is recorded by whoever made it or follows its case. The social
worker whose case the referral came from (or opened) completes it. None is repeated on a
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
from domain.referral import Referral
from service.application.authorisation import authorise, person_open_to, relation_to, social_legal_retention_years
from service.application.context import Actor, ApplicationContext
from service.application.referrals import ReferralChanged, ensure_addressee, linked_case, referral_decision
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


async def _relation_through_case(ctx: ApplicationContext, actor: Actor, case_id: UUID | None, at: datetime) -> Relation:
    if case_id is None:
        return relation_to(actor)
    case = await ctx.repository.get(Case, case_id)
    return relation_to(actor, case=case, on=at.date(), kept_years=social_legal_retention_years(ctx))


async def _answer(
    ctx: ApplicationContext,
    actor: Actor,
    command: RecordExternalAcceptance | DeclineReferral | CompleteReferral | WithdrawReferral,
    scope: Callable[[Referral], Scope],
    change: Callable[[Referral, datetime], None],
    idempotency_key: str | None,
    *,
    by_the_addressee: bool = False,
) -> ReferralChanged:
    """``by_the_addressee``: an acceptance or a refusal, which only the addressee gives."""
    authorise(actor, Category.SOCIAL_LEGAL, scope=Scope.REFERRAL_OUT_ONLY)

    async def decide(at: datetime) -> Decision[ReferralChanged]:
        referral = await ctx.repository.get(Referral, command.referral_id)
        relation = await _relation_through_case(ctx, actor, linked_case(referral), at)
        authorise(actor, Category.SOCIAL_LEGAL, relation, scope(referral))
        if by_the_addressee:
            await ensure_addressee(ctx, actor, referral, at)
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

    return await _answer(
        ctx, actor, command, lambda _: Scope.REFERRAL_OUT_ONLY, change, idempotency_key, by_the_addressee=True
    )


async def decline_referral(
    ctx: ApplicationContext, actor: Actor, command: DeclineReferral, *, idempotency_key: str | None = None
) -> ReferralChanged:
    """Internal: the social-legal intake declines. External: the body's refusal, recorded."""

    def change(referral: Referral, at: datetime) -> None:
        referral.decline(command.reason, at, actor.staff_id)

    def scope(referral: Referral) -> Scope:
        return Scope.REFERRAL_OUT_ONLY if referral.is_external else Scope.INTAKE_ONLY

    return await _answer(ctx, actor, command, scope, change, idempotency_key, by_the_addressee=True)


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
