"""The person (bénéficiaire): the data subject every other record is about.

GDPR rights live here because they bind every other aggregate: a restriction
(Art. 18) stops all processing but the DPO's, a legal hold (Art. 17(3)) stops
erasure, and erasure leaves a tombstone that carries no personal data, so it
stays readable after the person's key is destroyed.
"""

import enum
import re
from datetime import date, datetime
from typing import ClassVar
from uuid import UUID

import msgspec

from domain.base import Category, SuiviAggregate, aware, required_text
from domain.errors import DomainError, InvalidValueError


class Situation(enum.StrEnum):
    JOBSEEKER = "jobseeker"
    LONG_TERM_UNEMPLOYED = "long_term_unemployed"
    NEET = "neet"
    NEWCOMER = "newcomer"
    EMPLOYED = "employed"
    STUDENT = "student"
    OTHER = "other"


class LegalBasis(enum.StrEnum):
    """Grounds of Art. 17(3) that override the right to erasure."""

    LEGAL_OBLIGATION = "art_17_3_b_legal_obligation"
    LEGAL_CLAIMS = "art_17_3_e_legal_claims"


class ContactDetails(msgspec.Struct, frozen=True):
    phone: str | None = None
    email: str | None = None
    address: str | None = None


class PersonDetails(msgspec.Struct, frozen=True):
    """Everything identifying that the person tells us. Replaced whole on correction."""

    given_name: str
    family_name: str
    birth_date: date | None = None
    nationality: str | None = None
    languages: tuple[str, ...] = ()
    preferred_language: str | None = None
    contact: ContactDetails = ContactDetails()
    situations: tuple[Situation, ...] = ()


class LegalHold(msgspec.Struct, frozen=True):
    hold_id: UUID
    basis: LegalBasis
    note: str


class ProcessingRestrictedError(DomainError):
    """Art. 18: while restricted, only the DPO may process the person's data."""


class LegalHoldError(DomainError):
    """Art. 17(3): a legal hold forbids erasure."""


class PersonErasedError(DomainError):
    """The person was erased; nothing more can be recorded about them."""


class UnknownLegalHoldError(DomainError):
    """No active legal hold has this id."""


FILE_NUMBER = re.compile(r"^\d{4}-\d{5}$")


def _check_details(details: PersonDetails) -> PersonDetails:
    required_text(details.given_name, "given name")
    required_text(details.family_name, "family name")
    preferred = details.preferred_language
    if preferred and details.languages and preferred not in details.languages:
        raise InvalidValueError("the preferred language must be a language spoken")
    return details


class Person(SuiviAggregate):
    CATEGORY = Category.IDENTITY

    def __init__(self) -> None:
        self.file_number = ""
        self.details: PersonDetails | None = None
        self.restricted = False
        self.legal_holds: tuple[LegalHold, ...] = ()
        self.erased = False

    class Registered(SuiviAggregate.Created):
        file_number: str
        details: PersonDetails
        registered_by: UUID

        def apply(self, person: "Person") -> None:
            person.file_number = self.file_number
            person.details = self.details

    class DetailsCorrected(SuiviAggregate.Event):
        details: PersonDetails
        reason: str
        corrected_by: UUID

        def apply(self, person: "Person") -> None:
            person.details = self.details

    class ProcessingRestricted(SuiviAggregate.Event):
        CATEGORY: ClassVar[Category] = Category.GDPR
        reason: str
        restricted_by: UUID

        def apply(self, person: "Person") -> None:
            person.restricted = True

    class RestrictionLifted(SuiviAggregate.Event):
        CATEGORY: ClassVar[Category] = Category.GDPR
        lifted_by: UUID

        def apply(self, person: "Person") -> None:
            person.restricted = False

    class LegalHoldPlaced(SuiviAggregate.Event):
        CATEGORY: ClassVar[Category] = Category.GDPR
        hold: LegalHold
        placed_by: UUID

        def apply(self, person: "Person") -> None:
            person.legal_holds += (self.hold,)

    class LegalHoldLifted(SuiviAggregate.Event):
        CATEGORY: ClassVar[Category] = Category.GDPR
        hold_id: UUID
        lifted_by: UUID

        def apply(self, person: "Person") -> None:
            person.legal_holds = tuple(h for h in person.legal_holds if h.hold_id != self.hold_id)

    class Erased(SuiviAggregate.Event):
        """Tombstone: tells every projection to drop its copies of the person."""

        CATEGORY: ClassVar[Category] = Category.GDPR
        PERSONAL: ClassVar[bool] = False
        erased_by: UUID

        def apply(self, person: "Person") -> None:
            person.erased = True
            person.details = None
            person.legal_holds = ()

    @classmethod
    def register(
        cls,
        person_id: UUID,
        file_number: str,
        details: PersonDetails,
        at: datetime,
        by: UUID,
    ) -> "Person":
        """Register a person. The service allocates ``file_number`` (``2026-00042``)."""
        if not FILE_NUMBER.match(file_number):
            raise InvalidValueError("a file number looks like 2026-00042")
        return cls._create(
            cls.Registered,
            id=person_id,
            timestamp=aware(at),
            file_number=file_number,
            details=_check_details(details),
            registered_by=by,
        )

    def subject_id(self) -> UUID | None:
        return self.id

    def ensure_processing_allowed(self, actor_is_dpo: bool) -> None:
        """Guard for every command on this person's records, in any aggregate."""
        if self.erased:
            raise PersonErasedError(f"person {self.id} was erased")
        if self.restricted and not actor_is_dpo:
            raise ProcessingRestrictedError(f"processing of person {self.id} is restricted (GDPR Art. 18)")

    def correct_details(
        self,
        details: PersonDetails,
        reason: str,
        at: datetime,
        by: UUID,
        actor_is_dpo: bool = False,
    ) -> None:
        """Rectify (Art. 16) by replacing the details whole."""
        self.ensure_processing_allowed(actor_is_dpo)
        self.trigger_event(
            self.DetailsCorrected,
            timestamp=aware(at),
            details=_check_details(details),
            reason=required_text(reason, "the reason for a correction"),
            corrected_by=by,
        )

    def restrict_processing(self, reason: str, at: datetime, by: UUID) -> None:
        """Only the DPO calls this (the service's policy checks the role)."""
        self.ensure_processing_allowed(actor_is_dpo=True)
        if self.restricted:
            return
        self.trigger_event(
            self.ProcessingRestricted,
            timestamp=aware(at),
            reason=required_text(reason, "the reason for a restriction"),
            restricted_by=by,
        )

    def lift_restriction(self, at: datetime, by: UUID) -> None:
        self.ensure_processing_allowed(actor_is_dpo=True)
        if not self.restricted:
            return
        self.trigger_event(self.RestrictionLifted, timestamp=aware(at), lifted_by=by)

    def place_legal_hold(self, hold_id: UUID, basis: LegalBasis, note: str, at: datetime, by: UUID) -> None:
        self.ensure_processing_allowed(actor_is_dpo=True)
        hold = LegalHold(hold_id, LegalBasis(basis), required_text(note, "hold note"))
        self.trigger_event(self.LegalHoldPlaced, timestamp=aware(at), hold=hold, placed_by=by)

    def lift_legal_hold(self, hold_id: UUID, at: datetime, by: UUID) -> None:
        self.ensure_processing_allowed(actor_is_dpo=True)
        if all(h.hold_id != hold_id for h in self.legal_holds):
            raise UnknownLegalHoldError(f"no active legal hold {hold_id}")
        self.trigger_event(self.LegalHoldLifted, timestamp=aware(at), hold_id=hold_id, lifted_by=by)

    def erase(self, at: datetime, by: UUID) -> None:
        """Art. 17. The service then destroys the person's key (crypto-shredding)."""
        if self.erased:
            return
        if self.legal_holds:
            bases = ", ".join(sorted({h.basis.value for h in self.legal_holds}))
            raise LegalHoldError(f"person {self.id} cannot be erased: legal hold under {bases}")
        self.trigger_event(self.Erased, timestamp=aware(at), erased_by=by)
