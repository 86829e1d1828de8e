"""Need-to-know access policy: the table of ``design.md`` as a pure function.

| category     | social worker              | trainer (learners, enrolling)   | helper       | DPO             |
|--------------|----------------------------|---------------------------------|--------------|-----------------|
| identity     | read/write                 | read course details only        | read/write   | export; rectify |
| consent      | read/write                 | read training consents only     | read/write   | read            |
| training     | read with consent to share | read/write                      | read         | export          |
| office_hours | read/write                 | digital help: learners, consent | read/write   | export          |
| social_legal | caseload; else break-glass | NEVER                           | referral out | export          |
| access       | own entries                | own entries                     | own entries  | read all        |
| gdpr         | -                          | -                               | -            | read/write      |

A trainer's "learners" are the people holding (or having held) a seat in a cohort she
trains; "enrolling" are the people on the waiting list of one of her cohorts, or whom she
is enrolling in one (found by their exact file number). Of the identity she reads only the
course details (name, file number, preferred language, a phone number to call after an
absence: never the address, the email or the national register number), and of the
consent record only the purposes that concern training (``TRAINING_PURPOSES``): an
external-referral consent would tell her that a social-welfare referral is under way.
Anyone else's training is not hers to read.

The admin sees no personal data at all. A person with several roles gets the
union of what each role grants. A grant that exists only through a break-glass
reason is marked ``break_glass`` so the service flags the access for the DPO.
The service still records which consent a shared view relied on.
"""

import enum
import functools
import types
from collections.abc import Callable, Iterable, Mapping

import msgspec

from domain.base import Category
from domain.consent import Purpose


class Role(enum.StrEnum):
    SOCIAL_WORKER = "social_worker"
    TRAINER = "trainer"
    OFFICE_HOURS_HELPER = "office_hours_helper"
    DPO = "dpo"
    ADMIN = "admin"


class Scope(enum.StrEnum):
    ALL = "all"
    DIGITAL_HELP_ONLY = "digital_help_only"
    """Office-hours requests about digital skills, without free-text notes."""
    REFERRAL_OUT_ONLY = "referral_out_only"
    """May refer a person to the social-legal service; reads nothing there."""
    INTAKE_ONLY = "intake_only"
    """May accept a referral or open a new case; reads nothing else."""
    EXPORT_ONLY = "export_only"
    """Only inside a subject-access export (GDPR Art. 15 and 20)."""
    OWN_ENTRIES = "own_entries"
    """Only the entries the staff member caused."""
    COURSE_DETAILS = "course_details"
    """Of the identity, what a course needs: name, file number, preferred language, a phone number."""
    TRAINING_CONSENTS = "training_consents"
    """Of the consent record, only the purposes that concern training."""


class Relation(msgspec.Struct, frozen=True):
    """How the staff member stands to the person, and what the person allowed."""

    in_own_caseload: bool = False
    in_own_cohort: bool = False
    enrolling_in_own_cohort: bool = False
    """On the waiting list of, or being enrolled in, a cohort the staff member trains."""
    break_glass_reason: str | None = None
    shares_training_with_social_legal: bool = False
    shares_office_hours_with_trainers: bool = False

    @property
    def has_break_glass_reason(self) -> bool:
        return bool(self.break_glass_reason and self.break_glass_reason.strip())


class Grant(msgspec.Struct, frozen=True):
    read: frozenset[Scope] = frozenset()
    write: frozenset[Scope] = frozenset()
    break_glass: bool = False

    def allows_read(self, scope: Scope = Scope.ALL) -> bool:
        return Scope.ALL in self.read or scope in self.read

    def allows_write(self, scope: Scope = Scope.ALL) -> bool:
        return Scope.ALL in self.write or scope in self.write

    @property
    def is_empty(self) -> bool:
        return not self.read and not self.write


NONE = Grant()
ALL = frozenset({Scope.ALL})
READ = Grant(read=ALL)
READ_WRITE = Grant(read=ALL, write=ALL)
EXPORT = Grant(read=frozenset({Scope.EXPORT_ONLY}))
OWN = Grant(read=frozenset({Scope.OWN_ENTRIES}))
COURSE_DETAILS = Grant(read=frozenset({Scope.COURSE_DETAILS}))
TRAINING_CONSENTS = Grant(read=frozenset({Scope.TRAINING_CONSENTS}))

TRAINING_PURPOSES = frozenset({Purpose.SHARE_OFFICE_HOURS_WITH_TRAINERS, Purpose.SHARE_TRAINING_WITH_SOCIAL_LEGAL})
"""The consents that concern training, the only ones a trainer reads: what the person lets
trainers see (digital help at office hours) and who else sees her training record."""


def _social_worker(relation: Relation) -> dict[Category, Grant]:
    if relation.in_own_caseload:
        social_legal = READ_WRITE
    elif relation.has_break_glass_reason:
        social_legal = Grant(read=ALL, write=ALL, break_glass=True)
    else:
        # Outside the caseload: take a referral in, or refer someone (e.g. from office hours).
        social_legal = Grant(write=frozenset({Scope.INTAKE_ONLY, Scope.REFERRAL_OUT_ONLY}))
    return {
        Category.IDENTITY: READ_WRITE,
        Category.CONSENT: READ_WRITE,
        Category.TRAINING: READ if relation.shares_training_with_social_legal else NONE,
        Category.OFFICE_HOURS: READ_WRITE,
        Category.SOCIAL_LEGAL: social_legal,
        Category.ACCESS: OWN,
    }


def _trainer(relation: Relation) -> dict[Category, Grant]:
    # Her own cohorts' learners, and the people she is enrolling: nobody else is hers to read.
    hers = relation.in_own_cohort or relation.enrolling_in_own_cohort
    digital_help = relation.in_own_cohort and relation.shares_office_hours_with_trainers
    return {
        Category.IDENTITY: COURSE_DETAILS if hers else NONE,
        Category.CONSENT: TRAINING_CONSENTS if hers else NONE,
        Category.TRAINING: READ_WRITE if hers else NONE,
        Category.OFFICE_HOURS: (Grant(read=frozenset({Scope.DIGITAL_HELP_ONLY})) if digital_help else NONE),
        # Never, whatever the relation or reason: trainers do not see this at all.
        Category.SOCIAL_LEGAL: NONE,
        Category.ACCESS: OWN,
    }


def _helper(relation: Relation) -> dict[Category, Grant]:
    return {
        Category.IDENTITY: READ_WRITE,
        Category.CONSENT: READ_WRITE,
        Category.TRAINING: READ,
        Category.OFFICE_HOURS: READ_WRITE,
        Category.SOCIAL_LEGAL: Grant(write=frozenset({Scope.REFERRAL_OUT_ONLY})),
        Category.ACCESS: OWN,
    }


def _dpo(relation: Relation) -> dict[Category, Grant]:
    return {
        # Rectification (Art. 16) is the DPO's; reading stays export-only.
        Category.IDENTITY: Grant(read=frozenset({Scope.EXPORT_ONLY}), write=ALL),
        Category.CONSENT: READ,
        Category.TRAINING: EXPORT,
        Category.OFFICE_HOURS: EXPORT,
        Category.SOCIAL_LEGAL: EXPORT,
        Category.ACCESS: READ,
        Category.GDPR: READ_WRITE,
    }


def _admin(relation: Relation) -> dict[Category, Grant]:
    return {}


_ROLE_GRANTS: dict[Role, Callable[[Relation], dict[Category, Grant]]] = {
    Role.SOCIAL_WORKER: _social_worker,
    Role.TRAINER: _trainer,
    Role.OFFICE_HOURS_HELPER: _helper,
    Role.DPO: _dpo,
    Role.ADMIN: _admin,
}


def _merge(grants: list[Grant]) -> Grant:
    given = [g for g in grants if not g.is_empty]
    if not given:
        return NONE
    read = frozenset().union(*(g.read for g in given))
    write = frozenset().union(*(g.write for g in given))
    return Grant(
        read=ALL if Scope.ALL in read else read,
        write=ALL if Scope.ALL in write else write,
        break_glass=all(g.break_glass for g in given),
    )


def access(roles: Iterable[Role], relation: Relation) -> Mapping[Category, Grant]:
    """What these roles may read and write about one person, per category."""
    return _access(frozenset(Role(role) for role in roles), _shape(relation))


def _shape(relation: Relation) -> Relation:
    """The relation as the grants see it: whether there is a reason, never its words.

    Every command and read asks ``access``; its answer depends on a handful of booleans, so it is
    computed once per combination (``_access``) and the reason's text never enters that cache.
    """
    if relation.break_glass_reason is None:
        return relation
    return msgspec.structs.replace(relation, break_glass_reason="yes" if relation.has_break_glass_reason else None)


@functools.cache
def _access(roles: frozenset[Role], relation: Relation) -> Mapping[Category, Grant]:
    per_role = [_ROLE_GRANTS[role](relation) for role in roles]
    grants = {category: _merge([grants.get(category, NONE) for grants in per_role]) for category in Category}
    return types.MappingProxyType(grants)  # shared by every caller: read-only


def may_read(
    roles: Iterable[Role],
    relation: Relation,
    category: Category,
    scope: Scope = Scope.ALL,
) -> bool:
    return access(roles, relation)[category].allows_read(scope)


def may_write(
    roles: Iterable[Role],
    relation: Relation,
    category: Category,
    scope: Scope = Scope.ALL,
) -> bool:
    return access(roles, relation)[category].allows_write(scope)
