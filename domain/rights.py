"""Rights requests (GDPR Art. 12 to 22): what a person asked the DPO, and by when it must be answered.

One request is one stream about the person (category ``gdpr``). Art. 12(3): the answer is
due within one month of receipt; the DPO may extend that by up to two further months, with a
reason, and must tell the person within the first month. An objection (Art. 21) is handled
like a restriction until the DPO decides: the service restricts the person when the objection
is received (``restricted_person`` says whether this request did it) and lifts the
restriction again only if the objection is rejected and this request had imposed it.
"""

import calendar
import enum
from datetime import date, datetime, timedelta
from uuid import UUID

from domain.base import Category, SuiviAggregate, aware, required_text
from domain.errors import DomainError, InvalidValueError

ANSWER_WITHIN_MONTHS = 1
MAX_EXTENSION_MONTHS = 2


class Right(enum.StrEnum):
    ACCESS = "access"  # Art. 15
    PORTABILITY = "portability"  # Art. 20
    RECTIFICATION = "rectification"  # Art. 16
    ERASURE = "erasure"  # Art. 17
    RESTRICTION = "restriction"  # Art. 18
    OBJECTION = "objection"  # Art. 21


class IdentityCheck(enum.StrEnum):
    """How the centre made sure the request comes from the person (Art. 12(6))."""

    ID_DOCUMENT = "id_document"
    KNOWN_IN_PERSON = "known_in_person"
    ELECTRONIC_ID = "electronic_id"
    OTHER = "other"


class RequestStatus(enum.StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    REFUSED = "refused"


class ObjectionDecision(enum.StrEnum):
    UPHELD = "upheld"  # processing stays restricted
    REJECTED = "rejected"  # compelling legitimate grounds: the restriction is lifted


class RequestClosedError(DomainError):
    """The request was already answered or refused."""


class ExtensionRefusedError(DomainError):
    """Art. 12(3): at most two more months, announced within the first month."""


class NotAnObjectionError(DomainError):
    """Only an objection is decided by upholding or rejecting it."""


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class RightsRequest(SuiviAggregate):
    CATEGORY = Category.GDPR

    def __init__(self) -> None:
        self.person_id: UUID | None = None
        self.right = Right.ACCESS
        self.received_on = date.min
        self.extension_months = 0
        self.status = RequestStatus.OPEN
        self.restricted_person = False
        self.objection_decision: ObjectionDecision | None = None

    class Received(SuiviAggregate.Created):
        person_id: UUID
        right: Right
        received_on: date
        identity_check: IdentityCheck
        identity_note: str
        details: str
        restricted_person: bool
        received_by: UUID

        def apply(self, request: "RightsRequest") -> None:
            request.person_id = self.person_id
            request.right = self.right
            request.received_on = self.received_on
            request.restricted_person = self.restricted_person

    class DeadlineExtended(SuiviAggregate.Event):
        months: int
        reason: str
        extended_by: UUID

        def apply(self, request: "RightsRequest") -> None:
            request.extension_months += self.months

    class Answered(SuiviAggregate.Event):
        answer: str
        answered_by: UUID

        def apply(self, request: "RightsRequest") -> None:
            request.status = RequestStatus.ANSWERED

    class Refused(SuiviAggregate.Event):
        reason: str
        refused_by: UUID

        def apply(self, request: "RightsRequest") -> None:
            request.status = RequestStatus.REFUSED

    class ObjectionDecided(SuiviAggregate.Event):
        decision: ObjectionDecision
        reason: str
        decided_by: UUID

        def apply(self, request: "RightsRequest") -> None:
            request.objection_decision = self.decision
            request.status = RequestStatus.ANSWERED

    @classmethod
    def receive(
        cls,
        request_id: UUID,
        person_id: UUID,
        right: Right,
        received_on: date,
        identity_check: IdentityCheck,
        identity_note: str,
        at: datetime,
        by: UUID,
        *,
        details: str = "",
        restricted_person: bool = False,
    ) -> "RightsRequest":
        if received_on > aware(at).date():
            raise InvalidValueError("a request cannot be received in the future")
        return cls._create(
            cls.Received,
            id=request_id,
            timestamp=at,
            person_id=person_id,
            right=Right(right),
            received_on=received_on,
            identity_check=IdentityCheck(identity_check),
            identity_note=identity_note.strip(),
            details=details.strip(),
            restricted_person=restricted_person,
            received_by=by,
        )

    def subject_id(self) -> UUID | None:
        return self.person_id

    @property
    def deadline(self) -> date:
        return add_months(self.received_on, ANSWER_WITHIN_MONTHS + self.extension_months)

    def is_overdue(self, on: date) -> bool:
        return self.status is RequestStatus.OPEN and on > self.deadline

    def is_nearly_due(self, on: date, within_days: int) -> bool:
        return self.status is RequestStatus.OPEN and on <= self.deadline <= on + timedelta(days=within_days)

    def extend(self, months: int, reason: str, at: datetime, by: UUID) -> None:
        self._ensure_open()
        if months < 1 or self.extension_months + months > MAX_EXTENSION_MONTHS:
            raise ExtensionRefusedError(f"request {self.id}: at most {MAX_EXTENSION_MONTHS} more months in all")
        if aware(at).date() > add_months(self.received_on, ANSWER_WITHIN_MONTHS):
            raise ExtensionRefusedError(f"request {self.id}: an extension is announced within the first month")
        self.trigger_event(
            self.DeadlineExtended,
            timestamp=at,
            months=months,
            reason=required_text(reason, "the reason for an extension"),
            extended_by=by,
        )

    def answer(self, answer: str, at: datetime, by: UUID) -> None:
        self._ensure_open()
        self.trigger_event(
            self.Answered, timestamp=aware(at), answer=required_text(answer, "the answer"), answered_by=by
        )

    def refuse(self, reason: str, at: datetime, by: UUID) -> None:
        self._ensure_open()
        self.trigger_event(
            self.Refused, timestamp=aware(at), reason=required_text(reason, "the reason for a refusal"), refused_by=by
        )

    def decide_objection(self, decision: ObjectionDecision, reason: str, at: datetime, by: UUID) -> None:
        self._ensure_open()
        if self.right is not Right.OBJECTION:
            raise NotAnObjectionError(f"request {self.id} is a {self.right} request")
        self.trigger_event(
            self.ObjectionDecided,
            timestamp=aware(at),
            decision=ObjectionDecision(decision),
            reason=required_text(reason, "the reason for the decision"),
            decided_by=by,
        )

    def _ensure_open(self) -> None:
        if self.status is not RequestStatus.OPEN:
            raise RequestClosedError(f"request {self.id} is {self.status}")
