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
    """E.164 (``+32470123456``) once the service has normalised it."""
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
    niss: str | None = None
    """The national register number (or a bis number), 11 digits, checked by the service."""
    needs_interpreter: bool = False


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


class MergeRefusedError(DomainError):
    """Two records cannot be merged (the same record, one already merged, erased, restricted or held)."""


FILE_NUMBER = re.compile(r"^\d{4}-\d{5}$")
OLDEST_AGE_YEARS = 120
"""A birth date further back is a typing mistake (1899 for 1989), not a person."""


def check_birth_date(born: date | None, today: date) -> None:
    """Refuse a birth date in the future or more than ``OLDEST_AGE_YEARS`` years ago."""
    if born is None:
        return
    if born > today:
        raise InvalidValueError("a birth date cannot be in the future", field="birth_date")
    try:
        oldest = today.replace(year=today.year - OLDEST_AGE_YEARS)
    except ValueError:  # 29 February
        oldest = today.replace(year=today.year - OLDEST_AGE_YEARS, day=28)
    if born < oldest:
        raise InvalidValueError("a birth date is at most 120 years ago", field="birth_date")


def _check_details(details: PersonDetails, today: date) -> PersonDetails:
    required_text(details.given_name, "given name")
    required_text(details.family_name, "family name")
    check_birth_date(details.birth_date, today)
    preferred = details.preferred_language
    if preferred and details.languages and preferred not in details.languages:
        raise InvalidValueError("the preferred language must be a language spoken", field="preferred_language")
    return details


class Person(SuiviAggregate):
    CATEGORY = Category.IDENTITY

    def __init__(self) -> None:
        self.file_number = ""
        self.details: PersonDetails | None = None
        self.registered_by: UUID | None = None
        """Who registered the person: she keeps them on her caseload (the access policy asks)."""
        self.restricted = False
        self.legal_holds: tuple[LegalHold, ...] = ()
        self.erased = False
        self.merged_into: UUID | None = None
        """This record was merged into that one (the kept record): the person is read there."""
        self.merged: tuple[UUID, ...] = ()
        """The records merged into this one, which read as this one (and are erased with it)."""

    class Registered(SuiviAggregate.Created):
        file_number: str
        details: PersonDetails
        registered_by: UUID

        def apply(self, person: "Person") -> None:
            person.file_number = self.file_number
            person.details = self.details
            person.registered_by = self.registered_by

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

    class MergedInto(SuiviAggregate.Event):
        """On the duplicate: from now on it reads as the kept record (its history stays its own)."""

        kept_id: UUID
        kept_file_number: str
        merged_by: UUID

        def apply(self, person: "Person") -> None:
            person.merged_into = self.kept_id

    class DuplicateMerged(SuiviAggregate.Event):
        """On the kept record: the duplicate's history now reads as part of this one."""

        duplicate_id: UUID
        duplicate_file_number: str
        merged_by: UUID

        def apply(self, person: "Person") -> None:
            person.merged += (self.duplicate_id,)

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
            details=_check_details(details, aware(at).date()),
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
            details=_check_details(details, aware(at).date()),
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

    def merge(self, duplicate: "Person", at: datetime, by: UUID) -> None:
        """Merge ``duplicate`` (the same person registered twice) into this record, which is kept.

        Both records get an event: the duplicate reads as this one from now on, and keeps its
        own history (its events stay under its own key); erasing this person erases it too.
        """
        if duplicate.id == self.id:
            raise MergeRefusedError("a record cannot be merged into itself")
        for record in (self, duplicate):
            if record.erased:
                raise MergeRefusedError(f"person {record.id} was erased")
            if record.restricted:
                raise MergeRefusedError(f"processing of person {record.id} is restricted (GDPR Art. 18)")
            if record.merged_into is not None:
                raise MergeRefusedError(f"person {record.id} was already merged into another record")
        if duplicate.legal_holds:
            # Its holds would otherwise stop the erasure of the kept record half-way.
            raise MergeRefusedError(f"person {duplicate.id} has a legal hold: place it on the kept record")
        moment = aware(at)
        duplicate.trigger_event(
            duplicate.MergedInto, timestamp=moment, kept_id=self.id, kept_file_number=self.file_number, merged_by=by
        )
        self.trigger_event(
            self.DuplicateMerged,
            timestamp=moment,
            duplicate_id=duplicate.id,
            duplicate_file_number=duplicate.file_number,
            merged_by=by,
        )

    def erase(self, at: datetime, by: UUID) -> None:
        """Art. 17. The service then destroys the person's key (crypto-shredding)."""
        if self.erased:
            return
        if self.legal_holds:
            bases = ", ".join(sorted({h.basis.value for h in self.legal_holds}))
            raise LegalHoldError(f"person {self.id} cannot be erased: legal hold under {bases}")
        self.trigger_event(self.Erased, timestamp=aware(at), erased_by=by)
