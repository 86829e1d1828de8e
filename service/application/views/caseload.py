"""The social worker's caseload: their open cases and the referrals waiting for an answer.

The caseload names each person shown, so each is opened for reading (one access event
each). A person who cannot be opened (erased meanwhile) is left out of the list.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec

from domain.base import Category
from domain.policy import Relation, access
from projections.caseload import read_caseload
from projections.directory import Listing, listings
from service.application.context import Actor, ApplicationContext
from service.application.errors import NotAuthorisedError
from service.application.listing import open_each
from service.application.reading import ReadPurpose


class CaseloadCase(msgspec.Struct, frozen=True):
    case_id: UUID
    person_id: UUID
    file_number: str
    given_name: str
    family_name: str
    domain: str
    opened_at: datetime
    next_follow_up: date | None
    overdue_follow_ups: int


class WaitingReferral(msgspec.Struct, frozen=True):
    referral_id: UUID
    person_id: UUID
    file_number: str
    given_name: str
    family_name: str
    source: str
    organisation_kind: str | None
    made_at: datetime


class Caseload(msgspec.Struct, frozen=True):
    """Open cases, those with overdue follow-ups first, and referrals waiting for an answer."""

    cases: list[CaseloadCase]
    referrals_waiting: list[WaitingReferral]


async def caseload(ctx: ApplicationContext, actor: Actor) -> Caseload:
    """The actor's own caseload; every person shown is an access."""
    # Refused before anything is read: only a role that reads its own cases has a caseload.
    if not access(actor.roles, Relation(in_own_caseload=True))[Category.SOCIAL_LEGAL].allows_read():
        raise NotAuthorisedError(Category.SOCIAL_LEGAL, action="read")
    async with ctx.pool.acquire() as db:
        load = await read_caseload(db, actor.staff_id, ctx.clock().date())
    people = list(dict.fromkeys([c.person_id for c in load.cases] + [r.person_id for r in load.referrals_waiting]))
    grants = await open_each(ctx, actor, people, "caseload", ReadPurpose.FOLLOW_UP, Category.IDENTITY)
    names = await _listed(ctx, [person_id for person_id in people if person_id in grants])
    cases = [
        CaseloadCase(
            c.case_id,
            c.person_id,
            names[c.person_id].file_number,
            names[c.person_id].details.given_name,
            names[c.person_id].details.family_name,
            c.domain,
            c.opened_at,
            c.next_follow_up,
            c.overdue_follow_ups,
        )
        for c in load.cases
        if c.person_id in names
    ]
    waiting = [
        WaitingReferral(
            r.referral_id,
            r.person_id,
            names[r.person_id].file_number,
            names[r.person_id].details.given_name,
            names[r.person_id].details.family_name,
            r.source,
            r.organisation_kind,
            r.made_at,
        )
        for r in load.referrals_waiting
        if r.person_id in names
    ]
    return Caseload(cases, waiting)


async def _listed(ctx: ApplicationContext, opened: list[UUID]) -> dict[UUID, Listing]:
    """The file number and name of each person opened (the caseload shows both)."""
    if not opened:
        return {}
    async with ctx.pool.acquire() as db:
        return {p.person_id: p for p in await listings(db, ctx.sealer, opened, limit=len(opened))}
