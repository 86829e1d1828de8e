"""Anonymous statistics per month, for the centre and its funders.

No person id is kept. Distinct people are counted through keyed pseudonyms; when a
person is erased their pseudonyms turn into a plain count, so the figures do not move.
Facts that wait for a second event (an initial and a final DigComp level, a referral's
destination before its outcome) wait under a keyed item id and are dropped once used.
People are also counted per group (a service, the learners of a DigComp area) through
``members``, so that a gain or a rate is published only for enough people. These figures
are raw: what is published goes through small-cell suppression (``service.application.reports``).
"""

from __future__ import annotations

from collections.abc import Sequence
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

_SERVICE_EVENTS = (Visit.CheckedIn, TrainingRecord.AttendanceRecorded, Case.Opened, Case.NoteAdded, Referral.Made)
_SERVICE_OF: dict[type, str] = {
    Visit.CheckedIn: "office_hours",
    TrainingRecord.AttendanceRecorded: "training",
    Case.Opened: "social_legal",
    Case.NoteAdded: "social_legal",
    Referral.Made: "social_legal",
}
"""The service each event counts a person in (people served per service)."""


class Month(msgspec.Struct, frozen=True):
    """One month's figures, for the monthly lines."""

    period: date
    people_served: int
    new_people: int
    office_hours_requests: int
    referrals_made: int


class Statistics(msgspec.Struct, frozen=True):
    """The raw figures of a run of months: never published as they are (see ``service.application.reports``).

    Counts of people are of distinct people over the whole run; the other counts are of
    records (attendances, requests, referrals).
    """

    period_from: date
    period_to: date
    people_served: int
    people_per_service: dict[str, int]
    new_people: int
    nationalities: dict[str, int]
    attendance: dict[str, int]
    learners: int
    training_hours: Decimal
    training_outcomes: dict[str, int]
    digcomp_learners: dict[str, int]
    digcomp_gain_per_area: dict[str, float]
    office_hours_requests: dict[str, int]
    referrals_made: dict[str, int]
    referral_outcomes: dict[str, dict[str, int]]
    months: list[Month]


class StatisticsProjection(Projection):
    name = "statistics"
    schema = "rm_statistics"

    def __init__(self, index: BlindIndex) -> None:
        self._index = index
        self.begin()

    def begin(self) -> None:
        self._gather()
        self._stored: dict[bytes, dict[str, Any]] = {}
        """Open items as stored, for the ones the batch reads (``prepare``); absent if none is."""

    def _gather(self) -> None:
        # What a batch gathers, written once at its end rather than a round trip per event.
        self._counts: dict[tuple[date, str, str], Decimal] = {}
        self._served_rows: set[tuple[date, bytes]] = set()
        self._member_rows: set[tuple[date, str, bytes]] = set()
        self._items: dict[bytes, tuple[bytes, dict[str, Any]] | None] = {}
        """Open items touched in the batch: (pseudonym, facts), or None once closed."""

    async def prepare(self, db: Db, envelopes: Sequence[Envelope]) -> None:
        """The open items the batch's assessments and referral outcomes will read, in one query."""
        wanted = [item for envelope in envelopes if (item := self._item_read_by(envelope)) is not None]
        if wanted:
            rows = await db.fetch("SELECT item, facts FROM open_items WHERE item = ANY($1)", wanted)
            self._stored = {row["item"]: dict(msgspec.msgpack.decode(row["facts"])) for row in rows}

    def _item_read_by(self, envelope: Envelope) -> bytes | None:
        event = envelope.event
        if isinstance(event, TrainingRecord.Assessed):
            return self._assessment_item(envelope.stream_id, event.competence)
        if isinstance(event, (Referral.Accepted, Referral.Declined, Referral.Completed, Referral.Withdrawn)):
            return self._referral_item(envelope.stream_id)
        return None

    def _assessment_item(self, record_id: UUID, competence: str) -> bytes:
        return self._index.pseudonym(f"assessment:{record_id}:{competence}")

    def _referral_item(self, referral_id: UUID) -> bytes:
        return self._index.pseudonym(f"referral:{referral_id}")

    async def flush(self, db: Db) -> None:
        """One statement per table for the whole batch: counters upserted once each, rows inserted together."""
        if self._served_rows:
            await db.executemany(
                "INSERT INTO served (period, pseudonym) VALUES ($1, $2) ON CONFLICT DO NOTHING", list(self._served_rows)
            )
        if self._member_rows:
            await db.executemany(
                "INSERT INTO members (period, grp, pseudonym) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                list(self._member_rows),
            )
        closed = [item for item, kept in self._items.items() if kept is None]
        if closed:
            await db.execute("DELETE FROM open_items WHERE item = ANY($1)", closed)
        kept_items = [(item, kept[0], msgspec.msgpack.encode(kept[1])) for item, kept in self._items.items() if kept]
        if kept_items:
            await db.executemany(
                """INSERT INTO open_items (item, pseudonym, facts) VALUES ($1, $2, $3)
                   ON CONFLICT (item) DO UPDATE SET facts = $3""",
                kept_items,
            )
        if self._counts:
            await db.executemany(
                """INSERT INTO counters (period, metric, dimension, value) VALUES ($1, $2, $3, $4)
                   ON CONFLICT (period, metric, dimension) DO UPDATE SET value = counters.value + $4""",
                [(*key, value) for key, value in self._counts.items()],
            )
        for item, kept in self._items.items():  # stored now (an erasure flushes in mid-batch)
            if kept is None:
                self._stored.pop(item, None)
            else:
                self._stored[item] = kept[1]
        self._gather()

    def _open_item(self, item: bytes) -> dict[str, Any]:
        """As the batch left it, else as stored (``prepare`` loaded it)."""
        if item in self._items:
            kept = self._items[item]
            return {} if kept is None else dict(kept[1])
        return dict(self._stored.get(item, {}))

    def _keep_item(self, item: bytes, pseudonym: bytes, facts: dict[str, Any]) -> None:
        self._items[item] = (pseudonym, facts)

    def _close_item(self, item: bytes) -> None:
        self._items[item] = None

    def _add(self, period: date, metric: str, dimension: str = "", value: Decimal = Decimal(1)) -> None:
        key = (period, metric, dimension)
        self._counts[key] = self._counts.get(key, Decimal(0)) + value

    @handles(*_SERVICE_EVENTS)
    async def _served(self, db: Db, envelope: Envelope) -> None:
        if envelope.subject_id is not None:
            period, pseudonym = _period(envelope.recorded_at), self._pseudonym(envelope.subject_id)
            self._served_rows.add((period, pseudonym))
            self._member_rows.add((period, f"service:{_SERVICE_OF[type(envelope.event)]}", pseudonym))
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
        item = self._assessment_item(envelope.stream_id, event.competence)
        facts = self._open_item(item)
        facts[str(event.kind)] = event.level
        if "initial" in facts and "final" in facts:
            area = digcomp_competence(event.competence).area_code
            period = _period(envelope.recorded_at)
            self._add(period, "digcomp_gain_sum", area, Decimal(facts["final"] - facts["initial"]))
            self._add(period, "digcomp_gain_count", area)
            # Gains are published per area only for enough learners, not enough competences.
            self._member_rows.add((period, f"digcomp:{area}", self._pseudonym(envelope.subject_id)))
            self._close_item(item)
        else:
            self._keep_item(item, self._pseudonym(envelope.subject_id), facts)

    async def _referral_made(self, db: Db, envelope: Envelope) -> None:
        event: Referral.Made = envelope.event
        destination = str(event.destination.organisation_kind or "social_legal")
        self._add(_period(envelope.recorded_at), "referrals_made", destination)
        item = self._referral_item(envelope.stream_id)
        self._keep_item(item, self._pseudonym(event.person_id), {"destination": destination})

    @handles(Referral.Accepted, Referral.Declined, Referral.Completed, Referral.Withdrawn)
    async def _referral_outcome(self, db: Db, envelope: Envelope) -> None:
        item = self._referral_item(envelope.stream_id)
        facts = self._open_item(item)
        outcome = type(envelope.event).__name__.lower()
        destination = facts.get("destination", "unknown")
        self._add(_period(envelope.recorded_at), "referral_outcome", f"{destination}:{outcome}")
        if not isinstance(envelope.event, Referral.Accepted):
            self._close_item(item)

    @handles(Visit.Helped)
    async def _helped(self, db: Db, envelope: Envelope) -> None:
        self._add(_period(envelope.recorded_at), "office_hours_request", str(envelope.event.help.category))

    @handles(ERASED)
    async def _erased(self, db: Db, envelope: Envelope) -> None:
        pseudonym = self._pseudonym(envelope.stream_id)
        # What the batch gathered so far is this person's too: written first, then erased. Counters
        # only add up: they wait for the end of the batch (written now too, they would count twice).
        counts, self._counts = self._counts, {}
        await self.flush(db)
        self._counts = counts
        rows = await db.fetch("DELETE FROM served WHERE pseudonym = $1 RETURNING period", pseudonym)
        for row in rows:
            self._add(row["period"], "people_served_erased")
        groups = await db.fetch("DELETE FROM members WHERE pseudonym = $1 RETURNING period, grp", pseudonym)
        for row in groups:
            self._add(row["period"], "members_erased", row["grp"])
        await db.execute("DELETE FROM open_items WHERE pseudonym = $1", pseudonym)

    def _pseudonym(self, person_id: UUID) -> bytes:
        return self._index.pseudonym(f"person:{person_id}")


async def read_statistics(db: Db, period_from: date, period_to: date) -> Statistics:
    """Figures for the months from ``period_from`` to ``period_to`` (first days of months)."""
    rows = await db.fetch(
        """SELECT period, metric, dimension, value FROM rm_statistics.counters
           WHERE period BETWEEN $1 AND $2""",
        period_from,
        period_to,
    )
    counters: dict[str, dict[str, Decimal]] = {}
    monthly: dict[tuple[date, str], Decimal] = {}
    for row in rows:
        metric = counters.setdefault(row["metric"], {})
        metric[row["dimension"]] = metric.get(row["dimension"], Decimal(0)) + row["value"]
        key = (row["period"], row["metric"])
        monthly[key] = monthly.get(key, Decimal(0)) + row["value"]
    served = await db.fetchval(
        "SELECT count(DISTINCT pseudonym) FROM rm_statistics.served WHERE period BETWEEN $1 AND $2",
        period_from,
        period_to,
    )
    served_monthly = {
        row["period"]: int(row["people"])
        for row in await db.fetch(
            """SELECT period, count(*) AS people FROM rm_statistics.served
               WHERE period BETWEEN $1 AND $2 GROUP BY period""",
            period_from,
            period_to,
        )
    }
    members = {
        row["grp"]: int(row["people"])
        for row in await db.fetch(
            """SELECT grp, count(DISTINCT pseudonym) AS people FROM rm_statistics.members
               WHERE period BETWEEN $1 AND $2 GROUP BY grp""",
            period_from,
            period_to,
        )
    }
    for group, erased in counters.get("members_erased", {}).items():
        members[group] = members.get(group, 0) + int(erased)

    def counts(metric: str) -> dict[str, int]:
        return {k: int(v) for k, v in sorted(counters.get(metric, {}).items())}

    def grouped(prefix: str) -> dict[str, int]:
        return {k.removeprefix(prefix): v for k, v in sorted(members.items()) if k.startswith(prefix)}

    def in_month(period: date, metric: str) -> int:
        return int(monthly.get((period, metric), 0))

    gains, pairs = counters.get("digcomp_gain_sum", {}), counters.get("digcomp_gain_count", {})
    outcomes: dict[str, dict[str, int]] = {}
    for dimension, value in counters.get("referral_outcome", {}).items():
        destination, _, outcome = dimension.rpartition(":")
        outcomes.setdefault(destination or "unknown", {})[outcome] = int(value)
    return Statistics(
        period_from=period_from,
        period_to=period_to,
        people_served=int(served) + int(counters.get("people_served_erased", {}).get("", 0)),
        people_per_service=grouped("service:"),
        new_people=int(counters.get("new_people", {}).get("", 0)),
        nationalities=counts("nationality"),
        attendance=counts("attendance"),
        learners=members.get("service:training", 0),
        training_hours=counters.get("training_hours", {}).get("", Decimal(0)),
        training_outcomes=counts("training_outcome"),
        digcomp_learners=grouped("digcomp:"),
        digcomp_gain_per_area={area: float(gains[area] / pairs[area]) for area in sorted(pairs) if pairs[area]},
        office_hours_requests=counts("office_hours_request"),
        referrals_made=counts("referrals_made"),
        referral_outcomes={k: dict(sorted(v.items())) for k, v in sorted(outcomes.items())},
        months=[
            Month(
                period=period,
                people_served=served_monthly.get(period, 0) + in_month(period, "people_served_erased"),
                new_people=in_month(period, "new_people"),
                office_hours_requests=in_month(period, "office_hours_request"),
                referrals_made=in_month(period, "referrals_made"),
            )
            for period in _months(period_from, period_to)
        ],
    )


def _months(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def _period(at: datetime) -> date:
    return date(at.year, at.month, 1)
