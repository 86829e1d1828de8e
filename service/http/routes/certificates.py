"""Learners' certificates: issue one, list a learner's, download the PDF, revoke one, verify one (public).

``POST /people/{id}/certificates`` answers 201 with JSON: the certificate's id, what it is, the
digest of its signed facts and two links, ``pdf`` (``GET /certificates/{id}``, the signed PDF)
and ``verification`` (public). A client keeps the id and fetches the PDF when it prints: one
certificate, however many times it is printed.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec
from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.certificate import CertificateKind, DocumentLanguage
from domain.policy import Role
from service.application import certificates as application
from service.application.certificates import IssueCertificate, RevokeCertificate, Verification
from service.application.context import Actor, ApplicationContext
from service.http.deps import Command, Services
from service.http.guards import requires
from service.http.openapi import area
from service.http.printed import PDF, answered_as, download
from service.http.wire import Request as Body
from service.http.wire import ShortText
from service.printing.certificate import certificate_pdf

_WRITERS = [requires(Role.TRAINER)]
"""Only trainers issue and revoke; whose, the access policy decides (the trainers of the cohort)."""
_READERS = [requires(Role.TRAINER, Role.OFFICE_HOURS_HELPER, Role.SOCIAL_WORKER)]
"""Who may ever read a learner's training; whose, the access policy decides per person (and consent)."""


class CertificateRequest(Body, frozen=True):
    kind: CertificateKind
    """``attendance`` (the hours attended) or ``completion`` (a completed course, with the DigComp levels)."""
    cohort_id: UUID
    language: DocumentLanguage | None = None
    """The certificate's language; by default the learner's preferred language if French or English, else French."""


class Revocation(Body, frozen=True):
    reason: ShortText
    """Why the certificate was issued by mistake (kept with the learner's training, sealed like it)."""


class CertificateLinks(msgspec.Struct, frozen=True):
    pdf: str
    verification: str


class IssuedAnswer(msgspec.Struct, frozen=True, kw_only=True):
    certificate_id: UUID
    kind: CertificateKind
    language: DocumentLanguage
    issued_on: date
    digest: str
    """SHA-256 of the signed facts, as printed on the certificate and kept in the public register."""
    versions: dict[str, int]
    links: CertificateLinks


class HeldAnswer(msgspec.Struct, frozen=True, kw_only=True):
    certificate_id: UUID
    cohort_id: UUID
    kind: CertificateKind
    issued_at: datetime
    revoked_on: date | None
    links: CertificateLinks


def _links(certificate_id: UUID) -> CertificateLinks:
    return CertificateLinks(f"/certificates/{certificate_id}", f"/certificates/{certificate_id}/verification")


def verification_address(services: Services, certificate_id: UUID) -> str:
    """The public page a certificate's QR code leads to."""
    return f"{services.settings.public_url.rstrip('/')}/verification/{certificate_id}"


@post("/", guards=_WRITERS)
async def issue(
    person_id: FromPath[UUID],
    data: JSONBody[CertificateRequest],
    command: NamedDependency[Command],
    services: NamedDependency[Services],
) -> Response[IssuedAnswer]:
    """Issue a certificate to a learner of the cohort: 201, its id and the link to its PDF.

    A completion certificate needs the course completed (422 naming ``kind`` otherwise); the
    person must hold a training record in ``cohort_id``. Only the trainers of the cohort issue one.
    """
    asked = IssueCertificate(person_id, data.cohort_id, data.kind, data.language)
    issued = await application.issue_certificate(
        command.ctx,
        command.actor,
        asked,
        services.gdpr_tools.signer.certificates,
        services.settings.controller_name,
        idempotency_key=command.idempotency_key,
    )
    answer = IssuedAnswer(
        certificate_id=issued.certificate_id,
        kind=issued.kind,
        language=issued.language,
        issued_on=issued.issued_on,
        digest=issued.digest,
        versions={str(k): v for k, v in issued.versions.items()},
        links=_links(issued.certificate_id),
    )
    return Response(answer, status_code=201, headers={"Location": answer.links.pdf})


@get("/", guards=_READERS)
async def held(
    person_id: FromPath[UUID], ctx: NamedDependency[ApplicationContext], actor: NamedDependency[Actor]
) -> list[HeldAnswer]:
    """The learner's certificates, newest first (kinds, cohorts and days: the facts are in each PDF)."""
    found = await application.certificates_held(ctx, actor, person_id)
    return [
        HeldAnswer(
            certificate_id=c.certificate_id,
            cohort_id=c.cohort_id,
            kind=c.kind,
            issued_at=c.issued_at,
            revoked_on=c.revoked_on,
            links=_links(c.certificate_id),
        )
        for c in found
    ]


@get(
    "/",
    guards=_READERS,
    operation_class=answered_as(PDF, description="The signed certificate (PDF), its facts embedded."),
)
async def certificate_document(
    certificate_id: FromPath[UUID],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    services: NamedDependency[Services],
) -> Response[bytes]:
    """The certificate as issued, to print or send: a revoked one says so across its top."""
    found = await application.certificate_to_print(ctx, actor, certificate_id, services.gdpr_tools.signer.certificates)
    pdf = certificate_pdf(found.signed, verification_address(services, certificate_id), found.revoked_on)
    return download(pdf, PDF, f"attestation-{certificate_id}.pdf")


@post("/revocation", status_code=200, guards=_WRITERS)
async def revoke(
    certificate_id: FromPath[UUID], data: JSONBody[Revocation], command: NamedDependency[Command]
) -> application.CertificateChanged:
    """Revoke a certificate issued by mistake, with the reason: it no longer verifies as valid."""
    asked = RevokeCertificate(certificate_id, data.reason)
    return await application.revoke_certificate(
        command.ctx, command.actor, asked, idempotency_key=command.idempotency_key
    )


@get("/")
async def verify(certificate_id: FromPath[UUID], services: NamedDependency[Services]) -> Verification:
    """Public, no sign-in: whether a certificate id is genuine and valid, revoked, no longer held, or unknown.

    Never personal data: only the kind, the day of issue (and of revocation) and the digest of the
    signed facts, to compare with the one printed on the certificate. ``no_longer_held``: the
    certificate was issued, then its holder's data were erased.
    """
    return await application.verification(services.context(), certificate_id)  # ``ctx`` is a signed-in caller's


ROUTES = [
    Router(
        "/people/{person_id:uuid}/certificates",
        route_handlers=[issue, held],
        tags=["certificates"],
        opt=area(people=True, restricted=True),
    ),
    Router(
        "/certificates/{certificate_id:uuid}",
        route_handlers=[certificate_document, revoke],
        tags=["certificates"],
        opt=area(people=True, restricted=True),
    ),
    # Public: anyone holding a certificate (an employer, Forem) checks it. Answers name no one.
    Router("/certificates/{certificate_id:uuid}/verification", route_handlers=[verify], tags=["certificates"]),
]
