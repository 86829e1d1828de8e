"""The case file: one timeline of a person, filtered by what the reader may see."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec

from domain.base import Category
from domain.office_hours import RequestCategory
from domain.policy import Scope
from projections.case_file import CaseFileEntry
from projections.directory import case_file_as_one
from service.application.authorisation import consents_of
from service.application.context import Actor, ApplicationContext
from service.application.reading import ReadGrant, ReadPurpose, open_for_reading

_DIGITAL_HELP = {
    str(c)
    for c in (
        RequestCategory.SOFTWARE,
        RequestCategory.TECHNICAL_PROBLEM,
        RequestCategory.ONLINE_PROCEDURE,
        RequestCategory.WRITING,
    )
}


class Entry(msgspec.Struct, frozen=True):
    position: int
    recorded_at: datetime
    category: str
    kind: str
    body: dict[str, Any]
    stream_id: UUID | None = None
    """The case, visit, referral or record the entry belongs to (its id, never personal data)."""
    actor_id: UUID | None = None
    """The staff member who caused it (named in ``CaseFile.staff_names``)."""


class ConsentShown(msgspec.Struct, frozen=True):
    """One consent the person gave, for a purpose (and, for a referral, the outside body it names)."""

    purpose: str
    evidence: str
    given_on: date
    organisation_kind: str | None = None
    organisation_name: str | None = None
    valid_until: date | None = None
    ended_on: date | None = None
    """Withdrawn or expired from that day on."""
    holds: bool = True
    """Whether it holds today."""


class CaseFile(msgspec.Struct, frozen=True):
    person_id: UUID
    break_glass: bool
    restricted: bool
    """Processing is restricted (Art. 18 or a pending objection): only the DPO may change anything."""
    categories: list[str]
    entries: list[Entry]
    staff_names: dict[UUID, str] = {}
    """The display name of every staff member the entries name, so that a page never shows a staff id."""
    consents: list[ConsentShown] = []
    """The person's consents, most recent first (when the reader may read consents)."""


async def case_file(
    ctx: ApplicationContext,
    actor: Actor,
    person_id: UUID,
    purpose: ReadPurpose = ReadPurpose.FOLLOW_UP,
    break_glass_reason: str | None = None,
) -> CaseFile:
    """The person's timeline in every category the reader may read (office hours: digital help only, maybe)."""
    grant = await open_for_reading(ctx, actor, person_id, "case_file", purpose, break_glass_reason=break_glass_reason)
    categories = set(grant.categories) - {str(Category.ACCESS), str(Category.GDPR)}
    if grant.may_read(Category.OFFICE_HOURS, Scope.DIGITAL_HELP_ONLY):
        categories.add(str(Category.OFFICE_HOURS))
    async with ctx.pool.acquire() as db:
        entries = await case_file_as_one(db, ctx.sealer, person_id, frozenset(categories))  # merged records too
        restricted = await db.fetchval("SELECT restricted FROM rm_directory.people WHERE person_id = $1", person_id)
    shown = _visible(entries, grant)
    staff = {member.staff_id: member.display_name for member in await ctx.accounts.all()}  # one query for all
    named = {s for e in shown for s in _staff_named(e)}
    names = {staff_id: name for staff_id, name in staff.items() if staff_id in named}
    # Shown to those who record consents (who read them in full): a trainer reads only what a
    # course needs, never that a referral to an outside body was agreed.
    records_consents = grant.may_read(Category.CONSENT) and grant.grants[Category.CONSENT].allows_write()
    consents = await _consents(ctx, person_id) if records_consents else []
    return CaseFile(person_id, grant.break_glass, bool(restricted), sorted(grant.categories), shown, names, consents)


async def _consents(ctx: ApplicationContext, person_id: UUID) -> list[ConsentShown]:
    record = await consents_of(ctx, person_id)
    today = ctx.clock().date()
    return [
        ConsentShown(
            str(grant.purpose),
            str(grant.evidence),
            grant.given_on,
            None if grant.body is None else str(grant.body.kind),
            None if grant.body is None else grant.body.name,
            grant.valid_until,
            grant.ended_on,
            grant.holds_on(today),
        )
        for grant in reversed(record.grants)
    ]


def _staff_named(entry: Entry) -> set[UUID]:
    """The staff members an entry names: who caused it, and any colleague its fields name (also
    inside a structure: the help given, a referral's destination)."""
    found = {entry.actor_id} if entry.actor_id else set()
    inner = [item for value in entry.body.values() if isinstance(value, dict) for item in value.items()]
    for key, value in [*entry.body.items(), *inner]:
        if key.endswith(("_by", "_id", "_ids")) and value:
            for item in value if isinstance(value, list) else [value]:
                try:
                    found.add(UUID(str(item)))
                except ValueError:
                    continue
    return found


def _visible(entries: list[CaseFileEntry], grant: ReadGrant) -> list[Entry]:
    shown = []
    digital_only = not grant.may_read(Category.OFFICE_HOURS) and grant.may_read(
        Category.OFFICE_HOURS, Scope.DIGITAL_HELP_ONLY
    )
    for entry in entries:
        body = entry.body
        if entry.category == Category.OFFICE_HOURS and digital_only:
            if entry.kind != "Visit.Helped" or body["help"]["category"] not in _DIGITAL_HELP:
                continue
            body = {"help": {"category": body["help"]["category"], "minutes": body["help"]["minutes"]}}
        shown.append(
            Entry(entry.position, entry.recorded_at, entry.category, entry.kind, body, entry.stream_id, entry.actor_id)
        )
    return shown
