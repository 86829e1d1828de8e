"""Subject access and portability (Art. 15 and 20): everything about a person, from the events.

The export replays the person's own events (``store.read_subject``: identity, consents,
training, office hours, cases, notes, follow-ups, referrals, rights requests and every
``AccessRecord`` of a read of their file) and the non-personal cohort events that name them
(seats and waiting lists). It never reads a projection, so it is complete by construction:
an event class that has no section and is not listed as left out stops the export.
Making the export is itself a read of the person's file: it records an ``AccessRecord``.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from domain.access import AccessRecord
from domain.cohort import Cohort
from domain.person import Person
from domain.referral import Referral
from service.application.context import Actor, ApplicationContext
from service.gdpr.export_model import (
    LEFT_OUT,
    SECTIONS,
    CohortInfo,
    ExportEntry,
    IdentityVersion,
    Recipient,
    Section,
    SubjectExport,
)
from service.gdpr.guard import require_dpo
from service.storage.erasures import ensure_not_erased
from service.storage.eventstore.records import RecordedEvent
from service.storage.repository import AggregateNotFoundError

_IDENTITY_FIELDS = ("originator_id", "originator_version", "timestamp")
EXPORT_VIEW = "gdpr_export"
EXPORT_PURPOSE = "subject_access_request"
EXPORT_BASIS = "gdpr_art_15_20"


class ExportIncompleteError(Exception):
    """An event class has no place in the export and is not listed as left out: a bug, never ignored."""


async def export_person(
    ctx: ApplicationContext, actor: Actor, person_id: UUID, *, record_access: bool = True
) -> SubjectExport:
    """Everything Suivi holds about the person. Raises PersonErasedGoneError (410) once erased."""
    require_dpo(actor, "read")
    await ensure_not_erased(ctx.pool, person_id)
    recorded = await ctx.repository.store.read_subject(person_id)
    recorded = sorted(recorded + await _cohort_events(ctx), key=lambda e: (e.transaction_id, e.position))
    export: SubjectExport | None = None
    pending: list[tuple[RecordedEvent, Any]] = []
    cohorts: dict[UUID, CohortInfo] = {}
    unreadable = 0
    for stored in recorded:
        if stored.payload is None:
            unreadable += 1
            continue
        event = ctx.repository.codec.decode(stored.topic, stored.payload, stored.stream_id, stored.version)
        if isinstance(event, Cohort.Scheduled):
            cohorts[stored.stream_id] = CohortInfo(
                cohort_id=stored.stream_id,
                name=event.name,
                site=event.site,
                starts_on=event.starts_on,
                ends_on=event.ends_on,
            )
            continue
        if stored.subject_id is None and getattr(event, "person_id", None) != person_id:
            continue  # a cohort event about someone else
        if isinstance(event, Person.Registered):
            export = SubjectExport(
                generated_at=ctx.clock(),
                person_id=person_id,
                file_number=event.file_number,
                restricted=False,
                legal_holds=[],
            )
        pending.append((stored, event))
    if export is None:
        raise AggregateNotFoundError("Person", person_id)
    person: Person | None = None
    for stored, event in pending:
        _place(export, stored, event)
        if stored.stream_id == person_id:
            person = event.mutate(person)
    assert person is not None
    export.restricted = person.restricted
    export.legal_holds = list(person.legal_holds)
    export.merged_into = person.merged_into
    export.merged_records = list(person.merged)
    export.unreadable_events = unreadable
    named = {str(e.facts.get("cohort_id")) for e in export.training} | {
        str(e.record_id) for e in export.training if e.record == "Cohort"
    }
    export.cohorts = [info for cohort_id, info in cohorts.items() if str(cohort_id) in named]
    if record_access:
        record = AccessRecord.record(
            ctx.new_id(), person_id, actor.staff_id, EXPORT_VIEW, EXPORT_PURPOSE, EXPORT_BASIS, ctx.clock()
        )
        await ctx.repository.save(record, actor_id=actor.staff_id)
    return export


def section_of(event_class: type) -> Section | None:
    """The section an event class goes to; None when left out. Raises for an unknown class."""
    if event_class in LEFT_OUT:
        return None
    section = SECTIONS.get(event_class)
    if section is None:
        raise ExportIncompleteError(f"{event_class.__qualname__} has no place in the export")
    return section


def _place(export: SubjectExport, stored: RecordedEvent, event: Any) -> None:
    section = section_of(type(event))
    if section is None:
        return
    if section is Section.IDENTITY:
        export.identity.append(
            IdentityVersion(
                valid_from=event.timestamp,
                details=event.details,
                event=type(event).__qualname__,
                reason=getattr(event, "reason", None),
                by=stored.actor_id,
            )
        )
        return
    facts = msgspec.to_builtins({k: v for k, v in vars(event).items() if k not in _IDENTITY_FIELDS})
    entry = ExportEntry(
        at=event.timestamp,
        record_id=stored.stream_id,
        record=type(event).__qualname__.split(".")[0],
        event=type(event).__qualname__,
        by=stored.actor_id,
        facts=facts,
    )
    export.entries(section).append(entry)
    if isinstance(event, Referral.Made) and event.destination.is_external:
        kind = event.destination.organisation_kind
        export.recipients.append(
            Recipient(
                referral_id=stored.stream_id,
                organisation_kind=str(kind),
                organisation_name=event.destination.organisation_name,
                sent_at=event.timestamp,
                consent_record_id=None if event.consent is None else event.consent.consent_record_id,
                consent_version=None if event.consent is None else event.consent.given_version,
                override_reason=event.consent_override_reason,
            )
        )


async def _cohort_events(ctx: ApplicationContext) -> list[RecordedEvent]:
    """The non-personal cohort events (few: schedules, seats, waiting lists), unencrypted."""
    async with ctx.pool.acquire() as db:
        rows = await db.fetch(
            """SELECT position, transaction_id::text::bigint, stream_id, version, topic, category, subject_id,
                      recorded_at, actor_id, key_version, payload
               FROM events WHERE subject_id IS NULL AND category = 'training'"""
        )
    return [RecordedEvent(*row) for row in rows]
