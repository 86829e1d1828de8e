"""The social worker's caseload: her cases (open, and closed within the retention period), her
pending follow-ups, the referrals addressed to her (or to her service), and those she made.

The caseload names each person shown, so each is opened for reading (one access event
each). The people of incoming referrals are opened for the referral (another event), since
their card says why they were referred: what the addressee must read to answer. A person who
cannot be opened (erased meanwhile) is left out of the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

import msgspec

from domain.base import Category
from domain.policy import Relation, access
from projections import caseload as read_model
from projections.case_file import CaseFileEntry, read_entries_of
from projections.directory import Listing, listings
from service.application.authorisation import social_legal_retention_years
from service.application.context import Actor, ApplicationContext
from service.application.errors import NotAuthorisedError
from service.application.listing import open_each
from service.application.reading import ReadPurpose


class _AboutSomeone(Protocol):
    @property
    def person_id(self) -> UUID: ...


class Named(msgspec.Struct, frozen=True):
    """Who a line is about: file number and name (never the id alone)."""

    person_id: UUID
    file_number: str
    given_name: str
    family_name: str


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


class ClosedCase(msgspec.Struct, frozen=True):
    """Closed while hers, within the retention period: she reads it and reopens it herself."""

    case_id: UUID
    person: Named
    domain: str
    opened_at: datetime
    closed_at: datetime


class PendingFollowUp(msgspec.Struct, frozen=True):
    follow_up_id: UUID
    case_id: UUID
    person: Named
    domain: str
    due_on: date
    description: str
    overdue: bool


class WaitingReferral(msgspec.Struct, frozen=True):
    """An incoming referral: for her service (or for her by name), made by someone else."""

    referral_id: UUID
    person_id: UUID
    file_number: str
    given_name: str
    family_name: str
    source: str
    organisation_kind: str | None
    made_at: datetime
    reason: str = ""
    """Why the person was referred: the addressee reads it to answer."""
    referred_by: str = ""
    """The display name of who referred the person."""
    addressed_to_me: bool = False
    """Named to her, rather than to the whole service."""


class SentReferral(msgspec.Struct, frozen=True):
    """A referral she made, and where it stands."""

    referral_id: UUID
    person: Named
    organisation_kind: str | None
    organisation_name: str | None
    addressed_to: str | None
    """The colleague an internal referral names (display name), if any."""
    status: str
    made_at: datetime
    answered_at: datetime | None


class Caseload(msgspec.Struct, frozen=True):
    """Open cases, those with overdue follow-ups first, and referrals waiting for her answer."""

    cases: list[CaseloadCase]
    referrals_waiting: list[WaitingReferral]
    follow_ups: list[PendingFollowUp] = []
    """Not done yet, on her open cases: overdue first (soonest due first)."""
    closed_cases: list[ClosedCase] = []
    referrals_sent: list[SentReferral] = []


async def caseload(ctx: ApplicationContext, actor: Actor) -> Caseload:
    """The actor's own caseload; every person shown is an access."""
    # Refused before anything is read: only a role that reads its own cases has a caseload.
    if not access(actor.roles, Relation(in_own_caseload=True))[Category.SOCIAL_LEGAL].allows_read():
        raise NotAuthorisedError(Category.SOCIAL_LEGAL, action="read")
    today = ctx.clock().date()
    async with ctx.pool.acquire() as db:
        load = await read_model.read_caseload(db, actor.staff_id, today, social_legal_retention_years(ctx))
    own = _people(load.cases, load.closed, load.follow_ups, load.referrals_sent)
    incoming = [r.person_id for r in load.referrals_waiting]
    opened = await open_each(ctx, actor, own, "caseload", ReadPurpose.FOLLOW_UP, Category.IDENTITY)
    opened |= await open_each(ctx, actor, incoming, "incoming_referrals", ReadPurpose.REFERRAL, Category.IDENTITY)
    names = await _listed(ctx, list(opened))
    said = await _what_each_says(ctx, load, names)
    staff = {member.staff_id: member.display_name for member in await ctx.accounts.all()}
    return Caseload(
        cases=[
            CaseloadCase(
                c.case_id,
                c.person_id,
                *_name(names[c.person_id]),
                c.domain,
                c.opened_at,
                c.next_follow_up,
                c.overdue_follow_ups,
            )
            for c in load.cases
            if c.person_id in names
        ],
        referrals_waiting=[
            WaitingReferral(
                r.referral_id,
                r.person_id,
                *_name(names[r.person_id]),
                r.source,
                r.organisation_kind,
                r.made_at,
                reason=str(_body(said, r.referral_id, "Referral.Made").get("reason") or ""),
                referred_by=staff.get(r.made_by, "") if r.made_by else "",
                addressed_to_me=r.addressed_to == actor.staff_id,
            )
            for r in load.referrals_waiting
            if r.person_id in names
        ],
        follow_ups=[
            PendingFollowUp(
                f.follow_up_id,
                f.case_id,
                _named(names[f.person_id]),
                f.domain,
                f.due_on,
                _follow_up_description(said, f.case_id, f.follow_up_id),
                f.due_on < today,
            )
            for f in load.follow_ups
            if f.person_id in names
        ],
        closed_cases=[
            ClosedCase(c.case_id, _named(names[c.person_id]), c.domain, c.opened_at, c.closed_at)
            for c in load.closed
            if c.person_id in names
        ],
        referrals_sent=[_sent(r, names, said, staff) for r in load.referrals_sent if r.person_id in names],
    )


def _people(*lines: Sequence[_AboutSomeone]) -> list[UUID]:
    return [line.person_id for some in lines for line in some]


def _sent(
    r: read_model.SentReferral,
    names: dict[UUID, Listing],
    said: dict[UUID, list[CaseFileEntry]],
    staff: dict[UUID, str],
) -> SentReferral:
    destination = _body(said, r.referral_id, "Referral.Made").get("destination") or {}
    return SentReferral(
        r.referral_id,
        _named(names[r.person_id]),
        r.organisation_kind,
        destination.get("organisation_name"),
        staff.get(r.addressed_to) if r.addressed_to else None,
        r.status,
        r.made_at,
        r.answered_at,
    )


async def _what_each_says(
    ctx: ApplicationContext, load: read_model.Caseload, names: dict[UUID, Listing]
) -> dict[UUID, list[CaseFileEntry]]:
    """The referrals' reasons and bodies, and the follow-ups' descriptions, sealed in the case file."""
    people = _people(load.referrals_waiting, load.referrals_sent, load.follow_ups)
    readable = [person_id for person_id in dict.fromkeys(people) if person_id in names]
    async with ctx.pool.acquire() as db:
        return await read_entries_of(db, ctx.sealer, readable, frozenset({"Referral.Made", "Case.FollowUpSet"}))


def _body(said: dict[UUID, list[CaseFileEntry]], stream_id: UUID, kind: str) -> dict[str, Any]:
    return next((e.body for e in said.get(stream_id, []) if e.kind == kind), {})


def _follow_up_description(said: dict[UUID, list[CaseFileEntry]], case_id: UUID, follow_up_id: UUID) -> str:
    for entry in said.get(case_id, []):
        if entry.kind == "Case.FollowUpSet" and str(entry.body.get("follow_up_id")) == str(follow_up_id):
            return str(entry.body.get("description") or "")
    return ""


def _name(listing: Listing) -> tuple[str, str, str]:
    return listing.file_number, listing.details.given_name, listing.details.family_name


def _named(listing: Listing) -> Named:
    return Named(listing.person_id, *_name(listing))


async def _listed(ctx: ApplicationContext, opened: list[UUID]) -> dict[UUID, Listing]:
    """The file number and name of each person opened (the caseload shows both)."""
    if not opened:
        return {}
    async with ctx.pool.acquire() as db:
        return {p.person_id: p for p in await listings(db, ctx.sealer, opened, limit=len(opened))}
