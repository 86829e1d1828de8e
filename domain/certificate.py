"""A learner's certificate: an attendance certificate, or a completion certificate with DigComp levels.

The facts printed on the certificate (the learner's name, the course, the hours, the levels)
are kept in ``Issued``, sealed under the learner's key like every other training event, so an
erasure takes them with the person. ``Registered`` beside it holds no personal data (the kind,
the day of issue and the digest of the signed facts): it outlives an erasure, so that the
certificate can still be answered for ("issued on D, no longer held") without naming anyone.
A certificate issued by mistake is revoked, with a reason; it then no longer verifies as valid.
"""

import enum
from collections.abc import Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

import msgspec

from domain import digcomp
from domain.base import Category, SuiviAggregate, aware, required_text
from domain.errors import DomainError


class CertificateKind(enum.StrEnum):
    ATTENDANCE = "attendance"
    """Attestation de fréquentation: the hours attended over the cohort's period."""
    COMPLETION = "completion"
    """At the end of the course: the hours, and the DigComp levels at the start and at the end, by area."""


class DocumentLanguage(enum.StrEnum):
    FR = "fr"
    EN = "en"


class AreaLevels(msgspec.Struct, frozen=True, kw_only=True):
    """A DigComp level (1 to 8) per area: the mean of the area's competences assessed, rounded."""

    information: int | None = None
    communication: int | None = None
    content_creation: int | None = None
    safety: int | None = None
    problem_solving: int | None = None

    def of(self, area_code: str) -> int | None:
        level: int | None = getattr(self, _AREA_FIELDS[area_code])
        return level


class LevelsAtStart(AreaLevels, frozen=True, kw_only=True):
    """The levels of the initial assessment."""


class LevelsAtEnd(AreaLevels, frozen=True, kw_only=True):
    """The levels of the final assessment."""


_AREA_FIELDS = {
    "1": "information",
    "2": "communication",
    "3": "content_creation",
    "4": "safety",
    "5": "problem_solving",
}
assert set(_AREA_FIELDS) == {area.code for area in digcomp.AREAS}


def area_levels(levels: Mapping[str, int]) -> dict[str, int]:
    """Per area, the mean level of its competences assessed (``{"1.1": 3, ...}``), rounded half up."""
    by_area: dict[str, list[int]] = {}
    for code, level in levels.items():
        by_area.setdefault(digcomp.competence(code).area_code, []).append(level)
    return {
        area: int((Decimal(sum(found)) / len(found)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        for area, found in by_area.items()
    }


def levels_at_start(levels: Mapping[str, int]) -> LevelsAtStart:
    return LevelsAtStart(**{_AREA_FIELDS[a]: level for a, level in area_levels(levels).items()})


def levels_at_end(levels: Mapping[str, int]) -> LevelsAtEnd:
    return LevelsAtEnd(**{_AREA_FIELDS[a]: level for a, level in area_levels(levels).items()})


class CertificateFacts(msgspec.Struct, frozen=True, kw_only=True):
    """What the certificate states, as printed and signed. Personal: sealed with the learner's key."""

    kind: CertificateKind
    language: DocumentLanguage
    issued_on: date
    centre: str
    given_name: str
    family_name: str
    file_number: str
    course: str
    site: str
    starts_on: date
    ends_on: date
    hours_attended: Decimal
    hours_planned: Decimal
    sessions_attended: int
    sessions_planned: int
    levels_at_start: LevelsAtStart | None = None
    levels_at_end: LevelsAtEnd | None = None


class CertificateRevokedError(DomainError):
    """The certificate was revoked already."""


class Certificate(SuiviAggregate):
    CATEGORY = Category.TRAINING

    def __init__(self) -> None:
        self.person_id: UUID | None = None
        self.cohort_id: UUID | None = None
        self.facts: CertificateFacts | None = None
        self.digest = ""
        self.revoked_on: date | None = None
        self.revocation_reason: str | None = None

    class Issued(SuiviAggregate.Created):
        person_id: UUID
        cohort_id: UUID
        facts: CertificateFacts
        issued_by: UUID

        def apply(self, certificate: "Certificate") -> None:
            certificate.person_id = self.person_id
            certificate.cohort_id = self.cohort_id
            certificate.facts = self.facts

    class Registered(SuiviAggregate.Event):
        """The certificate's entry in the public register: no personal data, so it outlives an erasure."""

        PERSONAL = False
        kind: CertificateKind
        issued_on: date
        digest: str
        """SHA-256 (hex) of the signed facts, so that a holder can compare their copy."""

        def apply(self, certificate: "Certificate") -> None:
            certificate.digest = self.digest

    class Revoked(SuiviAggregate.Event):
        reason: str
        revoked_by: UUID

        def apply(self, certificate: "Certificate") -> None:
            certificate.revoked_on = self.timestamp.date()
            certificate.revocation_reason = self.reason

    @classmethod
    def issue(
        cls,
        certificate_id: UUID,
        person_id: UUID,
        cohort_id: UUID,
        facts: CertificateFacts,
        digest: str,
        at: datetime,
        by: UUID,
    ) -> "Certificate":
        """Issue the certificate; ``digest`` is that of the facts as signed (see ``service.printing.signing``)."""
        certificate = cls._create(
            cls.Issued,
            id=certificate_id,
            timestamp=aware(at),
            person_id=person_id,
            cohort_id=cohort_id,
            facts=facts,
            issued_by=by,
        )
        certificate.trigger_event(
            cls.Registered, timestamp=at, kind=facts.kind, issued_on=facts.issued_on, digest=digest
        )
        return certificate

    def subject_id(self) -> UUID | None:
        return self.person_id

    @property
    def is_revoked(self) -> bool:
        return self.revoked_on is not None

    def revoke(self, reason: str, at: datetime, by: UUID) -> None:
        if self.is_revoked:
            raise CertificateRevokedError(f"certificate {self.id} is revoked already")
        self.trigger_event(
            self.Revoked,
            timestamp=aware(at),
            reason=required_text(reason, "reason for revocation"),
            revoked_by=by,
        )
