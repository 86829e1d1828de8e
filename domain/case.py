"""A social-legal case (dossier de suivi social et juridique).

Closed cases are history: nothing is added to them until they are reopened,
so a closed file reads the same tomorrow as on the day it was closed.
Notes and follow-ups carry ids chosen by the caller, so repeating a command
after a concurrency conflict never records the same note twice.
"""

from datetime import date, datetime
from uuid import UUID

import msgspec

from domain.base import Category, SuiviAggregate, aware, required_text
from domain.case_values import CaseDomain, CaseOutcome, DocumentKind, DocumentReference, FollowUp, Note
from domain.errors import DomainError
from domain.rights import add_months

__all__ = [
    "Case",
    "CaseClosedError",
    "CaseDomain",
    "CaseNotClosedError",
    "CaseOutcome",
    "DocumentKind",
    "DocumentReference",
    "FollowUp",
    "Note",
    "UnknownFollowUpError",
]


class CaseClosedError(DomainError):
    """The case is closed: reopen it first."""


class CaseNotClosedError(DomainError):
    """Only a closed case can be reopened."""


class UnknownFollowUpError(DomainError):
    """The case has no such follow-up."""


class Case(SuiviAggregate):
    CATEGORY = Category.SOCIAL_LEGAL

    def __init__(self) -> None:
        self.person_id: UUID | None = None
        self.domain = CaseDomain.OTHER
        self.social_worker_id: UUID | None = None
        self.summary = ""
        self.referral_id: UUID | None = None
        self.notes: tuple[Note, ...] = ()
        self.follow_ups: dict[UUID, FollowUp] = {}
        self.documents: tuple[DocumentReference, ...] = ()
        self.closed = False
        self.closed_on: date | None = None
        self.outcome: CaseOutcome | None = None

    class Opened(SuiviAggregate.Created):
        person_id: UUID
        domain: CaseDomain
        social_worker_id: UUID
        summary: str
        referral_id: UUID | None
        opened_by: UUID

        def apply(self, case: "Case") -> None:
            case.person_id = self.person_id
            case.domain = self.domain
            case.social_worker_id = self.social_worker_id
            case.summary = self.summary
            case.referral_id = self.referral_id

    class NoteAdded(SuiviAggregate.Event):
        note_id: UUID
        text: str
        author_id: UUID

        def apply(self, case: "Case") -> None:
            note = Note(self.note_id, self.text, self.author_id, self.timestamp)
            case.notes += (note,)

    class FollowUpSet(SuiviAggregate.Event):
        follow_up_id: UUID
        due_on: date
        description: str
        set_by: UUID

        def apply(self, case: "Case") -> None:
            case.follow_ups[self.follow_up_id] = FollowUp(self.follow_up_id, self.due_on, self.description, self.set_by)

    class FollowUpDone(SuiviAggregate.Event):
        follow_up_id: UUID
        done_on: date
        result: str
        done_by: UUID

        def apply(self, case: "Case") -> None:
            follow_up = case.follow_ups[self.follow_up_id]
            case.follow_ups[self.follow_up_id] = msgspec.structs.replace(follow_up, done_on=self.done_on)

    class DocumentReferenced(SuiviAggregate.Event):
        document: DocumentReference
        referenced_by: UUID

        def apply(self, case: "Case") -> None:
            case.documents += (self.document,)

    class Reassigned(SuiviAggregate.Event):
        social_worker_id: UUID
        reason: str
        reassigned_by: UUID

        def apply(self, case: "Case") -> None:
            case.social_worker_id = self.social_worker_id

    class Closed(SuiviAggregate.Event):
        outcome: CaseOutcome
        outcome_note: str
        closed_by: UUID

        def apply(self, case: "Case") -> None:
            case.closed = True
            case.closed_on = self.timestamp.date()
            case.outcome = self.outcome

    class Reopened(SuiviAggregate.Event):
        reason: str
        reopened_by: UUID

        def apply(self, case: "Case") -> None:
            case.closed = False
            case.closed_on = None
            case.outcome = None

    @classmethod
    def open(
        cls,
        case_id: UUID,
        person_id: UUID,
        domain: CaseDomain,
        social_worker_id: UUID,
        summary: str,
        at: datetime,
        by: UUID,
        *,
        referral_id: UUID | None = None,
    ) -> "Case":
        return cls._create(
            cls.Opened,
            id=case_id,
            timestamp=aware(at),
            person_id=person_id,
            domain=CaseDomain(domain),
            social_worker_id=social_worker_id,
            summary=required_text(summary, "case summary"),
            referral_id=referral_id,
            opened_by=by,
        )

    def subject_id(self) -> UUID | None:
        return self.person_id

    def add_note(self, note_id: UUID, text: str, at: datetime, by: UUID) -> None:
        self._ensure_open()
        if any(n.note_id == note_id for n in self.notes):
            return
        self.trigger_event(
            self.NoteAdded,
            timestamp=aware(at),
            note_id=note_id,
            text=required_text(text, "note"),
            author_id=by,
        )

    def set_follow_up(
        self,
        follow_up_id: UUID,
        due_on: date,
        description: str,
        at: datetime,
        by: UUID,
    ) -> None:
        self._ensure_open()
        if follow_up_id in self.follow_ups:
            return
        self.trigger_event(
            self.FollowUpSet,
            timestamp=aware(at),
            follow_up_id=follow_up_id,
            due_on=due_on,
            description=required_text(description, "follow-up description"),
            set_by=by,
        )

    def mark_follow_up_done(self, follow_up_id: UUID, result: str, at: datetime, by: UUID) -> None:
        self._ensure_open()
        follow_up = self.follow_ups.get(follow_up_id)
        if follow_up is None:
            raise UnknownFollowUpError(f"case {self.id} has no follow-up {follow_up_id}")
        if follow_up.done_on is not None:
            return
        self.trigger_event(
            self.FollowUpDone,
            timestamp=aware(at),
            follow_up_id=follow_up_id,
            done_on=at.date(),
            result=result.strip(),
            done_by=by,
        )

    def reference_document(
        self,
        document_id: UUID,
        kind: DocumentKind,
        reference: str,
        at: datetime,
        by: UUID,
    ) -> None:
        self._ensure_open()
        document = DocumentReference(document_id, DocumentKind(kind), required_text(reference, "reference"))
        self.trigger_event(
            self.DocumentReferenced,
            timestamp=aware(at),
            document=document,
            referenced_by=by,
        )

    def reassign(self, social_worker_id: UUID, reason: str, at: datetime, by: UUID) -> None:
        self._ensure_open()
        if social_worker_id == self.social_worker_id:
            return
        self.trigger_event(
            self.Reassigned,
            timestamp=aware(at),
            social_worker_id=social_worker_id,
            reason=required_text(reason, "reason for reassignment"),
            reassigned_by=by,
        )

    def close(self, outcome: CaseOutcome, outcome_note: str, at: datetime, by: UUID) -> None:
        self._ensure_open()
        self.trigger_event(
            self.Closed,
            timestamp=aware(at),
            outcome=CaseOutcome(outcome),
            outcome_note=outcome_note.strip(),
            closed_by=by,
        )

    def reopen(self, reason: str, at: datetime, by: UUID) -> None:
        if not self.closed:
            raise CaseNotClosedError(f"case {self.id} is open")
        self.trigger_event(
            self.Reopened,
            timestamp=aware(at),
            reason=required_text(reason, "reason for reopening"),
            reopened_by=by,
        )

    def followed_by(self, staff_id: UUID, on: date | None, kept_years: int) -> bool:
        """Whether the case is ``staff_id``'s: open and assigned to her, or closed while hers
        less than ``kept_years`` before ``on`` (the social-legal retention period), so that she
        reads it and reopens it without breaking the glass. Without ``on``, only an open case is."""
        if self.social_worker_id != staff_id:
            return False
        if not self.closed:
            return True
        if on is None or self.closed_on is None:
            return False
        return on <= add_months(self.closed_on, 12 * kept_years)

    def overdue_follow_ups(self, on: date) -> tuple[FollowUp, ...]:
        """Follow-ups still open after their due date, soonest due first."""
        overdue = (f for f in self.follow_ups.values() if f.is_overdue(on))
        return tuple(sorted(overdue, key=lambda f: f.due_on))

    def _ensure_open(self) -> None:
        if self.closed:
            raise CaseClosedError(f"case {self.id} is closed")
