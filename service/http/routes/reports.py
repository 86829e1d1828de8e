"""The caseload, the access log and the anonymous statistics.

The caseload names each person shown, so each is opened for reading (and recorded). The
access log is the DPO's to read in full (every staff member reads their own entries);
the DPO reading a person's log is itself recorded, as oversight, without the DPO being
granted the person's identity, which stays export-only. Statistics hold no personal data.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID, uuid4

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter

from domain.access import AccessRecord
from domain.base import Category
from domain.consent import ConsentRecord, consent_record_id
from domain.policy import Relation, Scope, access
from projections.access_log import AccessEntry, read_access_log
from projections.caseload import read_caseload
from projections.directory import Listing, listings
from service.application.errors import NotAuthorisedError
from service.http.deps import Services
from service.http.reading import ReadPurpose
from service.http.routes.listed import open_each
from service.http.security import Principal
from service.storage.repository import Repository

Limit = Annotated[int, QueryParameter(ge=1, le=500)]


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


class AccessLogEntry(msgspec.Struct, frozen=True):
    position: int
    staff_id: UUID
    person_id: UUID
    accessed_at: datetime
    view: str
    purpose: str
    basis: str
    break_glass: bool
    reason: str | None
    """The break-glass reason; only in the DPO's views (it is personal data)."""

    @classmethod
    def of(cls, entry: AccessEntry, *, with_reason: bool) -> AccessLogEntry:
        e = entry
        reason = e.reason if with_reason else None
        return cls(
            e.position, e.staff_id, e.person_id, e.accessed_at, e.view, e.purpose, e.basis, e.break_glass, reason
        )


@get("/caseload", tags=["caseload"])
async def caseload(services: NamedDependency[Services], principal: NamedDependency[Principal]) -> Caseload:
    """The signed-in social worker's caseload; every person shown is an access."""
    if not access(principal.staff.roles, Relation(in_own_caseload=True))[Category.SOCIAL_LEGAL].allows_read():
        raise NotAuthorisedError(Category.SOCIAL_LEGAL, action="read")
    async with services.runtime.pool.acquire() as db:
        load = await read_caseload(db, principal.staff.staff_id, services.clock().date())
    people = list(dict.fromkeys([c.person_id for c in load.cases] + [r.person_id for r in load.referrals_waiting]))
    grants = await open_each(services, principal, people, "caseload", ReadPurpose.FOLLOW_UP, Category.IDENTITY)
    opened = [person_id for person_id in people if person_id in grants]
    async with services.runtime.pool.acquire() as db:
        names: dict[UUID, Listing] = {
            p.person_id: p for p in await listings(db, services.sealer, opened, limit=len(opened) or 1)
        }
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


def _reads_access_log(principal: Principal, scope: Scope) -> None:
    if not access(principal.staff.roles, Relation())[Category.ACCESS].allows_read(scope):
        raise NotAuthorisedError(Category.ACCESS, action="read")


async def _oversight(services: Services, principal: Principal, person_ids: list[UUID]) -> None:
    """The DPO reading the log of these people is itself recorded, in one append."""
    at = services.clock()
    records = [
        AccessRecord.record(
            uuid4(), p, principal.staff.staff_id, "access_log", str(ReadPurpose.DATA_PROTECTION), "dpo_oversight", at
        )
        for p in dict.fromkeys(person_ids)
    ]
    if records:
        await Repository(services.runtime.store).save(*records, actor_id=principal.staff.staff_id)


@get("/access-log/mine", tags=["access log"])
async def my_access_log(
    services: NamedDependency[Services], principal: NamedDependency[Principal], limit: FromQuery[Limit] = 200
) -> list[AccessLogEntry]:
    """What the signed-in staff member read: ids, views and bases only."""
    _reads_access_log(principal, Scope.OWN_ENTRIES)
    async with services.runtime.pool.acquire() as db:
        entries = await read_access_log(db, services.sealer, staff_id=principal.staff.staff_id, limit=limit)
    return [AccessLogEntry.of(e, with_reason=False) for e in entries]


@get("/access-log/people/{person_id:uuid}", tags=["access log"])
async def person_access_log(
    person_id: FromPath[UUID],
    services: NamedDependency[Services],
    principal: NamedDependency[Principal],
    limit: FromQuery[Limit] = 200,
) -> list[AccessLogEntry]:
    """Who read this person's data, when, why and on what basis (DPO); break-glass entries flagged."""
    _reads_access_log(principal, Scope.ALL)
    await Repository(services.runtime.store).get(ConsentRecord, consent_record_id(person_id))  # 404 or 410 first
    await _oversight(services, principal, [person_id])
    async with services.runtime.pool.acquire() as db:
        entries = await read_access_log(db, services.sealer, person_id=person_id, limit=limit)
    return [AccessLogEntry.of(e, with_reason=True) for e in entries]


@get("/access-log/staff/{staff_id:uuid}", tags=["access log"])
async def staff_access_log(
    staff_id: FromPath[UUID],
    services: NamedDependency[Services],
    principal: NamedDependency[Principal],
    limit: FromQuery[Limit] = 200,
) -> list[AccessLogEntry]:
    """Whose data this staff member read (DPO); each person shown is recorded as oversight."""
    _reads_access_log(principal, Scope.ALL)
    await services.accounts.get(staff_id)  # 404 for an unknown staff member
    async with services.runtime.pool.acquire() as db:
        entries = await read_access_log(db, services.sealer, staff_id=staff_id, limit=limit)
    await _oversight(services, principal, [e.person_id for e in entries])
    return [AccessLogEntry.of(e, with_reason=True) for e in entries]


ROUTES = [caseload, my_access_log, person_access_log, staff_access_log]
