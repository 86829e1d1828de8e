"""A social worker's caseload: open and recently closed cases, follow-ups, referrals in and out.

It also says whose people a social worker keeps (``caseload_of``): those she registered, and
those whose case is hers, open or closed within the retention period.
"""

from __future__ import annotations

from collections.abc import Hashable
from datetime import UTC, date, datetime, time
from uuid import UUID

import msgspec

from domain.case import Case
from domain.person import Person
from domain.referral import Referral
from domain.rights import add_months
from projections.base import ERASED, Db, Envelope, Projection, handles


class CaseLine(msgspec.Struct, frozen=True):
    case_id: UUID
    person_id: UUID
    domain: str
    opened_at: datetime
    next_follow_up: date | None
    overdue_follow_ups: int


class ClosedCaseLine(msgspec.Struct, frozen=True):
    case_id: UUID
    person_id: UUID
    domain: str
    opened_at: datetime
    closed_at: datetime


class FollowUpLine(msgspec.Struct, frozen=True):
    follow_up_id: UUID
    case_id: UUID
    person_id: UUID
    domain: str
    due_on: date


class WaitingReferral(msgspec.Struct, frozen=True):
    referral_id: UUID
    person_id: UUID
    source: str
    organisation_kind: str | None
    made_at: datetime
    made_by: UUID | None = None
    addressed_to: UUID | None = None


class SentReferral(msgspec.Struct, frozen=True):
    referral_id: UUID
    person_id: UUID
    organisation_kind: str | None
    addressed_to: UUID | None
    status: str
    made_at: datetime
    answered_at: datetime | None


class Caseload(msgspec.Struct, frozen=True):
    cases: list[CaseLine]
    referrals_waiting: list[WaitingReferral]
    """Incoming: to the service (or to her by name), made by someone else, not answered yet."""
    closed: list[ClosedCaseLine] = []
    follow_ups: list[FollowUpLine] = []
    """Not done yet, on her open cases, soonest due (so overdue) first."""
    referrals_sent: list[SentReferral] = []


class CaseloadProjection(Projection):
    name = "caseload"
    schema = "rm_caseload"

    def write_key(self, envelope: Envelope) -> Hashable | None:
        # Each event writes the row of its own stream alone (a registration, a case and its
        # follow-ups, a referral); an erasure deletes a person's rows everywhere.
        return None if isinstance(envelope.event, ERASED) else envelope.stream_id

    @handles(Person.Registered)
    async def _registered(self, db: Db, envelope: Envelope) -> None:
        await db.execute(
            "INSERT INTO registrations (person_id, registered_by) VALUES ($1, $2) ON CONFLICT (person_id) DO NOTHING",
            envelope.stream_id,
            envelope.event.registered_by,
        )

    @handles(Case.Opened)
    async def _opened(self, db: Db, envelope: Envelope) -> None:
        event: Case.Opened = envelope.event
        await db.execute(
            """INSERT INTO cases (case_id, person_id, social_worker_id, domain, status, opened_at)
               VALUES ($1, $2, $3, $4, 'open', $5) ON CONFLICT (case_id) DO NOTHING""",
            envelope.stream_id,
            event.person_id,
            event.social_worker_id,
            str(event.domain),
            envelope.recorded_at,
        )

    @handles(Case.Reassigned)
    async def _reassigned(self, db: Db, envelope: Envelope) -> None:
        await db.execute(
            "UPDATE cases SET social_worker_id = $2 WHERE case_id = $1",
            envelope.stream_id,
            envelope.event.social_worker_id,
        )

    @handles(Case.Closed)
    async def _closed(self, db: Db, envelope: Envelope) -> None:
        await db.execute(
            "UPDATE cases SET status = 'closed', closed_at = $2 WHERE case_id = $1",
            envelope.stream_id,
            envelope.recorded_at,
        )

    @handles(Case.Reopened)
    async def _reopened(self, db: Db, envelope: Envelope) -> None:
        await db.execute("UPDATE cases SET status = 'open', closed_at = NULL WHERE case_id = $1", envelope.stream_id)

    @handles(Case.FollowUpSet)
    async def _follow_up(self, db: Db, envelope: Envelope) -> None:
        event: Case.FollowUpSet = envelope.event
        await db.execute(
            """INSERT INTO follow_ups (follow_up_id, case_id, person_id, due_on) VALUES ($1, $2, $3, $4)
               ON CONFLICT (follow_up_id) DO UPDATE SET due_on = $4""",
            event.follow_up_id,
            envelope.stream_id,
            envelope.subject_id,
            event.due_on,
        )

    @handles(Case.FollowUpDone)
    async def _follow_up_done(self, db: Db, envelope: Envelope) -> None:
        await db.execute("UPDATE follow_ups SET done = true WHERE follow_up_id = $1", envelope.event.follow_up_id)

    @handles(Referral.Made)
    async def _referral(self, db: Db, envelope: Envelope) -> None:
        event: Referral.Made = envelope.event
        kind = event.destination.organisation_kind
        await db.execute(
            """INSERT INTO referrals
                 (referral_id, person_id, source, organisation_kind, status, made_at, made_by, addressed_to)
               VALUES ($1, $2, $3, $4, 'made', $5, $6, $7) ON CONFLICT (referral_id) DO NOTHING""",
            envelope.stream_id,
            event.person_id,
            str(event.source),
            None if kind is None else str(kind),
            envelope.recorded_at,
            event.made_by,
            event.destination.social_worker_id,
        )

    @handles(Referral.Accepted)
    async def _accepted(self, db: Db, envelope: Envelope) -> None:
        await db.execute(
            """UPDATE referrals SET status = 'accepted', answered_by = $2, case_id = $3, answered_at = $4
               WHERE referral_id = $1""",
            envelope.stream_id,
            envelope.event.accepted_by,
            envelope.event.case_id,
            envelope.recorded_at,
        )

    @handles(Referral.Declined, Referral.Completed, Referral.Withdrawn)
    async def _answered(self, db: Db, envelope: Envelope) -> None:
        status = {Referral.Declined: "declined", Referral.Completed: "completed", Referral.Withdrawn: "withdrawn"}
        await db.execute(
            """UPDATE referrals SET status = $2, answered_by = coalesce(answered_by, $3),
                      answered_at = coalesce(answered_at, $4)
               WHERE referral_id = $1""",
            envelope.stream_id,
            status[type(envelope.event)],
            envelope.actor_id,
            envelope.recorded_at,
        )

    @handles(ERASED)
    async def _erased(self, db: Db, envelope: Envelope) -> None:
        for table in ("cases", "follow_ups", "referrals", "registrations"):
            await db.execute(f"DELETE FROM {table} WHERE person_id = $1", envelope.stream_id)


KEPT_YEARS = 5
"""The default of the setting ``retention_social_legal_years``: how long a closed case stays hers."""


def _kept_since(today: date, kept_years: int) -> datetime:
    """Cases closed since then are still within the retention period on ``today``."""
    return datetime.combine(add_months(today, -12 * kept_years), time.min, tzinfo=UTC)


async def read_caseload(db: Db, social_worker_id: UUID, today: date, kept_years: int = KEPT_YEARS) -> Caseload:
    cases = await db.fetch(
        """SELECT c.case_id, c.person_id, c.domain, c.opened_at,
                  min(f.due_on) FILTER (WHERE NOT f.done) AS next_follow_up,
                  count(f.*) FILTER (WHERE NOT f.done AND f.due_on < $2) AS overdue
           FROM rm_caseload.cases c LEFT JOIN rm_caseload.follow_ups f ON f.case_id = c.case_id
           WHERE c.social_worker_id = $1 AND c.status = 'open'
           GROUP BY c.case_id
           ORDER BY count(f.*) FILTER (WHERE NOT f.done AND f.due_on < $2) DESC,
                    min(f.due_on) FILTER (WHERE NOT f.done) NULLS LAST, c.opened_at""",
        social_worker_id,
        today,
    )
    closed = await db.fetch(
        """SELECT case_id, person_id, domain, opened_at, closed_at FROM rm_caseload.cases
           WHERE social_worker_id = $1 AND status = 'closed' AND closed_at >= $2
           ORDER BY closed_at DESC""",
        social_worker_id,
        _kept_since(today, kept_years),
    )
    follow_ups = await db.fetch(
        """SELECT f.follow_up_id, f.case_id, f.person_id, c.domain, f.due_on
           FROM rm_caseload.follow_ups f JOIN rm_caseload.cases c ON c.case_id = f.case_id
           WHERE c.social_worker_id = $1 AND c.status = 'open' AND NOT f.done
           ORDER BY f.due_on, f.follow_up_id""",
        social_worker_id,
    )
    # Incoming: for the social-legal service (or for her by name), made by someone else.
    waiting = await db.fetch(
        """SELECT referral_id, person_id, source, organisation_kind, made_at, made_by, addressed_to
           FROM rm_caseload.referrals
           WHERE status = 'made' AND organisation_kind IS NULL AND made_by <> $1
             AND (addressed_to IS NULL OR addressed_to = $1)
           ORDER BY made_at""",
        social_worker_id,
    )
    sent = await db.fetch(
        """SELECT referral_id, person_id, organisation_kind, addressed_to, status, made_at, answered_at
           FROM rm_caseload.referrals WHERE made_by = $1 ORDER BY made_at DESC LIMIT 50""",
        social_worker_id,
    )
    return Caseload(
        cases=[
            CaseLine(r["case_id"], r["person_id"], r["domain"], r["opened_at"], r["next_follow_up"], r["overdue"])
            for r in cases
        ],
        referrals_waiting=[
            WaitingReferral(
                r["referral_id"],
                r["person_id"],
                r["source"],
                r["organisation_kind"],
                r["made_at"],
                r["made_by"],
                r["addressed_to"],
            )
            for r in waiting
        ],
        closed=[
            ClosedCaseLine(r["case_id"], r["person_id"], r["domain"], r["opened_at"], r["closed_at"]) for r in closed
        ],
        follow_ups=[
            FollowUpLine(r["follow_up_id"], r["case_id"], r["person_id"], r["domain"], r["due_on"]) for r in follow_ups
        ],
        referrals_sent=[
            SentReferral(
                r["referral_id"],
                r["person_id"],
                r["organisation_kind"],
                r["addressed_to"],
                r["status"],
                r["made_at"],
                r["answered_at"],
            )
            for r in sent
        ],
    )


async def caseload_of(
    db: Db, social_worker_id: UUID, person_id: UUID, today: date | None = None, kept_years: int = KEPT_YEARS
) -> bool:
    """Whether the person is this social worker's own (the access policy asks): she registered
    them, or their case is hers, open, or closed within the retention period before ``today``
    (without ``today``, only an open case counts)."""
    kept_since = None if today is None else _kept_since(today, kept_years)
    return bool(
        await db.fetchval(
            """SELECT EXISTS (SELECT 1 FROM rm_caseload.cases
                              WHERE social_worker_id = $1 AND person_id = $2
                                AND (status = 'open' OR closed_at >= $3))
                   OR EXISTS (SELECT 1 FROM rm_caseload.registrations
                              WHERE registered_by = $1 AND person_id = $2)""",
            social_worker_id,
            person_id,
            kept_since,
        )
    )
