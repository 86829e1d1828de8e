"""A referral (orientation): internal to the social-legal service, or external.

An external referral passes a person's situation to an outside body, so it
needs the person's consent on that date. Staff may override the missing
consent only by writing why; the reason is stored on the referral itself, so
the DPO reads it with the referral (as Primero does).
"""

import enum
from datetime import datetime
from uuid import UUID

import msgspec

from domain.base import Category, SuiviAggregate, aware, required_text
from domain.consent import ConsentBasis, ConsentMissingError, ConsentRecord, Purpose
from domain.errors import DomainError, InvalidValueError
from domain.organisations import OrganisationKind


class ReferralSource(enum.StrEnum):
    OFFICE_HOURS = "office_hours"
    TRAINING = "training"
    SOCIAL_LEGAL = "social_legal"


class ReferralStatus(enum.StrEnum):
    MADE = "made"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class Destination(msgspec.Struct, frozen=True):
    """Internal (the centre's social-legal service) when no organisation is named.

    An internal referral may name the social worker it is for; otherwise it is for the
    whole service, and any of its members takes it in.
    """

    organisation_kind: OrganisationKind | None = None
    organisation_name: str | None = None
    social_worker_id: UUID | None = None
    """The colleague an internal referral is addressed to, if any."""

    @property
    def is_external(self) -> bool:
        return self.organisation_kind is not None


class ReferralStateError(DomainError):
    """The referral is not in a state that allows this step."""


class ExternalReferralRefusedError(ConsentMissingError):
    """No consent to refer to this body on that date, and no written override."""


class Referral(SuiviAggregate):
    CATEGORY = Category.SOCIAL_LEGAL

    def __init__(self) -> None:
        self.person_id: UUID | None = None
        self.source = ReferralSource.SOCIAL_LEGAL
        self.source_id: UUID | None = None
        self.destination = Destination()
        self.consent: ConsentBasis | None = None
        self.consent_override_reason: str | None = None
        self.status = ReferralStatus.MADE
        self.case_id: UUID | None = None
        self.reason = ""
        self.made_by: UUID | None = None

    class Made(SuiviAggregate.Created):
        person_id: UUID
        source: ReferralSource
        source_id: UUID | None
        destination: Destination
        reason: str
        consent: ConsentBasis | None
        consent_override_reason: str | None
        made_by: UUID

        def apply(self, referral: "Referral") -> None:
            referral.person_id = self.person_id
            referral.source = self.source
            referral.source_id = self.source_id
            referral.destination = self.destination
            referral.consent = self.consent
            referral.consent_override_reason = self.consent_override_reason
            referral.reason = self.reason
            referral.made_by = self.made_by

    class Accepted(SuiviAggregate.Event):
        case_id: UUID | None
        accepted_by: UUID

        def apply(self, referral: "Referral") -> None:
            referral.status = ReferralStatus.ACCEPTED
            referral.case_id = self.case_id

    class Declined(SuiviAggregate.Event):
        reason: str
        declined_by: UUID

        def apply(self, referral: "Referral") -> None:
            referral.status = ReferralStatus.DECLINED

    class Completed(SuiviAggregate.Event):
        outcome: str
        completed_by: UUID

        def apply(self, referral: "Referral") -> None:
            referral.status = ReferralStatus.COMPLETED

    class Withdrawn(SuiviAggregate.Event):
        reason: str
        withdrawn_by: UUID

        def apply(self, referral: "Referral") -> None:
            referral.status = ReferralStatus.WITHDRAWN

    @classmethod
    def make_internal(
        cls,
        referral_id: UUID,
        person_id: UUID,
        source: ReferralSource,
        reason: str,
        at: datetime,
        by: UUID,
        *,
        source_id: UUID | None = None,
        to_social_worker_id: UUID | None = None,
    ) -> "Referral":
        """Refer from office hours or training to the centre's social-legal service (or one of its members)."""
        source = ReferralSource(source)
        if source is ReferralSource.SOCIAL_LEGAL:
            raise InvalidValueError("internal referrals go to the social-legal service")
        if to_social_worker_id == by:
            raise InvalidValueError("a referral is addressed to someone else", field="social_worker_id")
        destination = Destination(social_worker_id=to_social_worker_id)
        return cls._make(referral_id, person_id, source, source_id, destination, reason, at, by)

    @classmethod
    def make_external(
        cls,
        referral_id: UUID,
        person_id: UUID,
        organisation_kind: OrganisationKind,
        organisation_name: str,
        reason: str,
        consents: ConsentRecord,
        at: datetime,
        by: UUID,
        *,
        source: ReferralSource = ReferralSource.SOCIAL_LEGAL,
        source_id: UUID | None = None,
        override_reason: str | None = None,
    ) -> "Referral":
        """Refer to an outside body; refused unless consent holds on ``at``'s date."""
        if consents.person_id != person_id:
            raise InvalidValueError("the consent record belongs to another person")
        kind = OrganisationKind(organisation_kind)
        name = required_text(organisation_name, "organisation name")
        on = aware(at).date()
        basis = consents.basis_for(Purpose.EXTERNAL_REFERRAL, on, kind, name)
        override = (override_reason or "").strip() or None
        if basis is None and override is None:
            raise ExternalReferralRefusedError(f"no consent to refer to a {kind} on {on.isoformat()}")
        return cls._make(
            referral_id,
            person_id,
            ReferralSource(source),
            source_id,
            Destination(kind, name),
            reason,
            at,
            by,
            consent=basis,
            override=override,
        )

    @classmethod
    def _make(
        cls,
        referral_id: UUID,
        person_id: UUID,
        source: ReferralSource,
        source_id: UUID | None,
        destination: Destination,
        reason: str,
        at: datetime,
        by: UUID,
        *,
        consent: ConsentBasis | None = None,
        override: str | None = None,
    ) -> "Referral":
        return cls._create(
            cls.Made,
            id=referral_id,
            timestamp=aware(at),
            person_id=person_id,
            source=source,
            source_id=source_id,
            destination=destination,
            reason=required_text(reason, "reason for referral"),
            consent=consent,
            consent_override_reason=override,
            made_by=by,
        )

    def subject_id(self) -> UUID | None:
        return self.person_id

    @property
    def is_external(self) -> bool:
        return self.destination.is_external

    @property
    def is_waiting(self) -> bool:
        return self.status is ReferralStatus.MADE

    def accept(self, at: datetime, by: UUID, *, case_id: UUID | None = None) -> None:
        self._ensure_status(ReferralStatus.MADE)
        self.trigger_event(self.Accepted, timestamp=aware(at), case_id=case_id, accepted_by=by)

    def decline(self, reason: str, at: datetime, by: UUID) -> None:
        self._ensure_status(ReferralStatus.MADE)
        self.trigger_event(
            self.Declined,
            timestamp=aware(at),
            reason=required_text(reason, "reason for declining"),
            declined_by=by,
        )

    def complete(self, outcome: str, at: datetime, by: UUID) -> None:
        self._ensure_status(ReferralStatus.ACCEPTED)
        self.trigger_event(
            self.Completed,
            timestamp=aware(at),
            outcome=outcome.strip(),
            completed_by=by,
        )

    def withdraw(self, reason: str, at: datetime, by: UUID) -> None:
        self._ensure_status(ReferralStatus.MADE, ReferralStatus.ACCEPTED)
        self.trigger_event(
            self.Withdrawn,
            timestamp=aware(at),
            reason=required_text(reason, "reason for withdrawal"),
            withdrawn_by=by,
        )

    def _ensure_status(self, *allowed: ReferralStatus) -> None:
        if self.status not in allowed:
            raise ReferralStateError(f"referral {self.id} is {self.status}")


def may_answer(referral: Referral, staff_id: UUID, *, in_social_legal_service: bool, follows_its_case: bool) -> bool:
    """Whether ``staff_id`` may accept or decline the referral: only its addressee answers it.

    - Internal, named to a social worker: that social worker alone.
    - Internal, to the service: any member of the social-legal service.
    - External: the outside body answers outside Suivi; its answer is recorded by whoever
      made the referral, or by the social worker who follows the case it belongs to.

    Nobody answers as the addressee of a referral they made themselves.
    """
    if referral.is_external:
        return staff_id == referral.made_by or follows_its_case
    if staff_id == referral.made_by:
        return False
    addressee = referral.destination.social_worker_id
    if addressee is not None:
        return staff_id == addressee
    return in_social_legal_service
