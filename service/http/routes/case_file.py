"""The case file: one timeline of a person, filtered by what the reader may see."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from domain.base import Category
from domain.office_hours import RequestCategory
from domain.policy import Scope
from projections.case_file import CaseFileEntry, read_case_file
from service.http.deps import Services
from service.http.reading import ReadGrant, ReadPurpose, open_for_reading
from service.http.security import Principal
from service.http.wire import Request, ShortText

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


class CaseFile(msgspec.Struct, frozen=True):
    person_id: UUID
    break_glass: bool
    restricted: bool
    """Processing is restricted (Art. 18 or a pending objection): only the DPO may change anything."""
    categories: list[str]
    entries: list[Entry]


class BreakGlass(Request, frozen=True):
    """Reading outside one's caseload: the reason is written down and flagged for the DPO."""

    reason: ShortText
    purpose: FromQuery[ReadPurpose] = ReadPurpose.FOLLOW_UP


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
        shown.append(Entry(entry.position, entry.recorded_at, entry.category, entry.kind, body, entry.stream_id))
    return shown


async def _file(
    services: Services, principal: Principal, person_id: FromPath[UUID], purpose: ReadPurpose, reason: str | None
) -> CaseFile:
    grant = await open_for_reading(services, principal, person_id, "case_file", purpose, break_glass_reason=reason)
    categories = set(grant.categories) - {str(Category.ACCESS), str(Category.GDPR)}
    if grant.may_read(Category.OFFICE_HOURS, Scope.DIGITAL_HELP_ONLY):
        categories.add(str(Category.OFFICE_HOURS))
    async with services.runtime.pool.acquire() as db:
        entries = await read_case_file(db, services.sealer, person_id, frozenset(categories))
        restricted = await db.fetchval("SELECT restricted FROM rm_directory.people WHERE person_id = $1", person_id)
    return CaseFile(person_id, grant.break_glass, bool(restricted), sorted(grant.categories), _visible(entries, grant))


@get("/people/{person_id:uuid}/file", tags=["case file"])
async def case_file(
    person_id: FromPath[UUID],
    services: NamedDependency[Services],
    principal: NamedDependency[Principal],
    purpose: FromQuery[ReadPurpose] = ReadPurpose.FOLLOW_UP,
) -> CaseFile:
    return await _file(services, principal, person_id, purpose, None)


@post("/people/{person_id:uuid}/file/break-glass", status_code=200, tags=["case file"])
async def case_file_break_glass(
    person_id: FromPath[UUID],
    data: JSONBody[BreakGlass],
    services: NamedDependency[Services],
    principal: NamedDependency[Principal],
) -> CaseFile:
    return await _file(services, principal, person_id, data.purpose, data.reason)


ROUTES = [case_file, case_file_break_glass]
