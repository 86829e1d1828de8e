"""The subject-access export's shape (schema ``suivi.subject-export``, version 1), and which
section each domain event goes to.

Every event class of ``domain/`` is either given a section in ``SECTIONS`` or listed in
``LEFT_OUT`` with the reason; the export refuses an event class found in neither, and a test
checks both tables against ``domain/``. The README documents this schema.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec

from domain.access import AccessRecord, AccessReview
from domain.agenda_day import AgendaDay
from domain.appointment import Appointment
from domain.base import SuiviAggregate
from domain.case import Case
from domain.certificate import Certificate
from domain.cohort import Cohort
from domain.consent import ConsentRecord
from domain.document import Document
from domain.office_hours import Visit
from domain.person import LegalHold, Person, PersonDetails
from domain.referral import Referral
from domain.reminder import Reminder
from domain.rights import RightsRequest
from domain.training import TrainingRecord

SCHEMA = "suivi.subject-export"
SCHEMA_VERSION = 1


class Section(enum.StrEnum):
    IDENTITY = "identity"
    MERGES = "merges"
    """Two records of the person merged into one (on each record: which other file it was)."""
    CONSENTS = "consents"
    TRAINING = "training"
    OFFICE_HOURS = "office_hours"
    SOCIAL_LEGAL = "social_legal"
    REFERRALS = "referrals"
    ACCESS_LOG = "access_log"
    RIGHTS_REQUESTS = "rights_requests"
    GDPR = "gdpr"
    APPOINTMENTS = "appointments"
    """Appointments booked for the person (with the social-legal service or at office hours), and their steps."""
    DOCUMENTS = "documents"
    """Scans attached to a case or to the identity file: their versions (the files are in the ZIP export)."""


def _all(aggregate: type, section: Section) -> dict[type, Section]:
    return {
        value: section
        for name, value in vars(aggregate).items()
        if isinstance(value, type) and issubclass(value, SuiviAggregate.Event) and name not in ("Event", "Created")
    }


LEFT_OUT: dict[type, str] = {
    Person.Erased: "the tombstone: once it exists the person has no export (410 Gone with the receipt)",
    Cohort.Scheduled: "the cohort's own schedule; its name, site and dates are given under `cohorts`",
    Cohort.TrainerAssigned: "about the cohort's staff, not about the person",
    Cohort.TrainerUnassigned: "about the cohort's staff, not about the person",
    Cohort.CapacityChanged: "about the cohort's size, not about the person",
    **{
        event: "a staff member's agenda: which times are taken, by appointment id; the appointment is exported"
        for event in _all(AgendaDay, Section.APPOINTMENTS)
    },
    AccessReview.Reviewed: "the DPO's review of a staff member's access, not about the person (the access is exported)",
}

SECTIONS: dict[type, Section] = {
    Person.Registered: Section.IDENTITY,
    Person.DetailsCorrected: Section.IDENTITY,
    Person.ProcessingRestricted: Section.GDPR,
    Person.RestrictionLifted: Section.GDPR,
    Person.LegalHoldPlaced: Section.GDPR,
    Person.LegalHoldLifted: Section.GDPR,
    Person.MergedInto: Section.MERGES,
    Person.DuplicateMerged: Section.MERGES,
    **_all(ConsentRecord, Section.CONSENTS),
    **_all(TrainingRecord, Section.TRAINING),
    **_all(Certificate, Section.TRAINING),
    Cohort.SeatReserved: Section.TRAINING,
    Cohort.SeatReleased: Section.TRAINING,
    Cohort.Waitlisted: Section.TRAINING,
    Cohort.LeftWaitingList: Section.TRAINING,
    Cohort.PromotedFromWaitingList: Section.TRAINING,
    **_all(Visit, Section.OFFICE_HOURS),
    **_all(Case, Section.SOCIAL_LEGAL),
    **_all(Referral, Section.REFERRALS),
    **_all(AccessRecord, Section.ACCESS_LOG),
    **_all(RightsRequest, Section.RIGHTS_REQUESTS),
    **_all(Appointment, Section.APPOINTMENTS),
    **_all(Reminder, Section.APPOINTMENTS),  # its reminders, with the recipient as it was
    **_all(Document, Section.DOCUMENTS),
}


class ExportEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One event, as recorded: when, in which record, what happened, who did it, and its facts."""

    at: datetime
    record_id: UUID
    record: str
    """The kind of record: Person, ConsentRecord, TrainingRecord, Cohort, Visit, Case, Referral, ..."""
    event: str
    """``Record.EventName``, e.g. ``Case.NoteAdded``."""
    by: UUID | None
    """The staff member who caused it."""
    facts: dict[str, Any]
    """Every field of the event, as stored."""


class IdentityVersion(msgspec.Struct, frozen=True, kw_only=True):
    """The details as they were from ``valid_from``: the first is the registration, then each correction."""

    valid_from: datetime
    details: PersonDetails
    event: str
    reason: str | None
    by: UUID | None


class CohortInfo(msgspec.Struct, frozen=True, kw_only=True):
    cohort_id: UUID
    name: str
    site: str
    starts_on: date
    ends_on: date


class Recipient(msgspec.Struct, frozen=True, kw_only=True):
    """An outside body the person's data went to (an external referral)."""

    referral_id: UUID
    organisation_kind: str
    organisation_name: str | None
    sent_at: datetime
    consent_record_id: UUID | None
    consent_version: int | None
    override_reason: str | None


class SubjectExport(msgspec.Struct, kw_only=True):
    schema: str = SCHEMA
    schema_version: int = SCHEMA_VERSION
    generated_at: datetime
    person_id: UUID
    file_number: str
    restricted: bool
    legal_holds: list[LegalHold]
    identity: list[IdentityVersion] = msgspec.field(default_factory=list)
    merges: list[ExportEntry] = msgspec.field(default_factory=list)
    merged_into: UUID | None = None
    """This record was merged into that one (the kept record), which holds the rest of the person's history."""
    merged_records: list[UUID] = msgspec.field(default_factory=list)
    """The records merged into this one: their own exports hold their history."""
    consents: list[ExportEntry] = msgspec.field(default_factory=list)
    training: list[ExportEntry] = msgspec.field(default_factory=list)
    cohorts: list[CohortInfo] = msgspec.field(default_factory=list)
    office_hours: list[ExportEntry] = msgspec.field(default_factory=list)
    social_legal: list[ExportEntry] = msgspec.field(default_factory=list)
    referrals: list[ExportEntry] = msgspec.field(default_factory=list)
    recipients: list[Recipient] = msgspec.field(default_factory=list)
    access_log: list[ExportEntry] = msgspec.field(default_factory=list)
    rights_requests: list[ExportEntry] = msgspec.field(default_factory=list)
    gdpr: list[ExportEntry] = msgspec.field(default_factory=list)
    appointments: list[ExportEntry] = msgspec.field(default_factory=list)
    documents: list[ExportEntry] = msgspec.field(default_factory=list)
    unreadable_events: int = 0
    """Events about the person that could not be read (0 unless something is wrong)."""

    def entries(self, section: Section) -> list[ExportEntry]:
        found: list[ExportEntry] = getattr(self, section.value)
        return found
