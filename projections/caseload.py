"""A social worker's caseload: open cases, next and overdue follow-ups, referrals awaiting an answer."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec

from domain.case import Case
from domain.referral import Referral
from projections.base import ERASED, Db, Envelope, Projection, handles


class CaseLine(msgspec.Struct, frozen=True):
    case_id: UUID
    person_id: UUID
    domain: str
    opened_at: datetime
    next_follow_up: date | None
    overdue_follow_ups: int


class WaitingReferral(msgspec.Struct, frozen=True):
    referral_id: UUID
    person_id: UUID
    source: str
    organisation_kind: str | None
    made_at: datetime


class Caseload(msgspec.Struct, frozen=True):
    cases: list[CaseLine]
    referrals_waiting: list[WaitingReferral]


class CaseloadProjection(Projection):
    name = "caseload"
    schema = "rm_caseload"

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
            """INSERT INTO referrals (referral_id, person_id, source, organisation_kind, status, made_at, made_by)
               VALUES ($1, $2, $3, $4, 'made', $5, $6) ON CONFLICT (referral_id) DO NOTHING""",
            envelope.stream_id,
            event.person_id,
            str(event.source),
            None if kind is None else str(kind),
            envelope.recorded_at,
            event.made_by,
        )

    @handles(Referral.Accepted)
    async def _accepted(self, db: Db, envelope: Envelope) -> None:
        await db.execute(
            "UPDATE referrals SET status = 'accepted', answered_by = $2, case_id = $3 WHERE referral_id = $1",
            envelope.stream_id,
            envelope.event.accepted_by,
            envelope.event.case_id,
        )

    @handles(Referral.Declined, Referral.Completed, Referral.Withdrawn)
    async def _answered(self, db: Db, envelope: Envelope) -> None:
        status = {Referral.Declined: "declined", Referral.Completed: "completed", Referral.Withdrawn: "withdrawn"}
        await db.execute(
            "UPDATE referrals SET status = $2, answered_by = coalesce(answered_by, $3) WHERE referral_id = $1",
            envelope.stream_id,
            status[type(envelope.event)],
            envelope.actor_id,
        )

    @handles(ERASED)
    async def _erased(self, db: Db, envelope: Envelope) -> None:
        for table in ("cases", "follow_ups", "referrals"):
            await db.execute(f"DELETE FROM {table} WHERE person_id = $1", envelope.stream_id)


async def read_caseload(db: Db, social_worker_id: UUID, today: date) -> Caseload:
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
    # Referrals to the social-legal service wait for any social worker to answer them.
    waiting = await db.fetch(
        """SELECT referral_id, person_id, source, organisation_kind, made_at FROM rm_caseload.referrals
           WHERE status = 'made' AND (organisation_kind IS NULL OR made_by = $1) ORDER BY made_at""",
        social_worker_id,
    )
    return Caseload(
        cases=[
            CaseLine(r["case_id"], r["person_id"], r["domain"], r["opened_at"], r["next_follow_up"], r["overdue"])
            for r in cases
        ],
        referrals_waiting=[
            WaitingReferral(r["referral_id"], r["person_id"], r["source"], r["organisation_kind"], r["made_at"])
            for r in waiting
        ],
    )


async def caseload_of(db: Db, social_worker_id: UUID, person_id: UUID) -> bool:
    """Whether the person has an open case with this social worker (the access policy asks)."""
    return bool(
        await db.fetchval(
            """SELECT EXISTS (SELECT 1 FROM rm_caseload.cases
                              WHERE social_worker_id = $1 AND person_id = $2 AND status = 'open')""",
            social_worker_id,
            person_id,
        )
    )
