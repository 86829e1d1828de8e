"""A learner as a trainer knows her: the course details, and the one way a trainer opens a person.

A trainer reads, of the identity, only what the course needs (``Scope.COURSE_DETAILS``): the
name, the file number, the preferred language and a phone number to call after an absence.
Never the address, the email or the national register number, which stay in the directory.
"""

from __future__ import annotations

from uuid import UUID

import msgspec

from domain.base import Category
from domain.policy import Role, Scope
from projections.directory import Listing, listings
from service.application.cohorts import NotYourLearnerError
from service.application.context import Actor, ApplicationContext
from service.application.errors import NotAuthorisedError
from service.application.reading import ReadGrant, ReadPurpose, open_for_reading
from service.words import formatting


class CourseDetails(msgspec.Struct, frozen=True):
    """Who the learner is, for the course: nothing else of the identity."""

    person_id: UUID
    file_number: str
    given_name: str
    family_name: str
    preferred_language: str | None
    phone: str | None
    """E.164 (+32470123456); ``phone_shown`` writes it as a Belgian dials it."""

    @property
    def phone_shown(self) -> str | None:
        return None if self.phone is None else formatting.phone(self.phone)

    @classmethod
    def of(cls, listing: Listing) -> CourseDetails:
        d = listing.details
        return cls(
            listing.person_id, listing.file_number, d.given_name, d.family_name, d.preferred_language, d.contact.phone
        )


async def open_learner(
    ctx: ApplicationContext,
    actor: Actor,
    person_id: UUID,
    view: str,
    purpose: ReadPurpose,
    *,
    needs: Category = Category.TRAINING,
    enrolling_in: UUID | None = None,
) -> ReadGrant:
    """Open a person for a training view; a trainer refused is told the person is not hers (nothing recorded)."""
    try:
        return await open_for_reading(ctx, actor, person_id, view, purpose, needs=needs, enrolling_in=enrolling_in)
    except NotAuthorisedError:
        if Role.TRAINER in actor.roles:
            raise NotYourLearnerError() from None
        raise


async def course_details(ctx: ApplicationContext, grant: ReadGrant) -> CourseDetails | None:
    """The course details of the person opened, if the reader may read at least those."""
    if not grant.may_read(Category.IDENTITY, Scope.COURSE_DETAILS):
        return None
    async with ctx.pool.acquire() as db:
        found = await listings(db, ctx.sealer, [grant.person_id], limit=1)
    return CourseDetails.of(found[0]) if found else None
