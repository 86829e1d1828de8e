"""Referrals (orientations): internal to the social-legal service, or external to an outside body.

An external referral needs the person's consent to refer to that body on that date, or a
written ``override_reason`` (in the body, stored on the referral). Accepting an internal
referral opens a case in the same append and answers its ``case_id``.
"""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Response, Router, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.case import CaseDomain
from domain.consent import Purpose
from domain.organisations import OrganisationKind
from domain.policy import Role
from domain.referral import ReferralSource
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
from service.http.deps import Command
from service.http.guards import requires
from service.http.headers import IfMatch
from service.http.openapi import area
from service.http.wire import LongText, Name, Request, ShortText


class InternalReferral(Request, frozen=True):
    person_id: UUID
    source: ReferralSource
    reason: LongText
    source_id: UUID | None = None
    """The visit, cohort or case it comes from."""
    to_social_worker_id: UUID | None = None
    """The social worker it is addressed to (an active one); the whole social-legal service when absent."""


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


@post("/internal")
async def refer_internally(
    data: JSONBody[InternalReferral], command: NamedDependency[Command]
) -> Response[ReferralResult]:
    referral = MakeInternalReferral(data.person_id, data.source, data.reason, data.source_id, data.to_social_worker_id)
    outcome = await make_internal_referral(
        command.ctx, command.actor, referral, idempotency_key=command.idempotency_key
    )
    return _answer(outcome, 201)


@post("/external")
async def refer_externally(
    data: JSONBody[ExternalReferral], command: NamedDependency[Command]
) -> Response[ReferralResult]:
    """Refused (422 rule-broken) without the person's consent on that date, unless overridden in writing."""
    referral = MakeExternalReferral(
        data.person_id,
        data.organisation_kind,
        data.organisation_name,
        data.reason,
        data.case_id,
        data.override_reason,
    )
    outcome = await make_external_referral(
        command.ctx, command.actor, referral, idempotency_key=command.idempotency_key
    )
    return _answer(outcome, 201)


@post("/{referral_id:uuid}/acceptance", status_code=200)
async def accept(
    referral_id: FromPath[UUID], data: JSONBody[Acceptance], command: NamedDependency[Command], if_match: IfMatch = None
) -> Response[ReferralResult]:
    """Without a ``domain``, an outside body took the person on; with one, the internal referral opens a case.

    The new case is followed by ``social_worker_id`` (the signed-in social worker by default), who must be an
    active social worker: otherwise 422, naming it.
    """
    ctx, actor, key = command.on(referral_id, if_match), command.actor, command.idempotency_key
    if data.domain is None:
        return _answer(
            await record_external_acceptance(ctx, actor, RecordExternalAcceptance(referral_id), idempotency_key=key)
        )
    worker = actor.staff_id if data.social_worker_id is None else data.social_worker_id
    acceptance = AcceptReferral(referral_id, data.domain, worker, data.summary or "")
    return _answer(await accept_referral(ctx, actor, acceptance, idempotency_key=key))


@post("/{referral_id:uuid}/decline", status_code=200)
async def decline(
    referral_id: FromPath[UUID], data: JSONBody[Decline], command: NamedDependency[Command], if_match: IfMatch = None
) -> Response[ReferralResult]:
    declining = DeclineReferral(referral_id, data.reason)
    ctx = command.on(referral_id, if_match)
    return _answer(await decline_referral(ctx, command.actor, declining, idempotency_key=command.idempotency_key))


@post("/{referral_id:uuid}/completion", status_code=200)
async def complete(
    referral_id: FromPath[UUID], data: JSONBody[Completion], command: NamedDependency[Command], if_match: IfMatch = None
) -> Response[ReferralResult]:
    completion = CompleteReferral(referral_id, data.outcome or "")
    ctx = command.on(referral_id, if_match)
    return _answer(await complete_referral(ctx, command.actor, completion, idempotency_key=command.idempotency_key))


@post("/{referral_id:uuid}/withdrawal", status_code=200)
async def withdraw(
    referral_id: FromPath[UUID], data: JSONBody[Withdrawal], command: NamedDependency[Command], if_match: IfMatch = None
) -> Response[ReferralResult]:
    withdrawal = WithdrawReferral(referral_id, data.reason)
    ctx = command.on(referral_id, if_match)
    return _answer(await withdraw_referral(ctx, command.actor, withdrawal, idempotency_key=command.idempotency_key))


# Social workers and office-hours helpers refer (trainers ask one of them). Only a referral's
# addressee accepts or declines it (403 otherwise); the case it belongs to decides the rest.
ROUTES = [
    Router(
        "/referrals",
        route_handlers=[refer_internally, refer_externally, accept, decline, complete, withdraw],
        guards=[requires(Role.SOCIAL_WORKER, Role.OFFICE_HOURS_HELPER)],
        tags=["referrals"],
        opt=area(people=True, restricted=True),
    )
]
