"""Learners' certificates: issue one, print it again, revoke it, and verify one by its id.

Issuing reads the learner's name and file number to print them, so it is an access event
(``certificate``), as is printing one again. The facts are signed as they are issued: the
register keeps only their digest. Verification is public and names no one: it answers
from the register (valid, revoked, issued on D and no longer held, or unknown).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import msgspec

from domain.base import Category
from domain.certificate import (
    Certificate,
    CertificateFacts,
    CertificateKind,
    DocumentLanguage,
    levels_at_end,
    levels_at_start,
)
from domain.cohort import Cohort
from domain.errors import InvalidValueError
from domain.person import Person
from domain.policy import Scope
from domain.training import AssessmentKind, AttendanceStatus, NotEnrolledError, RecordStatus, TrainingRecord
from projections.certificates import CertificateStatus, HeldCertificate, certificates_of, register_entry
from projections.directory import listings
from projections.roster import read_roster
from projections.training_history import read_training_history
from service.application.authorisation import authorise, person_open_to, relation_to
from service.application.context import Actor, ApplicationContext
from service.application.reading import ReadGrant, ReadPurpose, open_for_reading
from service.application.running import Decision, Outcome, execute, versions_of
from service.printing.signing import CertificateSigner, SignedCertificate
from service.storage.repository import AggregateNotFoundError

CERTIFICATE_VIEW = "certificate"
CERTIFICATES_VIEW = "certificates"
_ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


class CourseNotCompletedError(InvalidValueError):
    """A completion certificate is for a learner whose course is completed."""


class IssueCertificate(msgspec.Struct, frozen=True):
    person_id: UUID
    cohort_id: UUID
    kind: CertificateKind
    language: DocumentLanguage | None = None
    """None: the learner's preferred language when it is French or English, else French."""


class RevokeCertificate(msgspec.Struct, frozen=True):
    certificate_id: UUID
    reason: str


class IssuedCertificate(Outcome, frozen=True, kw_only=True):
    certificate_id: UUID
    person_id: UUID
    kind: CertificateKind
    language: DocumentLanguage
    issued_on: date
    digest: str


class CertificateChanged(Outcome, frozen=True, kw_only=True):
    certificate_id: UUID
    person_id: UUID


class CertificateToPrint(msgspec.Struct, frozen=True):
    signed: SignedCertificate
    revoked_on: date | None


class Verification(msgspec.Struct, frozen=True, kw_only=True):
    """What anyone may learn of a certificate from its id: never who holds it."""

    certificate_id: UUID
    status: CertificateStatus
    kind: CertificateKind | None = None
    issued_on: date | None = None
    revoked_on: date | None = None
    digest: str | None = None
    """SHA-256 of the signed facts, to compare with the one printed on the certificate."""


async def issue_certificate(
    ctx: ApplicationContext,
    actor: Actor,
    command: IssueCertificate,
    signer: CertificateSigner,
    centre: str,
    *,
    idempotency_key: str | None = None,
) -> IssuedCertificate:
    """Issue an attendance or a completion certificate to a learner of the cohort (whoever may write her training)."""
    authorise(actor, Category.TRAINING)
    await open_for_reading(
        ctx, actor, command.person_id, CERTIFICATE_VIEW, ReadPurpose.TRAINING, needs=Category.TRAINING
    )

    async def decide(at: datetime) -> Decision[IssuedCertificate]:
        cohort = await ctx.repository.get(Cohort, command.cohort_id)
        authorise(actor, Category.TRAINING, relation_to(actor, cohort=cohort))
        person = await person_open_to(ctx, actor, command.person_id)
        record = await _record_of(ctx, cohort, command.person_id)
        facts = _facts(command, person, cohort, record, centre, at.date())
        certificate_id = ctx.new_id()
        digest = signer.document(certificate_id, facts).digest
        certificate = Certificate.issue(certificate_id, command.person_id, cohort.id, facts, digest, at, actor.staff_id)
        issued = IssuedCertificate(
            versions=versions_of(certificate),
            certificate_id=certificate_id,
            person_id=command.person_id,
            kind=facts.kind,
            language=facts.language,
            issued_on=facts.issued_on,
            digest=digest,
        )
        return Decision((certificate,), issued)

    return await execute(
        ctx, actor, command, decide, IssuedCertificate, idempotency_key=idempotency_key, repeatable=False
    )


async def certificate_to_print(
    ctx: ApplicationContext, actor: Actor, certificate_id: UUID, signer: CertificateSigner
) -> CertificateToPrint:
    """The certificate as issued, signed again (Ed25519 is deterministic: the same signature); an access event."""
    certificate = await ctx.repository.get(Certificate, certificate_id)
    assert certificate.person_id is not None and certificate.facts is not None
    await open_for_reading(
        ctx, actor, certificate.person_id, CERTIFICATE_VIEW, ReadPurpose.TRAINING, needs=Category.TRAINING
    )
    signed = signer.sign(signer.document(certificate.id, certificate.facts))
    return CertificateToPrint(signed, certificate.revoked_on)


async def revoke_certificate(
    ctx: ApplicationContext, actor: Actor, command: RevokeCertificate, *, idempotency_key: str | None = None
) -> CertificateChanged:
    """Revoke a certificate issued by mistake, with the reason: the trainers of its cohort may."""
    authorise(actor, Category.TRAINING)

    async def decide(at: datetime) -> Decision[CertificateChanged]:
        certificate = await ctx.repository.get(Certificate, command.certificate_id)
        assert certificate.cohort_id is not None and certificate.person_id is not None
        cohort = await ctx.repository.get(Cohort, certificate.cohort_id)
        authorise(actor, Category.TRAINING, relation_to(actor, cohort=cohort))
        await person_open_to(ctx, actor, certificate.person_id)
        certificate.revoke(command.reason, at, actor.staff_id)
        changed = CertificateChanged(
            versions=versions_of(certificate), certificate_id=certificate.id, person_id=certificate.person_id
        )
        return Decision((certificate,), changed)

    return await execute(
        ctx, actor, command, decide, CertificateChanged, idempotency_key=idempotency_key, repeatable=False
    )


async def verification(ctx: ApplicationContext, certificate_id: UUID) -> Verification:
    """Public: the certificate's status from the register, with no personal data (and no access event)."""
    async with ctx.pool.acquire() as db:
        entry = await register_entry(db, certificate_id)
    if entry is None:
        return Verification(certificate_id=certificate_id, status=CertificateStatus.UNKNOWN)
    held = entry.status is not CertificateStatus.NO_LONGER_HELD
    return Verification(
        certificate_id=certificate_id,
        status=entry.status,
        kind=entry.kind,
        issued_on=entry.issued_on,
        revoked_on=entry.revoked_on if held else None,
        digest=entry.digest,
    )


async def certificates_held(ctx: ApplicationContext, actor: Actor, person_id: UUID) -> list[HeldCertificate]:
    """The learner's certificates (kinds, cohorts and days only); an access event like her training history."""
    await open_for_reading(ctx, actor, person_id, CERTIFICATES_VIEW, ReadPurpose.TRAINING, needs=Category.TRAINING)
    async with ctx.pool.acquire() as db:
        return await certificates_of(db, person_id)


async def _record_of(ctx: ApplicationContext, cohort: Cohort, person_id: UUID) -> TrainingRecord:
    async with ctx.pool.acquire() as db:
        roster = await read_roster(db, cohort.id, cohort.starts_on)
    record_id = next(
        (line.record_id for line in (roster.learners if roster else []) if line.person_id == person_id), None
    )
    if record_id is None:
        raise NotEnrolledError("the person has no training record in this cohort")
    return await ctx.repository.get(TrainingRecord, record_id)


def _facts(
    command: IssueCertificate, person: Person, cohort: Cohort, record: TrainingRecord, centre: str, today: date
) -> CertificateFacts:
    if record.person_id != command.person_id or record.cohort_id != cohort.id:
        raise AggregateNotFoundError("TrainingRecord", record.id)
    completion = command.kind is CertificateKind.COMPLETION
    if completion and record.status is not RecordStatus.COMPLETED:
        raise CourseNotCompletedError("the course is not completed yet", field="kind")
    assert person.details is not None
    attended = [a for a in record.attendance.values() if a.status in _ATTENDED]
    return CertificateFacts(
        kind=command.kind,
        language=command.language or _language_of(person),
        issued_on=today,
        centre=centre,
        given_name=person.details.given_name,
        family_name=person.details.family_name,
        file_number=person.file_number,
        course=cohort.name,
        site=cohort.site,
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        hours_attended=record.hours_attended,
        hours_planned=Decimal(cohort.hours_per_day * len(cohort.session_days)),
        sessions_attended=len(attended),
        sessions_planned=len(cohort.session_days),
        levels_at_start=levels_at_start(record.levels(AssessmentKind.INITIAL)) if completion else None,
        levels_at_end=levels_at_end(record.levels(AssessmentKind.FINAL)) if completion else None,
    )


def _language_of(person: Person) -> DocumentLanguage:
    preferred = (person.details.preferred_language if person.details else None) or ""
    return DocumentLanguage(preferred) if preferred in {"fr", "en"} else DocumentLanguage.FR


class CohortOfLearner(msgspec.Struct, frozen=True):
    cohort_id: UUID
    name: str
    starts_on: date
    ends_on: date
    status: RecordStatus


class CertificateLine(msgspec.Struct, frozen=True, kw_only=True):
    certificate_id: UUID
    kind: CertificateKind
    cohort_name: str
    issued_at: datetime
    revoked_on: date | None


class LearnerCertificates(msgspec.Struct, frozen=True, kw_only=True):
    """A learner's certificates page: who (name, file number), her cohorts, her certificates."""

    person_id: UUID
    given_name: str
    family_name: str
    file_number: str
    preferred_language: str | None
    cohorts: list[CohortOfLearner]
    certificates: list[CertificateLine]


async def learner_certificates(ctx: ApplicationContext, actor: Actor, person_id: UUID) -> LearnerCertificates:
    """The learner, her cohorts and her certificates; one access event (``certificates``)."""
    grant = await open_for_reading(
        ctx, actor, person_id, CERTIFICATES_VIEW, ReadPurpose.TRAINING, needs=Category.TRAINING
    )
    async with ctx.pool.acquire() as db:
        held = await certificates_of(db, person_id)
        history = await read_training_history(db, person_id, include_digital_help=False)
        found = await listings(db, ctx.sealer, [person_id], limit=1)
    named = found[0] if found and _reads_identity(grant) else None
    cohorts = [
        CohortOfLearner(c.cohort_id, c.cohort_name, c.starts_on, c.ends_on, RecordStatus(c.status))
        for c in history.cohorts
    ]
    names = {c.cohort_id: c.name for c in cohorts}
    return LearnerCertificates(
        person_id=person_id,
        given_name=named.details.given_name if named else "",
        family_name=named.details.family_name if named else "",
        file_number=named.file_number if named else "",
        preferred_language=named.details.preferred_language if named else None,
        cohorts=cohorts,
        certificates=[
            CertificateLine(
                certificate_id=c.certificate_id,
                kind=c.kind,
                cohort_name=names.get(c.cohort_id, ""),
                issued_at=c.issued_at,
                revoked_on=c.revoked_on,
            )
            for c in held
        ],
    )


def _reads_identity(grant: ReadGrant) -> bool:
    return grant.may_read(Category.IDENTITY) or grant.may_read(Category.IDENTITY, Scope.COURSE_DETAILS)
