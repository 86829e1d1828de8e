"""Making referrals (orientations), and accepting an internal one into a new case.

An internal referral is taken in by the social-legal service (or the colleague it names):
accepting it opens the case in the same append; only its addressee accepts or declines it.
An external one needs the person's consent for that body on that date, or a written
override, which is stored on the referral. None of these is
repeated on a conflict. Answering a referral: ``referral_answers``.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from domain import workflows
from domain.base import Category
from domain.case import Case, CaseDomain
from domain.consent import ConsentBasis
from domain.errors import InvalidValueError
from domain.organisations import OrganisationKind
from domain.policy import Role, Scope
from domain.referral import Referral, ReferralSource, may_answer
from service.application.authorisation import (
    authorise,
    consents_of,
    person_open_to,
    relation_to,
    social_legal_retention_years,
)
from service.application.cases import assignable_social_worker
from service.application.context import Actor, ApplicationContext
from service.application.errors import NotAuthorisedError
from service.application.running import Decision, Outcome, execute, versions_of


class MakeInternalReferral(msgspec.Struct, frozen=True):
    """From training (or office hours without a visit) to the centre's social-legal service."""

    person_id: UUID
    source: ReferralSource
    reason: str
    source_id: UUID | None = None
    to_social_worker_id: UUID | None = None
    """The social worker it is addressed to; the whole service when None."""


class MakeExternalReferral(msgspec.Struct, frozen=True):
    person_id: UUID
    organisation_kind: OrganisationKind
    organisation_name: str
    reason: str
    case_id: UUID | None = None
    """The case it is made from; the actor's caseload is judged on it."""
    override_reason: str | None = None
    """Written reason to refer without the consent; stored on the referral."""


class AcceptReferral(msgspec.Struct, frozen=True):
    """Take an internal referral in by opening a case, assigned to ``social_worker_id``."""

    referral_id: UUID
    domain: CaseDomain
    social_worker_id: UUID
    summary: str


class ReferralChanged(Outcome, frozen=True):
    referral_id: UUID
    case_id: UUID | None = None
    consent: ConsentBasis | None = None
    """The consent an external referral relied on; None with an override."""


class NotTheAddresseeError(NotAuthorisedError):
    """Only the referral's addressee (or a member of the service it was sent to) accepts or declines it."""

    def __init__(self) -> None:
        super().__init__(Category.SOCIAL_LEGAL, Scope.INTAKE_ONLY)


def linked_case(referral: Referral) -> UUID | None:
    """The case a referral was made from or opened: its social worker answers for it."""
    if referral.case_id is not None:
        return referral.case_id
    return referral.source_id if referral.source is ReferralSource.SOCIAL_LEGAL else None


async def ensure_addressee(ctx: ApplicationContext, actor: Actor, referral: Referral, at: datetime) -> None:
    """Refuse (403) unless the actor may answer the referral (``domain.referral.may_answer``)."""
    case_id = linked_case(referral)
    case = None if case_id is None else await ctx.repository.get(Case, case_id)
    follows = case is not None and case.followed_by(actor.staff_id, at.date(), social_legal_retention_years(ctx))
    in_service = Role.SOCIAL_WORKER in actor.roles
    if not may_answer(referral, actor.staff_id, in_social_legal_service=in_service, follows_its_case=follows):
        raise NotTheAddresseeError


def referral_decision(referral: Referral, *others: Referral | Case) -> Decision[ReferralChanged]:
    case_id = next((o.id for o in others if isinstance(o, Case)), referral.case_id)
    result = ReferralChanged(
        versions=versions_of(referral, *others), referral_id=referral.id, case_id=case_id, consent=referral.consent
    )
    return Decision((referral, *others), result)


async def make_internal_referral(
    ctx: ApplicationContext, actor: Actor, command: MakeInternalReferral, *, idempotency_key: str | None = None
) -> ReferralChanged:
    authorise(actor, Category.SOCIAL_LEGAL, scope=Scope.REFERRAL_OUT_ONLY)
    if command.to_social_worker_id is not None:
        await assignable_social_worker(ctx, actor, command.to_social_worker_id, scope=Scope.REFERRAL_OUT_ONLY)

    async def decide(at: datetime) -> Decision[ReferralChanged]:
        authorise(actor, Category.SOCIAL_LEGAL, relation_to(actor), Scope.REFERRAL_OUT_ONLY)
        await person_open_to(ctx, actor, command.person_id)
        referral = Referral.make_internal(
            ctx.new_id(),
            command.person_id,
            command.source,
            command.reason,
            at,
            actor.staff_id,
            source_id=command.source_id,
            to_social_worker_id=command.to_social_worker_id,
        )
        return referral_decision(referral)

    return await execute(
        ctx, actor, command, decide, ReferralChanged, idempotency_key=idempotency_key, repeatable=False
    )


async def make_external_referral(
    ctx: ApplicationContext, actor: Actor, command: MakeExternalReferral, *, idempotency_key: str | None = None
) -> ReferralChanged:
    """Refused (ExternalReferralRefusedError) without consent on that date, unless overridden in writing.

    Only the social worker who follows the person (their case) sends them to an outside body.
    """
    authorise(actor, Category.SOCIAL_LEGAL)

    async def decide(at: datetime) -> Decision[ReferralChanged]:
        case = None if command.case_id is None else await ctx.repository.get(Case, command.case_id)
        if case is not None and case.person_id != command.person_id:
            raise InvalidValueError("the case belongs to another person")
        consents = await consents_of(ctx, command.person_id)
        relation = relation_to(actor, case=case, consents=consents, on=at.date())
        authorise(actor, Category.SOCIAL_LEGAL, relation)
        await person_open_to(ctx, actor, command.person_id)
        referral = Referral.make_external(
            ctx.new_id(),
            command.person_id,
            command.organisation_kind,
            command.organisation_name,
            command.reason,
            consents,
            at,
            actor.staff_id,
            source=ReferralSource.SOCIAL_LEGAL,
            source_id=command.case_id,
            override_reason=command.override_reason,
        )
        return referral_decision(referral)

    return await execute(
        ctx, actor, command, decide, ReferralChanged, idempotency_key=idempotency_key, repeatable=False
    )


async def accept_referral(
    ctx: ApplicationContext, actor: Actor, command: AcceptReferral, *, idempotency_key: str | None = None
) -> ReferralChanged:
    """Accept an internal referral: the referral and the new case in ONE append.

    The case may be given to a colleague, who must be an active social worker.
    """
    authorise(actor, Category.SOCIAL_LEGAL, scope=Scope.INTAKE_ONLY)
    if command.social_worker_id != actor.staff_id:
        await assignable_social_worker(ctx, actor, command.social_worker_id)

    async def decide(at: datetime) -> Decision[ReferralChanged]:
        referral = await ctx.repository.get(Referral, command.referral_id)
        await ensure_addressee(ctx, actor, referral, at)
        await person_open_to(ctx, actor, referral.person_id)
        case = workflows.accept_into_case(
            referral, ctx.new_id(), command.domain, command.social_worker_id, command.summary, at, actor.staff_id
        )
        return referral_decision(referral, case)

    return await execute(
        ctx, actor, command, decide, ReferralChanged, idempotency_key=idempotency_key, repeatable=False
    )
