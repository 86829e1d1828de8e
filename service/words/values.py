"""Fields and values in words: what each field of an event is called, and how its value reads.

An event's body is what was stored (strings, numbers, lists, maps); the event class of
``domain/`` says what each field is (a date, an enumeration, a staff member, a DigComp
competence...), so each value is shown by its kind, never as it was stored. Identifiers of
records are never shown; staff members are shown by name.
"""

from __future__ import annotations

import enum
import functools
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Union
from uuid import UUID

import msgspec

from domain.appointment import AppointmentKind, AppointmentStatus
from domain.base import Category
from domain.case_values import CaseDomain, CaseOutcome, DocumentKind
from domain.certificate import CertificateKind, DocumentLanguage
from domain.consent import Evidence, Purpose
from domain.office_hours import RequestCategory, VisitStatus
from domain.organisations import OrganisationKind
from domain.person import LegalBasis, Situation
from domain.policy import Role, Scope
from domain.referral import ReferralSource, ReferralStatus
from domain.reminder import Channel, FailureReason, ReminderStatus, WithdrawalReason
from domain.rights import IdentityCheck, ObjectionDecision, RequestStatus, Right
from domain.training import AssessmentKind, AttendanceStatus, RecordStatus
from service.words import formatting

if TYPE_CHECKING:
    from service.words.translator import Translator

ENUM_KINDS: dict[type[enum.Enum], str] = {
    Role: "role",
    AttendanceStatus: "attendance",
    RecordStatus: "record",
    AssessmentKind: "assessment",
    RequestCategory: "request",
    VisitStatus: "visit_status",
    CaseDomain: "domain",
    CaseOutcome: "outcome",
    DocumentKind: "document",
    Purpose: "purpose",
    Evidence: "evidence",
    ReferralSource: "source",
    ReferralStatus: "referral_status",
    Category: "category",
    Scope: "scope",
    Situation: "situation",
    LegalBasis: "basis",
    Right: "right",
    IdentityCheck: "identity",
    RequestStatus: "request_status",
    ObjectionDecision: "objection",
    OrganisationKind: "organisation",
    CertificateKind: "certificate_kind",
    AppointmentKind: "appointment_kind",
    AppointmentStatus: "appointment_status",
    DocumentLanguage: "document_language",
    Channel: "reminder_channel",
    ReminderStatus: "reminder_status",
    FailureReason: "reminder_failure",
    WithdrawalReason: "reminder_withdrawal",
}
"""Each enumeration of ``domain/`` and the catalogue prefix of its words (``purpose.contact_sms``)."""

NOT_SHOWN: frozenset[str] = frozenset(
    {
        # how the event is stored, not what happened
        "originator_id",
        "originator_version",
        "originator_topic",
        "timestamp",
        # identifiers of records: the page links to the record, it never shows its id
        "person_id",
        "note_id",
        "follow_up_id",
        "document_id",
        "referral_id",
        "case_id",
        "source_id",
        "cohort_id",
        "hold_id",
        "access_id",
        "consent_record_id",
        "given_version",
        "appointment_id",
        "visit_id",
        # a file's fingerprint: the export keeps it for the DPO; to a reader it is a raw value
        "sha256",
        # the other record of a merge: the sentence names it by its file number
        "kept_id",
        "duplicate_id",
    }
)
"""Fields never shown as such."""

STAFF_FIELDS: frozenset[str] = frozenset({"social_worker_id", "helper_id", "trainer_id", "trainer_ids"})
"""Fields that name staff members other than the one who acted: shown by display name."""

WRITTEN: dict[str, Callable[[str], str]] = {"niss": formatting.niss, "phone": formatting.phone}
"""Values stored in one form (11 digits, E.164) and read as people write them (85.07.30-033.28, 0470 12 34 56)."""

ACTOR_FIELDS: frozenset[str] = frozenset({"author_id", "staff_id"})
"""Fields that name who acted (with every ``*_by``): the sentence says it, the details do not repeat it."""


def names_staff(field: str) -> bool:
    return field in STAFF_FIELDS or is_actor(field)


def is_actor(field: str) -> bool:
    return field in ACTOR_FIELDS or field.endswith("_by")


def label(t: Translator, owner: str, field: str) -> str:
    """The field's name, in the words of the record it belongs to when it differs (``field.Help.description``)."""
    specific = f"field.{owner}.{field}"
    return t(specific) if specific in t.catalogue else t(f"field.{field}")


class Fields:
    """Renders the fields of one event body: ``[(label, value)]``, nested structures flattened."""

    def __init__(
        self, t: Translator, staff_name: Callable[[str], str], special: Mapping[str, Callable[[Any], str | None]]
    ) -> None:
        self._t = t
        self._staff_name = staff_name
        self._special = special

    def of(
        self, owner: type, body: Mapping[str, Any], skip: frozenset[str] = frozenset(), actor: str | None = None
    ) -> list[tuple[str, str]]:
        """The fields worth reading, in the order the record declares them (``skip``: said in the sentence)."""
        shown: list[tuple[str, str]] = []
        for field, annotation in struct_fields(owner).items():
            if field in NOT_SHOWN or field in skip or field not in body or is_actor(field):
                continue
            raw = body[field]
            if field in STAFF_FIELDS and actor is not None and str(raw) == actor:
                continue  # the one who acted, already named
            inner = _optional(annotation)
            if _is_struct(inner) and isinstance(raw, Mapping) and field not in self._special:
                shown += self.of(inner, raw, skip, actor)
                continue
            if raw is False:
                continue  # "no" says nothing a reader misses: only what is so is shown
            text = self.value(field, annotation, raw)
            if text:
                shown.append((label(self._t, owner.__qualname__, field), text))
        return shown

    def value(self, field: str, annotation: Any, raw: Any, *, inline: bool = False) -> str | None:
        """One value in words; None when there is nothing to show. ``inline``: inside a sentence."""
        if raw is None or raw == "" or (isinstance(raw, list | tuple | dict) and not raw):
            return None
        if field in self._special:
            return self._special[field](raw)
        t = self._t
        kind = _optional(annotation)
        if names_staff(field):
            ids = raw if isinstance(raw, list) else [raw]
            return ", ".join(self._staff_name(str(i)) for i in ids)
        if typing.get_origin(kind) is tuple:
            element = typing.get_args(kind)[0]
            items = [self.value(field, element, item, inline=inline) for item in raw]
            return ", ".join(item for item in items if item)
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            return t.inline(ENUM_KINDS[kind], raw) if inline else t.of(ENUM_KINDS[kind], raw)
        if kind is bool:
            return t("yes") if raw else t("no")
        if kind is date:
            return t.date(raw if isinstance(raw, date) else date.fromisoformat(str(raw)))
        if kind is datetime:
            return t.moment(raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw)))
        if kind is Decimal or kind is int:
            return t.number(Decimal(str(raw)))
        if kind is UUID:
            return None  # an identifier that names no staff member: never shown
        if field in WRITTEN:
            return WRITTEN[field](str(raw))
        return str(raw)


def _optional(annotation: Any) -> Any:
    """``X | None`` -> ``X``."""
    if typing.get_origin(annotation) in (Union, types.UnionType):
        others = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(others) == 1:
            return others[0]
    return annotation


def _is_struct(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, msgspec.Struct)


@functools.cache
def struct_fields(kind: type) -> dict[str, Any]:
    """A structure's fields and their types (for the tests that check every field has a name)."""
    return {
        name: annotation
        for name, annotation in typing.get_type_hints(kind).items()
        if typing.get_origin(annotation) is not typing.ClassVar
    }


def nested_struct(annotation: Any) -> type | None:
    inner = _optional(annotation)
    return inner if _is_struct(inner) else None
