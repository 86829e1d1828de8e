"""Anonymous statistics per month, for the centre and its funders.

No person id is kept. Distinct people are counted through keyed pseudonyms; when a
person is erased their pseudonyms turn into a plain count, so the figures do not move.
Facts that wait for a second event (an initial and a final DigComp level, a referral's
destination before its outcome) wait under a keyed item id and are dropped once used.
Reports handed out are frozen in ``statistics_reports`` and never recomputed.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from domain.case import Case
from domain.digcomp import competence as digcomp_competence
from domain.office_hours import Visit
from domain.person import Person
from domain.referral import Referral
from domain.training import AttendanceStatus, TrainingRecord
from projections.base import ERASED, Db, Envelope, Projection, handles
from projections.blind_index import BlindIndex

SMALL_CELL = 5  # nationality counts below this are suppressed: too few people to stay anonymous
_SERVICE_EVENTS = (Visit.CheckedIn, TrainingRecord.AttendanceRecorded, Case.Opened, Case.NoteAdded, Referral.Made)


class Statistics(msgspec.Struct, frozen=True):
    period_from: date
    period_to: date
    people_served: int
    new_people: int
    nationalities: dict[str, int]
    nationalities_suppressed: int
    training_hours: Decimal
    attendance_rate: float | None
    completion_rate: float | None
    digcomp_gain_per_area: dict[str, float]
    office_hours_requests: dict[str, int]
    referrals_made: dict[str, int]
    referral_outcomes: dict[str, int]


class StatisticsProjection(Projection):
    name = "statistics"
    schema = "rm_statistics"

    def __init__(self, index: BlindIndex) -> None:
        self._index = index
        self._counts: dict[tuple[date, str, str], Decimal] = {}

    def begin(self) -> None:
        self._counts = {}

    async def flush(self, db: Db) -> None:
        """One upsert per counter touched in the batch, instead of one per event."""
        if self._counts:
            await db.executemany(
                """INSERT INTO counters (period, metric, dimension, value) VALUES ($1, $2, $3, $4)
                   ON CONFLICT (period, metric, dimension) DO UPDATE SET value = counters.value + $4""",
                [(*key, value) for key, value in self._counts.items()],
            )
        self._counts = {}

    def _add(self, period: date, metric: str, dimension: str = "", value: Decimal = Decimal(1)) -> None:
        key = (period, metric, dimension)
        self._counts[key] = self._counts.get(key, Decimal(0)) + value

    @handles(*_SERVICE_EVENTS)
    async def _served(self, db: Db, envelope: Envelope) -> None:
        if envelope.subject_id is not None:
            await db.execute(
                "INSERT INTO served (period, pseudonym) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                _period(envelope.recorded_at),
                self._pseudonym(envelope.subject_id),
            )
        if isinstance(envelope.event, TrainingRecord.AttendanceRecorded):
            await self._attendance(db, envelope)
        elif isinstance(envelope.event, Referral.Made):
            await self._referral_made(db, envelope)

    @handles(Person.Registered)
    async def _registered(self, db: Db, envelope: Envelope) -> None:
        period = _period(envelope.recorded_at)
        self._add(period, "new_people")
        self._add(period, "nationality", envelope.event.details.nationality or "unknown")

    async def _attendance(self, db: Db, envelope: Envelope) -> None:
        event: TrainingRecord.AttendanceRecorded = envelope.event
        period = _period(envelope.recorded_at)
        self._add(period, "attendance", str(event.status))
        if event.status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE):
            self._add(period, "training_hours", value=event.hours)

    @handles(TrainingRecord.Completed, TrainingRecord.Withdrawn)
    async def _finished(self, db: Db, envelope: Envelope) -> None:
        outcome = "completed" if isinstance(envelope.event, TrainingRecord.Completed) else "withdrawn"
        self._add(_period(envelope.recorded_at), "training_outcome", outcome)

    @handles(TrainingRecord.Assessed)
    async def _assessed(self, db: Db, envelope: Envelope) -> None:
        event: TrainingRecord.Assessed = envelope.event
        if str(event.kind) not in ("initial", "final") or envelope.subject_id is None:
            return
        item = self._index.pseudonym(f"assessment:{envelope.stream_id}:{event.competence}")
        facts = await _open_item(db, item)
        facts[str(event.kind)] = event.level
        if "initial" in facts and "final" in facts:
            area = digcomp_competence(event.competence).area_code
            period = _period(envelope.recorded_at)
            self._add(period, "digcomp_gain_sum", area, Decimal(facts["final"] - facts["initial"]))
            self._add(period, "digcomp_gain_count", area)
            await db.execute("DELETE FROM open_items WHERE item = $1", item)
        else:
            await _keep_item(db, item, self._pseudonym(envelope.subject_id), facts)

    async def _referral_made(self, db: Db, envelope: Envelope) -> None:
        event: Referral.Made = envelope.event
        destination = str(event.destination.organisation_kind or "social_legal")
        self._add(_period(envelope.recorded_at), "referrals_made", destination)
        item = self._index.pseudonym(f"referral:{envelope.stream_id}")
        await _keep_item(db, item, self._pseudonym(event.person_id), {"destination": destination})

    @handles(Referral.Accepted, Referral.Declined, Referral.Completed, Referral.Withdrawn)
    async def _referral_outcome(self, db: Db, envelope: Envelope) -> None:
        item = self._index.pseudonym(f"referral:{envelope.stream_id}")
        facts = await _open_item(db, item)
        outcome = type(envelope.event).__name__.lower()
        destination = facts.get("destination", "unknown")
        self._add(_period(envelope.recorded_at), "referral_outcome", f"{destination}:{outcome}")
        if not isinstance(envelope.event, Referral.Accepted):
            await db.execute("DELETE FROM open_items WHERE item = $1", item)

    @handles(Visit.Helped)
    async def _helped(self, db: Db, envelope: Envelope) -> None:
        self._add(_period(envelope.recorded_at), "office_hours_request", str(envelope.event.help.category))

    @handles(ERASED)
    async def _erased(self, db: Db, envelope: Envelope) -> None:
        pseudonym = self._pseudonym(envelope.stream_id)
        rows = await db.fetch("DELETE FROM served WHERE pseudonym = $1 RETURNING period", pseudonym)
        for row in rows:
            self._add(row["period"], "people_served_erased")
        await db.execute("DELETE FROM open_items WHERE pseudonym = $1", pseudonym)

    def _pseudonym(self, person_id: UUID) -> bytes:
        return self._index.pseudonym(f"person:{person_id}")


async def read_statistics(db: Db, period_from: date, period_to: date) -> Statistics:
    """Figures for the months from ``period_from`` to ``period_to`` (first days of months)."""
    rows = await db.fetch(
        """SELECT metric, dimension, sum(value) AS value FROM rm_statistics.counters
           WHERE period BETWEEN $1 AND $2 GROUP BY metric, dimension""",
        period_from,
        period_to,
    )
    counters: dict[str, dict[str, Decimal]] = {}
    for row in rows:
        counters.setdefault(row["metric"], {})[row["dimension"]] = row["value"]
    served = await db.fetchval(
        "SELECT count(DISTINCT pseudonym) FROM rm_statistics.served WHERE period BETWEEN $1 AND $2",
        period_from,
        period_to,
    )
    nationalities = {k: int(v) for k, v in counters.get("nationality", {}).items()}
    attendance = counters.get("attendance", {})
    attended = attendance.get("present", Decimal(0)) + attendance.get("late", Decimal(0))
    outcomes = counters.get("training_outcome", {})
    finished = sum(outcomes.values(), Decimal(0))
    gains, pairs = counters.get("digcomp_gain_sum", {}), counters.get("digcomp_gain_count", {})
    return Statistics(
        period_from=period_from,
        period_to=period_to,
        people_served=int(served) + int(counters.get("people_served_erased", {}).get("", 0)),
        new_people=int(counters.get("new_people", {}).get("", 0)),
        nationalities={k: v for k, v in sorted(nationalities.items()) if v >= SMALL_CELL},
        nationalities_suppressed=sum(v for v in nationalities.values() if v < SMALL_CELL),
        training_hours=counters.get("training_hours", {}).get("", Decimal(0)),
        attendance_rate=float(attended / sum(attendance.values())) if attendance else None,
        completion_rate=float(outcomes.get("completed", 0) / finished) if finished else None,
        digcomp_gain_per_area={area: float(gains[area] / pairs[area]) for area in sorted(pairs) if pairs[area]},
        office_hours_requests={k: int(v) for k, v in sorted(counters.get("office_hours_request", {}).items())},
        referrals_made={k: int(v) for k, v in sorted(counters.get("referrals_made", {}).items())},
        referral_outcomes={k: int(v) for k, v in sorted(counters.get("referral_outcome", {}).items())},
    )


async def issue_report(db: Db, report_id: UUID, period_from: date, period_to: date, at: datetime) -> Statistics:
    """Freeze the figures as handed out: later erasures or rebuilds never change them."""
    figures = await read_statistics(db, period_from, period_to)
    await db.execute(
        """INSERT INTO statistics_reports (report_id, period_from, period_to, issued_at, body)
           VALUES ($1, $2, $3, $4, $5::jsonb)""",
        report_id,
        period_from,
        period_to,
        at,
        msgspec.json.encode(figures).decode(),
    )
    return figures


async def issued_report(db: Db, report_id: UUID) -> Statistics | None:
    body = await db.fetchval("SELECT body::text FROM statistics_reports WHERE report_id = $1", report_id)
    return None if body is None else msgspec.json.decode(body, type=Statistics)


def _period(at: datetime) -> date:
    return date(at.year, at.month, 1)


async def _open_item(db: Db, item: bytes) -> dict[str, Any]:
    facts = await db.fetchval("SELECT facts FROM open_items WHERE item = $1", item)
    return {} if facts is None else dict(msgspec.msgpack.decode(facts))


async def _keep_item(db: Db, item: bytes, pseudonym: bytes, facts: dict[str, Any]) -> None:
    await db.execute(
        """INSERT INTO open_items (item, pseudonym, facts) VALUES ($1, $2, $3)
           ON CONFLICT (item) DO UPDATE SET facts = $3""",
        item,
        pseudonym,
        msgspec.msgpack.encode(facts),
    )
