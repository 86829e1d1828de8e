"""Reading a person's data: need-to-know first, and every read recorded as an access event.

Every view in ``service.application.views`` goes through here, whichever door asked (the
API, the pages, the command line). A view asks ``open_for_reading`` before it reads
anything. It works out how the staff member stands to the person (own caseload, own
cohort, a break-glass reason, and the person's consents to share), asks the access
policy which categories may be read, and records the access (who, which view, which
purpose, on which basis) before the data goes out. Break-glass access is flagged for the
DPO. An erased person's views all answer 410 Gone, naming the erasure receipt.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from domain.access import AccessRecord
from domain.base import Category
from domain.consent import ConsentRecord, Purpose
from domain.policy import Grant, Relation, Role, Scope, access
from projections.caseload import caseload_of
from projections.directory import records_read_as_one
from projections.roster import enrolling_with_trainer, learner_of_trainer
from service.application.authorisation import consents_of
from service.application.context import Actor, ApplicationContext
from service.application.errors import NotAuthorisedError


class ReadPurpose(enum.StrEnum):
    FOLLOW_UP = "follow_up"
    TRAINING = "training"
    OFFICE_HOURS = "office_hours"
    REFERRAL = "referral"
    DATA_PROTECTION = "data_protection"


@dataclass(frozen=True)
class ReadGrant:
    person_id: UUID
    grants: Mapping[Category, Grant]
    basis: str
    break_glass: bool

    def may_read(self, category: Category, scope: Scope = Scope.ALL) -> bool:
        return self.grants[category].allows_read(scope)

    @property
    def categories(self) -> frozenset[str]:
        """The categories readable in full (not only through an export or a narrow scope)."""
        return frozenset(str(c) for c, g in self.grants.items() if g.allows_read(Scope.ALL))


async def open_for_reading(
    ctx: ApplicationContext,
    actor: Actor,
    person_id: UUID,
    view: str,
    purpose: ReadPurpose,
    *,
    needs: Category = Category.IDENTITY,
    break_glass_reason: str | None = None,
    enrolling_in: UUID | None = None,
    view_shown: Callable[[Mapping[Category, Grant]], str] | None = None,
) -> ReadGrant:
    """Authorise one view of one person (``needs`` must be readable) and record the access.

    ``enrolling_in`` names the cohort a trainer is about to enrol the person in (she found them
    by file number): the person is then hers to read if she trains that cohort.
    ``view_shown`` names the view by what the grants let it show (a card that shows a trainer
    only the course details is recorded as such), instead of ``view``.
    """
    consents = await consents_of(ctx, person_id)
    now = ctx.clock()
    relation = await _relation(ctx, actor, person_id, consents, now.date(), break_glass_reason, enrolling_in)
    grants = access(actor.roles, relation)
    if not any(grants[needs].allows_read(scope) for scope in Scope if scope is not Scope.EXPORT_ONLY):
        raise NotAuthorisedError(needs, action="read")
    break_glass = grants[Category.SOCIAL_LEGAL].break_glass and grants[Category.SOCIAL_LEGAL].allows_read()
    basis = _basis(relation, consents, now.date(), break_glass)
    record = AccessRecord.record(
        uuid4(),
        person_id,
        actor.staff_id,
        view if view_shown is None else view_shown(grants),
        str(purpose),
        basis,
        now,
        break_glass=break_glass,
        reason=break_glass_reason if break_glass else None,
    )
    await ctx.repository.save(record, actor_id=actor.staff_id)
    return ReadGrant(person_id, grants, basis, break_glass)


async def _relation(
    ctx: ApplicationContext,
    actor: Actor,
    person_id: UUID,
    consents: ConsentRecord,
    today: date,
    break_glass_reason: str | None,
    enrolling_in: UUID | None = None,
) -> Relation:
    roles = actor.roles
    staff_id = actor.staff_id
    async with ctx.pool.acquire() as db:
        # Two records merged into one are one person: a case or a seat on either one counts.
        records = await records_read_as_one(db, person_id)
        in_caseload = Role.SOCIAL_WORKER in roles and any(
            [await caseload_of(db, staff_id, r, today, ctx.centre.retention_social_legal_years) for r in records]
        )
        in_cohort = Role.TRAINER in roles and any([await learner_of_trainer(db, staff_id, r) for r in records])
        enrolling = Role.TRAINER in roles and await enrolling_with_trainer(db, staff_id, person_id, enrolling_in)
    return Relation(
        in_own_caseload=in_caseload,
        in_own_cohort=in_cohort,
        enrolling_in_own_cohort=enrolling,
        break_glass_reason=None if in_caseload else break_glass_reason,
        shares_training_with_social_legal=consents.allows(Purpose.SHARE_TRAINING_WITH_SOCIAL_LEGAL, today),
        shares_office_hours_with_trainers=consents.allows(Purpose.SHARE_OFFICE_HOURS_WITH_TRAINERS, today),
    )


def _basis(relation: Relation, consents: ConsentRecord, today: date, break_glass: bool) -> str:
    """Which relation, rule or consent this read relies on (kept in the access log)."""
    parts = []
    if break_glass:
        parts.append("break_glass")
    if relation.in_own_caseload:
        parts.append("caseload")
    if relation.in_own_cohort:
        parts.append("cohort")
    if relation.enrolling_in_own_cohort:
        parts.append("enrolling")
    for purpose in (Purpose.SHARE_TRAINING_WITH_SOCIAL_LEGAL, Purpose.SHARE_OFFICE_HOURS_WITH_TRAINERS):
        consent = consents.basis_for(purpose, today)
        if consent is not None:
            parts.append(f"consent:{consent.consent_record_id}:{consent.given_version}")
    return ";".join(parts) or "role"
