"""The register of certificates: what verification answers, and which certificates a learner holds.

Two tables. ``registry`` holds no personal data (id, kind, day of issue, digest, day of
revocation) and has no ``person_id`` column, so the erasure purge leaves it: it is built from
the non-personal ``Certificate.Registered``, which every rebuild still reads after an erasure.
``holders`` links a certificate to its learner and cohort; it comes from the sealed
``Certificate.Issued`` and goes with the tombstone (and the purge). A registered certificate
with no holder is one whose learner was erased: "issued on D, no longer held".
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from uuid import UUID

import msgspec

from domain.certificate import Certificate, CertificateKind
from projections.base import ERASED, Db, Envelope, Projection, handles


class CertificateStatus(enum.StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    NO_LONGER_HELD = "no_longer_held"
    """Issued, then the learner was erased: the certificate's facts are gone with them."""
    UNKNOWN = "unknown"
    """No certificate has this id."""


class RegisterEntry(msgspec.Struct, frozen=True):
    certificate_id: UUID
    kind: CertificateKind
    issued_on: date
    digest: str
    revoked_on: date | None
    held: bool

    @property
    def status(self) -> CertificateStatus:
        if not self.held:
            return CertificateStatus.NO_LONGER_HELD  # whatever happened before: nothing is held any more
        return CertificateStatus.REVOKED if self.revoked_on is not None else CertificateStatus.VALID


class HeldCertificate(msgspec.Struct, frozen=True):
    certificate_id: UUID
    cohort_id: UUID
    kind: CertificateKind
    issued_at: datetime
    revoked_on: date | None


class CertificateRegisterProjection(Projection):
    name = "certificates"
    schema = "rm_certificates"

    @handles(Certificate.Registered)
    async def _registered(self, db: Db, envelope: Envelope) -> None:
        event: Certificate.Registered = envelope.event
        await db.execute(
            """INSERT INTO registry (certificate_id, kind, issued_on, digest) VALUES ($1, $2, $3, $4)
               ON CONFLICT (certificate_id) DO NOTHING""",
            envelope.stream_id,
            str(event.kind),
            event.issued_on,
            event.digest,
        )

    @handles(Certificate.Issued)
    async def _issued(self, db: Db, envelope: Envelope) -> None:
        event: Certificate.Issued = envelope.event
        await db.execute(
            """INSERT INTO holders (certificate_id, person_id, cohort_id, kind, issued_at) VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (certificate_id) DO NOTHING""",
            envelope.stream_id,
            event.person_id,
            event.cohort_id,
            str(event.facts.kind),
            envelope.recorded_at,
        )

    @handles(Certificate.Revoked)
    async def _revoked(self, db: Db, envelope: Envelope) -> None:
        day = envelope.event.timestamp.date()
        await db.execute("UPDATE registry SET revoked_on = $2 WHERE certificate_id = $1", envelope.stream_id, day)

    @handles(ERASED)
    async def _erased(self, db: Db, envelope: Envelope) -> None:
        await db.execute("DELETE FROM holders WHERE person_id = $1", envelope.stream_id)


async def register_entry(db: Db, certificate_id: UUID) -> RegisterEntry | None:
    row = await db.fetchrow(
        """SELECT r.*, EXISTS (SELECT 1 FROM rm_certificates.holders h WHERE h.certificate_id = r.certificate_id)
                  AS held
           FROM rm_certificates.registry r WHERE r.certificate_id = $1""",
        certificate_id,
    )
    if row is None:
        return None
    return RegisterEntry(
        row["certificate_id"],
        CertificateKind(row["kind"]),
        row["issued_on"],
        row["digest"],
        row["revoked_on"],
        row["held"],
    )


async def certificates_of(db: Db, person_id: UUID) -> list[HeldCertificate]:
    """The learner's certificates, newest first."""
    rows = await db.fetch(
        """SELECT h.certificate_id, h.cohort_id, h.kind, h.issued_at, r.revoked_on
           FROM rm_certificates.holders h LEFT JOIN rm_certificates.registry r USING (certificate_id)
           WHERE h.person_id = $1 ORDER BY h.issued_at DESC, h.certificate_id""",
        person_id,
    )
    return [
        HeldCertificate(
            r["certificate_id"], r["cohort_id"], CertificateKind(r["kind"]), r["issued_at"], r["revoked_on"]
        )
        for r in rows
    ]
