"""Value objects of a social-legal case, kept apart so ``case.py`` stays readable."""

import enum
from datetime import date, datetime
from uuid import UUID

import msgspec


class CaseDomain(enum.StrEnum):
    HOUSING = "housing"
    RESIDENCE_IMMIGRATION = "residence_immigration"
    WORK = "work"
    SOCIAL_BENEFITS = "social_benefits"
    HEALTH = "health"
    FAMILY = "family"
    DEBT = "debt"
    EDUCATION = "education"
    OTHER = "other"


class CaseOutcome(enum.StrEnum):
    RESOLVED = "resolved"
    PARTLY_RESOLVED = "partly_resolved"
    REFERRED_ELSEWHERE = "referred_elsewhere"
    NO_LONGER_NEEDED = "no_longer_needed"
    CONTACT_LOST = "contact_lost"
    OTHER = "other"


class DocumentKind(enum.StrEnum):
    IDENTITY_DOCUMENT = "identity_document"
    RESIDENCE_PERMIT = "residence_permit"
    DECISION_LETTER = "decision_letter"
    CONTRACT = "contract"
    PAYSLIP = "payslip"
    BILL = "bill"
    MEDICAL_CERTIFICATE = "medical_certificate"
    CORRESPONDENCE = "correspondence"
    OTHER = "other"


class Note(msgspec.Struct, frozen=True):
    note_id: UUID
    text: str
    author_id: UUID
    written_at: datetime


class FollowUp(msgspec.Struct, frozen=True):
    follow_up_id: UUID
    due_on: date
    description: str
    set_by: UUID
    done_on: date | None = None

    def is_overdue(self, on: date) -> bool:
        return self.done_on is None and self.due_on < on


class DocumentReference(msgspec.Struct, frozen=True):
    """Where a paper or file is kept, never the file itself."""

    document_id: UUID
    kind: DocumentKind
    reference: str
