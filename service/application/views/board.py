"""The office-hours board: who waits, who is being helped and who is done, at one session."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec

from domain.base import Category
from domain.office_hours import known_site
from projections.board import BoardLine, read_board
from service.application.context import Actor, ApplicationContext
from service.application.listing import PersonName, ensure_role_may_read, name_parts, names_of, open_each
from service.application.reading import ReadPurpose


class BoardEntry(msgspec.Struct, frozen=True):
    visit_id: UUID
    person_id: UUID
    given_name: str | None
    family_name: str | None
    status: str
    checked_in_at: datetime
    called_at: datetime | None
    helper_id: UUID | None
    request_category: str | None
    booked: bool = False
    """Came with an office-hours appointment (sur rendez-vous)."""


class BoardView(msgspec.Struct, frozen=True):
    session_on: date
    site: str
    waiting: list[BoardEntry]
    being_helped: list[BoardEntry]
    done: list[BoardEntry]


async def office_hours_board(
    ctx: ApplicationContext,
    actor: Actor,
    site: str,
    session_on: date | None = None,
    purpose: ReadPurpose = ReadPurpose.OFFICE_HOURS,
) -> BoardView:
    """The session's board (today's by default) at one of the centre's sites; every visitor shown is an access."""
    ensure_role_may_read(actor, Category.OFFICE_HOURS)
    site = known_site(site, ctx.centre.sites)
    on = session_on or ctx.clock().date()
    async with ctx.pool.acquire() as db:
        found = await read_board(db, on, site)
    lines = [*found.waiting, *found.being_helped, *found.done]
    grants = await open_each(
        ctx, actor, (line.person_id for line in lines), "office_hours_board", purpose, Category.OFFICE_HOURS
    )
    names = await names_of(ctx, grants)

    def entries(part: list[BoardLine]) -> list[BoardEntry]:
        return [_entry(line, names.get(line.person_id)) for line in part if line.person_id in grants]

    return BoardView(on, site, entries(found.waiting), entries(found.being_helped), entries(found.done))


def _entry(line: BoardLine, name: PersonName | None) -> BoardEntry:
    return BoardEntry(
        line.visit_id,
        line.person_id,
        *name_parts(name),
        line.status,
        line.checked_in_at,
        line.called_at,
        line.helper_id,
        line.request_category,
        booked=line.booked,
    )
