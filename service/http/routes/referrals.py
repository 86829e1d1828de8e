"""Referrals (orientations): internal to the social-legal service, or external to an outside body.

An external referral needs the person's consent to refer to that body on that date, or a
written ``override_reason`` (in the body, stored on the referral). Accepting an internal
referral opens a case in the same append and answers its ``case_id``.
"""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.case import CaseDomain
from domain.consent import Purpose
from domain.organisations import OrganisationKind
from domain.referral import ReferralSource
from service.application.context import ApplicationContext
from service.application.referral_answers import (
    CompleteReferral,
    DeclineReferral,
    RecordExternalAcceptance,
    WithdrawReferral,
    complete_referral,
    decline_referral,
    record_external_acceptance,
    withdraw_referral,
)
from service.application.referrals import (
    AcceptReferral,
    MakeExternalReferral,
    MakeInternalReferral,
    ReferralChanged,
    accept_referral,
    make_external_referral,
    make_internal_referral,
)
from service.http.deps import Services
from service.http.headers import IdempotencyKey, IfMatch, expecting, idempotency_key
from service.http.routes.cases import assignable_social_worker
from service.http.security import Principal
from service.http.wire import LongText, Name, Request, ShortText


class InternalReferral(Request, frozen=True):
    person_id: UUID
    source: ReferralSource
    reason: LongText
    source_id: UUID | None = None
    """The visit, cohort or case it comes from."""


class ExternalReferral(Request, frozen=True):
    person_id: UUID
    organisation_kind: OrganisationKind
    organisation_name: Name
    reason: LongText
    case_id: UUID | None = None
    override_reason: ShortText | None = None
    """Written reason to refer without the person's consent; stored on the referral."""


class Acceptance(Request, frozen=True):
    """Internal referral: ``domain`` and ``summary`` open the case. External: an empty body."""

    domain: CaseDomain | None = None
    summary: LongText | None = None
    social_worker_id: UUID | None = None
    """Who takes the new case; defaults to the signed-in social worker."""


class Decline(Request, frozen=True):
    reason: ShortText


class Completion(Request, frozen=True):
    outcome: ShortText | None = None


class Withdrawal(Request, frozen=True):
    reason: ShortText


class ConsentUsed(msgspec.Struct, frozen=True):
    consent_record_id: UUID
    given_version: int
    purpose: Purpose


class ReferralResult(msgspec.Struct, frozen=True):
    """The command result: versions, ids (referral_id, case_id) and the consent relied on."""

    versions: dict[str, int]
    ids: dict[str, str | None]
    consent: ConsentUsed | None


def _answer(outcome: ReferralChanged, status: int = 200) -> Response[ReferralResult]:
    versions = {str(k): v for k, v in outcome.versions.items()}
    basis = outcome.consent
    consent = None if basis is None else ConsentUsed(basis.consent_record_id, basis.given_version, basis.purpose)
    case_id = None if outcome.case_id is None else str(outcome.case_id)
    body = ReferralResult(versions, {"referral_id": str(outcome.referral_id), "case_id": case_id}, consent)
    version = versions.get(str(outcome.referral_id))
    return Response(body, status_code=status, headers={} if version is None else {"ETag": f'"{version}"'})


@post("/referrals/internal", tags=["referrals"])
async def refer_internally(
    data: JSONBody[InternalReferral],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
) -> Response[ReferralResult]:
    command = MakeInternalReferral(data.person_id, data.source, data.reason, data.source_id)
    return _answer(
        await make_internal_referral(ctx, principal.actor, command, idempotency_key=idempotency_key(key)), 201
    )


@post("/referrals/external", tags=["referrals"])
async def refer_externally(
    data: JSONBody[ExternalReferral],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
) -> Response[ReferralResult]:
    """Refused (422 rule-broken) without the person's consent on that date, unless overridden in writing."""
    command = MakeExternalReferral(
        data.person_id,
        data.organisation_kind,
        data.organisation_name,
        data.reason,
        data.case_id,
        data.override_reason,
    )
    return _answer(
        await make_external_referral(ctx, principal.actor, command, idempotency_key=idempotency_key(key)), 201
    )


@post("/referrals/{referral_id:uuid}/acceptance", status_code=200, tags=["referrals"])
async def accept(
    referral_id: FromPath[UUID],
    data: JSONBody[Acceptance],
    ctx: NamedDependency[ApplicationContext],
    services: NamedDependency[Services],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response[ReferralResult]:
    actor, ctx = principal.actor, expecting(ctx, referral_id, if_match)
    if data.domain is None:  # an outside body took the person on
        outcome = await record_external_acceptance(
            ctx, actor, RecordExternalAcceptance(referral_id), idempotency_key=idempotency_key(key)
        )
        return _answer(outcome)
    worker = actor.staff_id if data.social_worker_id is None else data.social_worker_id
    if worker != actor.staff_id:
        await assignable_social_worker(services, actor, worker)
    command = AcceptReferral(referral_id, data.domain, worker, data.summary or "")
    return _answer(await accept_referral(ctx, actor, command, idempotency_key=idempotency_key(key)))


@post("/referrals/{referral_id:uuid}/decline", status_code=200, tags=["referrals"])
async def decline(
    referral_id: FromPath[UUID],
    data: JSONBody[Decline],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response[ReferralResult]:
    ctx = expecting(ctx, referral_id, if_match)
    command = DeclineReferral(referral_id, data.reason)
    return _answer(await decline_referral(ctx, principal.actor, command, idempotency_key=idempotency_key(key)))


@post("/referrals/{referral_id:uuid}/completion", status_code=200, tags=["referrals"])
async def complete(
    referral_id: FromPath[UUID],
    data: JSONBody[Completion],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response[ReferralResult]:
    ctx = expecting(ctx, referral_id, if_match)
    command = CompleteReferral(referral_id, data.outcome or "")
    return _answer(await complete_referral(ctx, principal.actor, command, idempotency_key=idempotency_key(key)))


@post("/referrals/{referral_id:uuid}/withdrawal", status_code=200, tags=["referrals"])
async def withdraw(
    referral_id: FromPath[UUID],
    data: JSONBody[Withdrawal],
    ctx: NamedDependency[ApplicationContext],
    principal: NamedDependency[Principal],
    key: IdempotencyKey = None,
    if_match: IfMatch = None,
) -> Response[ReferralResult]:
    ctx = expecting(ctx, referral_id, if_match)
    command = WithdrawReferral(referral_id, data.reason)
    return _answer(await withdraw_referral(ctx, principal.actor, command, idempotency_key=idempotency_key(key)))


ROUTES = [refer_internally, refer_externally, accept, decline, complete, withdraw]
