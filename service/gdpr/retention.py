"""Storage limitation (Art. 5(1)(e)): who is due for erasure, a run, and the daily task.

A person is due once every kind of data held about them is past its period, counted from
the last event of that category (no decryption needed, only the log's columns):

- social-legal: ``SUIVI_RETENTION_SOCIAL_LEGAL_YEARS`` (5) after the last social-legal event,
  and never while a case is open (its last opening is not followed by a closing);
- training: ``SUIVI_RETENTION_TRAINING_YEARS`` (3) after the last training event (the cohort);
- office hours: ``SUIVI_RETENTION_OFFICE_HOURS_YEARS`` (2) after the last visit;
- identity only (registered, never served): ``SUIVI_RETENTION_IDENTITY_ONLY_YEARS`` (1) after
  the last change to their identity.

A document counts with its category, as its events do: a case's paper is social-legal data, an
identity scan identity data (``documents`` says how many of each go with the person).

Consent, access-log and GDPR events do not restart the clock. A run erases the people due,
except those under a legal hold, which it reports.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from uuid import UUID

import msgspec

from domain.case import Case
from domain.document import Document
from domain.person import Person
from domain.rights import add_months
from service.application.context import Actor, ApplicationContext
from service.documents import orphans
from service.gdpr.erasure import HoldSummary, erase, holds_of
from service.gdpr.guard import require_dpo
from service.gdpr.tools import ErasureTools
from service.settings import Settings
from service.storage.database import LOST_CONNECTION

log = logging.getLogger("suivi.retention")


class RetentionPolicy(msgspec.Struct, frozen=True, kw_only=True):
    social_legal_years: int = 5
    training_years: int = 3
    office_hours_years: int = 2
    identity_only_years: int = 1

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionPolicy:
        return cls(
            social_legal_years=settings.retention_social_legal_years,
            training_years=settings.retention_training_years,
            office_hours_years=settings.retention_office_hours_years,
            identity_only_years=settings.retention_identity_only_years,
        )


class DuePerson(msgspec.Struct, frozen=True, kw_only=True):
    person_id: UUID
    due_on: date
    kept_for: str
    """The category whose period ended last."""
    legal_holds: list[HoldSummary] = msgspec.field(default_factory=list)
    documents: dict[str, int] = msgspec.field(default_factory=dict)
    """The person's documents (scans) per category, erased with them."""


class RetentionReport(msgspec.Struct, kw_only=True):
    dry_run: bool
    today: date
    due: list[DuePerson]
    erased: list[UUID] = msgspec.field(default_factory=list)
    receipts: list[UUID] = msgspec.field(default_factory=list)
    held: list[DuePerson] = msgspec.field(default_factory=list)


_LAST_EVENTS = """
WITH last AS (
    SELECT subject_id,
           max(recorded_at) FILTER (WHERE category = 'social_legal') AS social_legal,
           max(recorded_at) FILTER (WHERE category = 'training') AS training,
           max(recorded_at) FILTER (WHERE category = 'office_hours') AS office_hours,
           max(recorded_at) FILTER (WHERE category = 'identity') AS identity
    FROM events WHERE subject_id IS NOT NULL GROUP BY subject_id
), open_cases AS (
    SELECT DISTINCT subject_id FROM (
        SELECT DISTINCT ON (stream_id) subject_id, topic FROM events
        WHERE topic = ANY($1::text[]) ORDER BY stream_id, version DESC
    ) latest WHERE topic <> $2
)
SELECT l.* FROM last l
WHERE EXISTS (SELECT 1 FROM events p WHERE p.stream_id = l.subject_id AND p.version = 1 AND p.topic = $3)
  AND NOT EXISTS (SELECT 1 FROM erasure_ledger e WHERE e.subject_id = l.subject_id)
  AND l.subject_id NOT IN (SELECT subject_id FROM open_cases)
"""


def due_date(policy: RetentionPolicy, last: dict[str, datetime | None]) -> tuple[date, str]:
    """When the person is due, and which category decides it."""
    periods = {
        "social_legal": policy.social_legal_years,
        "training": policy.training_years,
        "office_hours": policy.office_hours_years,
    }
    served = {category: at for category, at in last.items() if at is not None and category in periods}
    if not served:
        at = last.get("identity")
        assert at is not None
        return add_months(at.date(), 12 * policy.identity_only_years), "identity_only"
    return max((add_months(at.date(), 12 * periods[c]), c) for c, at in served.items())


async def people_due(ctx: ApplicationContext, policy: RetentionPolicy, today: date) -> list[DuePerson]:
    codec = ctx.repository.codec
    case_topics = [codec.topic_of_class(c) for c in (Case.Opened, Case.Closed, Case.Reopened)]
    async with ctx.pool.acquire() as db:
        rows = await db.fetch(_LAST_EVENTS, case_topics, case_topics[1], codec.topic_of_class(Person.Registered))
    due = []
    for row in rows:
        last = {c: row[c] for c in ("social_legal", "training", "office_hours", "identity")}
        if last["identity"] is None:
            continue
        on, category = due_date(policy, last)
        if on <= today:
            due.append(DuePerson(person_id=row["subject_id"], due_on=on, kept_for=category))
    async with ctx.pool.acquire() as db:
        held = await db.fetch(
            """SELECT subject_id, category, count(*) AS documents FROM events
               WHERE topic = $1 AND subject_id = ANY($2::uuid[]) GROUP BY subject_id, category""",
            codec.topic_of_class(Document.Attached),
            [d.person_id for d in due],
        )
    documents: dict[UUID, dict[str, int]] = {}
    for row in held:
        documents.setdefault(row["subject_id"], {})[row["category"]] = row["documents"]
    due = [msgspec.structs.replace(d, documents=documents.get(d.person_id, {})) for d in due]
    return sorted(due, key=lambda d: (d.due_on, str(d.person_id)))


async def run_retention(
    ctx: ApplicationContext, actor: Actor, tools: ErasureTools, policy: RetentionPolicy, *, dry_run: bool
) -> RetentionReport:
    """List (``dry_run``) or erase the people due; legal holds are reported, never erased."""
    require_dpo(actor)
    today = ctx.clock().date()
    report = RetentionReport(dry_run=dry_run, today=today, due=[])
    if not dry_run:  # and the content of uploads whose document event never landed
        await orphans.sweep(ctx.documents, ctx.pool)
    for candidate in await people_due(ctx, policy, today):
        holds = holds_of(await ctx.repository.get(Person, candidate.person_id))
        person = msgspec.structs.replace(candidate, legal_holds=holds)
        report.due.append(person)
        if holds:
            report.held.append(person)
        elif not dry_run:
            receipt = await erase(ctx, actor, person.person_id, tools)
            report.erased.append(person.person_id)
            report.receipts.append(receipt.receipt_id)
    return report


async def retention_daily(
    ctx: ApplicationContext,
    actor: Actor,
    tools: ErasureTools,
    policy: RetentionPolicy,
    *,
    first_delay: float = 60.0,
    every: timedelta = timedelta(days=1),
    retry_after: float = 30.0,
    retry_cap: float = 3600.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    rng: Callable[[], float] = random.random,
) -> None:
    """Run retention once a day until cancelled (start it as a task in the app's lifespan).

    A failed run (the database lost, say) never ends the task: it is logged (the error's type
    only) and tried again after ``retry_after`` seconds, doubling up to ``retry_cap``, jittered;
    the next day's run is counted from the run that went through.
    """
    await sleep(first_delay)
    while True:
        delay = retry_after
        while True:
            try:
                report = await run_retention(ctx, actor, tools, policy, dry_run=False)
            except Exception as error:
                wait = delay / 2 + rng() * delay / 2
                log.log(
                    logging.WARNING if isinstance(error, LOST_CONNECTION) else logging.ERROR,
                    "retention run failed (%s); trying again in %.0f s",
                    type(error).__name__,
                    wait,
                    extra={"event": "retention_failed", "error_type": type(error).__name__},
                )
                await sleep(wait)
                delay = min(retry_cap, delay * 2)
                continue
            log.info(
                "retention: %d due, %d erased, %d under a legal hold",
                len(report.due),
                len(report.erased),
                len(report.held),
            )
            break
        await sleep(every.total_seconds())
