"""Consent (consentement), per purpose and over time.

One record per person holds the whole history, so "was sharing allowed on
date D?" is answered by replaying it, for any past date. Dates, not times,
decide: consent given on D allows D; consent withdrawn on D no longer allows
D (the safe side); consent valid until D allows D and not the day after.
Each decision names the ``Given`` event it relied on (:class:`ConsentBasis`).
"""

import enum
from datetime import date, datetime, timedelta
from uuid import UUID, uuid5

import msgspec

from domain.base import Category, SuiviAggregate, aware
from domain.errors import DomainError, InvalidValueError
from domain.organisations import OrganisationKind, same_organisation


class Purpose(enum.StrEnum):
    SHARE_TRAINING_WITH_SOCIAL_LEGAL = "share_training_with_social_legal"
    SHARE_OFFICE_HOURS_WITH_TRAINERS = "share_office_hours_with_trainers"
    EXTERNAL_REFERRAL = "external_referral"
    CONTACT_SMS = "contact_sms"
    CONTACT_EMAIL = "contact_email"


class Evidence(enum.StrEnum):
    SIGNED_FORM = "signed_form"
    ORAL_WITH_INTERPRETER = "oral_with_interpreter"
    ORAL = "oral"
    ELECTRONIC = "electronic"


class Body(msgspec.Struct, frozen=True):
    """The outside body an external-referral consent names."""

    kind: OrganisationKind
    name: str | None = None


class ConsentBasis(msgspec.Struct, frozen=True):
    """Which consent a decision relied on: the ``Given`` event, by stream and version."""

    consent_record_id: UUID
    given_version: int
    purpose: Purpose


class Grant(msgspec.Struct, frozen=True):
    given_version: int
    purpose: Purpose
    body: Body | None
    evidence: Evidence
    given_on: date
    valid_until: date | None
    ended_on: date | None = None

    def holds_on(self, on: date) -> bool:
        if on < self.given_on:
            return False
        if self.valid_until is not None and on > self.valid_until:
            return False
        return self.ended_on is None or on < self.ended_on

    def covers(self, body: OrganisationKind | None, organisation: str | None) -> bool:
        if self.body is None:
            return True
        if body != self.body.kind:
            return False
        if self.body.name is None:
            return True
        return organisation is not None and same_organisation(organisation, self.body.name)


class ConsentMissingError(DomainError):
    """The processing needs a consent that does not hold on that date."""


_CONSENT_NAMESPACE = UUID("6f0c1f2e-5b0a-4c52-9a57-0d0c8a1b7e11")


def consent_record_id(person_id: UUID) -> UUID:
    """The one consent record of a person, found without a lookup."""
    return uuid5(_CONSENT_NAMESPACE, str(person_id))


class ConsentRecord(SuiviAggregate):
    CATEGORY = Category.CONSENT

    def __init__(self) -> None:
        self.person_id: UUID | None = None
        self.grants: tuple[Grant, ...] = ()

    class Opened(SuiviAggregate.Created):
        person_id: UUID
        opened_by: UUID

        def apply(self, record: "ConsentRecord") -> None:
            record.person_id = self.person_id

    class Given(SuiviAggregate.Event):
        purpose: Purpose
        evidence: Evidence
        body: Body | None
        given_on: date
        valid_until: date | None
        evidence_reference: str | None
        given_by: UUID

        def apply(self, record: "ConsentRecord") -> None:
            record.grants += (
                Grant(
                    given_version=self.originator_version,
                    purpose=self.purpose,
                    body=self.body,
                    evidence=self.evidence,
                    given_on=self.given_on,
                    valid_until=self.valid_until,
                ),
            )

    class Withdrawn(SuiviAggregate.Event):
        given_versions: tuple[int, ...]
        withdrawn_on: date
        withdrawn_by: UUID

        def apply(self, record: "ConsentRecord") -> None:
            record._end(self.given_versions, self.withdrawn_on)

    class Expired(SuiviAggregate.Event):
        """Notes that a grant reached its end date; ``allows`` needs no such note."""

        given_versions: tuple[int, ...]
        expired_on: date

        def apply(self, record: "ConsentRecord") -> None:
            record._end(self.given_versions, self.expired_on)

    @classmethod
    def open(cls, person_id: UUID, at: datetime, by: UUID) -> "ConsentRecord":
        return cls._create(
            cls.Opened,
            id=consent_record_id(person_id),
            timestamp=aware(at),
            person_id=person_id,
            opened_by=by,
        )

    def subject_id(self) -> UUID | None:
        return self.person_id

    def _end(self, versions: tuple[int, ...], on: date) -> None:
        self.grants = tuple(
            msgspec.structs.replace(g, ended_on=on) if g.given_version in versions and g.ended_on is None else g
            for g in self.grants
        )

    def give(
        self,
        purpose: Purpose,
        evidence: Evidence,
        at: datetime,
        by: UUID,
        *,
        body: Body | None = None,
        valid_until: date | None = None,
        evidence_reference: str | None = None,
    ) -> int:
        """Record consent given from ``at``'s date. Returns the grant's version."""
        purpose = Purpose(purpose)
        if (purpose is Purpose.EXTERNAL_REFERRAL) != (body is not None):
            raise InvalidValueError("an outside body is named for external referrals, and only for them")
        given_on = aware(at).date()
        if valid_until is not None and valid_until < given_on:
            raise InvalidValueError("a consent cannot end before it is given")
        self.trigger_event(
            self.Given,
            timestamp=at,
            purpose=purpose,
            evidence=Evidence(evidence),
            body=body,
            given_on=given_on,
            valid_until=valid_until,
            evidence_reference=evidence_reference,
            given_by=by,
        )
        return self.version

    def withdraw(self, purpose: Purpose, at: datetime, by: UUID, *, body: Body | None = None) -> None:
        """Withdraw every open grant for the purpose (or only those naming ``body``)."""
        today = aware(at).date()
        versions = tuple(
            g.given_version
            for g in self.grants
            if g.purpose == purpose and g.ended_on is None and (body is None or g.body == body)
        )
        if not versions:
            raise ConsentMissingError(f"no open consent for {purpose} to withdraw")
        self.trigger_event(
            self.Withdrawn,
            timestamp=at,
            given_versions=versions,
            withdrawn_on=today,
            withdrawn_by=by,
        )

    def expire_lapsed(self, at: datetime) -> None:
        """Mark grants whose end date has passed; run by the retention job."""
        today = aware(at).date()
        lapsed = [g for g in self.grants if g.ended_on is None and g.valid_until is not None and g.valid_until < today]
        for grant in lapsed:
            assert grant.valid_until is not None
            self.trigger_event(
                self.Expired,
                timestamp=at,
                given_versions=(grant.given_version,),
                expired_on=grant.valid_until + timedelta(days=1),
            )

    def basis_for(
        self,
        purpose: Purpose,
        on: date,
        body: OrganisationKind | None = None,
        organisation: str | None = None,
    ) -> ConsentBasis | None:
        """The most recent consent that allowed ``purpose`` on ``on``, if any."""
        if purpose is Purpose.EXTERNAL_REFERRAL and body is None:
            raise InvalidValueError("an external referral consent is for a named body")
        for grant in reversed(self.grants):
            if grant.purpose == purpose and grant.holds_on(on) and grant.covers(body, organisation):
                return ConsentBasis(self.id, grant.given_version, grant.purpose)
        return None

    def allows(
        self,
        purpose: Purpose,
        on: date,
        body: OrganisationKind | None = None,
        organisation: str | None = None,
    ) -> bool:
        return self.basis_for(purpose, on, body, organisation) is not None

    def require(
        self,
        purpose: Purpose,
        on: date,
        body: OrganisationKind | None = None,
        organisation: str | None = None,
    ) -> ConsentBasis:
        basis = self.basis_for(purpose, on, body, organisation)
        if basis is None:
            raise ConsentMissingError(f"no consent for {purpose} on {on.isoformat()}")
        return basis
