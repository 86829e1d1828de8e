"""One office-hours visit, as the helper sees it: who the person is, where the visit stands, what was done.

Read from the event store (the visit and the person's own stream), not from a read model, so the
page that follows a call or a saved help always shows that step: it never misses the write it follows.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from domain.base import Category
from domain.office_hours import Visit, VisitStatus
from domain.person import Person
from service.application.context import Actor, ApplicationContext
from service.application.reading import ReadPurpose, open_for_reading


class HelpSummary(msgspec.Struct, frozen=True):
    category: str
    description: str
    help_given: str
    minutes: int
    follow_up_needed: bool


class VisitView(msgspec.Struct, frozen=True):
    visit_id: UUID
    person_id: UUID
    file_number: str | None
    given_name: str | None
    family_name: str | None
    """The person's name and file number, when the reader may read their identity."""
    site: str
    checked_in_at: datetime
    status: str
    help: HelpSummary | None
    referred: bool

    @property
    def in_progress(self) -> bool:
        return self.status in (VisitStatus.WAITING, VisitStatus.CALLED)


async def office_hours_visit(
    ctx: ApplicationContext, actor: Actor, visit_id: UUID, purpose: ReadPurpose = ReadPurpose.OFFICE_HOURS
) -> VisitView:
    """The visit and whose it is; reading it is an access to the person, recorded first."""
    visit = await ctx.repository.get(Visit, visit_id)
    assert visit.person_id is not None  # a visit is always someone's (CheckedIn)
    grant = await open_for_reading(
        ctx, actor, visit.person_id, "office_hours_visit", purpose, needs=Category.OFFICE_HOURS
    )
    file_number = given = family = None
    if grant.may_read(Category.IDENTITY):
        person = await ctx.repository.get(Person, visit.person_id)
        if person.details is not None:
            file_number, given, family = person.file_number, person.details.given_name, person.details.family_name
    done = visit.help
    return VisitView(
        visit_id=visit.id,
        person_id=visit.person_id,
        file_number=file_number,
        given_name=given,
        family_name=family,
        site=visit.site,
        checked_in_at=visit.checked_in_at,
        status=str(visit.status),
        help=None
        if done is None
        else HelpSummary(str(done.category), done.description, done.help_given, done.minutes, done.follow_up_needed),
        referred=visit.referral_id is not None,
    )
