"""Authorisation through ``domain.policy``, and the restriction guard every command passes.

Commands check twice: first the actor's roles alone, against the most generous relation
(so an admin or a trainer is refused before anything is read about the person), then the
real relation once the aggregates are loaded (own caseload, own cohort, consents).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from uuid import UUID

from domain.base import Category
from domain.case import Case
from domain.cohort import Cohort
from domain.consent import ConsentRecord, Purpose, consent_record_id
from domain.person import Person
from domain.policy import Grant, Relation, Role, Scope, access
from service.application.context import Actor, ApplicationContext
from service.application.errors import NotAuthorisedError, RoleRequiredError
from service.storage.erasures import ensure_not_erased
from service.storage.repository import AggregateErasedError, AggregateNotFoundError

SOCIAL_LEGAL_RETENTION_YEARS = 5
"""The default of the setting ``retention_social_legal_years``."""

# Every relation a staff member could ever have to a person: used for the role-only check.
_MOST_GENEROUS = Relation(
    in_own_caseload=True,
    in_own_cohort=True,
    enrolling_in_own_cohort=True,
    break_glass_reason="role check",
    shares_training_with_social_legal=True,
    shares_office_hours_with_trainers=True,
)


def authorise(
    actor: Actor,
    category: Category,
    relation: Relation | None = None,
    scope: Scope = Scope.ALL,
) -> Grant:
    """The actor's grant for ``category``; raises NotAuthorisedError unless it allows writing.

    Without a relation, only the roles are checked (the relation is not known yet).
    """
    grant = access(actor.roles, _MOST_GENEROUS if relation is None else relation)[category]
    if not grant.allows_write(scope):
        raise NotAuthorisedError(category, scope)
    return grant


def require_role(actor: Actor, roles: Iterable[Role], what: str) -> None:
    """Refuse unless the actor holds one of ``roles`` (for what the access policy does not cover)."""
    if actor.roles.isdisjoint(roles):
        raise RoleRequiredError(what)


def social_legal_retention_years(ctx: ApplicationContext) -> int:
    """Years a closed case stays its social worker's (the retention period of social-legal data)."""
    return ctx.centre.retention_social_legal_years


def relation_to(
    actor: Actor,
    *,
    case: Case | None = None,
    person: Person | None = None,
    cohort: Cohort | None = None,
    break_glass_reason: str | None = None,
    consents: ConsentRecord | None = None,
    on: date | None = None,
    kept_years: int = SOCIAL_LEGAL_RETENTION_YEARS,
) -> Relation:
    """How the actor stands to the person: caseload, cohort, reason, and the person's consents.

    The person is in the actor's own caseload (``in_own_caseload``) when the actor registered
    them (``person``), or follows their ``case``: open and assigned to the actor, or closed
    while it was the actor's less than ``kept_years`` before ``on`` (without ``on``, only an
    open case counts).
    """
    shares_training = shares_office_hours = False
    if consents is not None and on is not None:
        shares_training = consents.allows(Purpose.SHARE_TRAINING_WITH_SOCIAL_LEGAL, on)
        shares_office_hours = consents.allows(Purpose.SHARE_OFFICE_HOURS_WITH_TRAINERS, on)
    registered = person is not None and person.registered_by == actor.staff_id
    follows = case is not None and case.followed_by(actor.staff_id, on, kept_years)
    return Relation(
        in_own_caseload=registered or follows,
        in_own_cohort=cohort is not None and actor.staff_id in cohort.trainer_ids,
        break_glass_reason=break_glass_reason,
        shares_training_with_social_legal=shares_training,
        shares_office_hours_with_trainers=shares_office_hours,
    )


async def person_of(ctx: ApplicationContext, person_id: UUID | None) -> Person:
    """The person an aggregate is about (to judge the relation before checking the restriction)."""
    if person_id is None:
        raise ValueError("the aggregate names no person")
    return await ctx.repository.get(Person, person_id)


async def person_open_to(ctx: ApplicationContext, actor: Actor, person_id: UUID | None) -> Person:
    """Load the person and refuse if restricted (Art. 18: all but the DPO) or erased."""
    person = await person_of(ctx, person_id)
    person.ensure_processing_allowed(actor.is_dpo)
    return person


async def consents_of(ctx: ApplicationContext, person_id: UUID) -> ConsentRecord:
    """The person's consent record: 404 names the person (not the record behind it), 410 names the receipt."""
    try:
        return await ctx.repository.get(ConsentRecord, consent_record_id(person_id))
    except AggregateErasedError:
        await ensure_not_erased(ctx.pool, person_id)
        raise  # erased, and the receipt is not issued yet
    except AggregateNotFoundError:
        await ensure_not_erased(ctx.pool, person_id)
        raise AggregateNotFoundError("Person", person_id) from None
