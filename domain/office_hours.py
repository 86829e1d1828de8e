"""An office-hours visit (passage à la permanence).

A person checks in to a session, waits, is called by a helper and is helped.
The queue of a session is the set of its waiting visits in check-in order
(:func:`queue`); it needs no aggregate of its own.
"""

import enum
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from uuid import UUID

import msgspec

from domain.base import Category, SuiviAggregate, aware, required_text
from domain.errors import DomainError, InvalidValueError

SHORT_TEXT = 280


class RequestCategory(enum.StrEnum):
    SOFTWARE = "software"
    TECHNICAL_PROBLEM = "technical_problem"
    ONLINE_PROCEDURE = "online_procedure"
    WRITING = "writing"
    QUESTION = "question"
    OTHER = "other"


class VisitStatus(enum.StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    HELPED = "helped"
    LEFT = "left"


class Help(msgspec.Struct, frozen=True):
    category: RequestCategory
    description: str
    help_given: str
    minutes: int
    helper_id: UUID
    follow_up_needed: bool = False


class VisitStateError(DomainError):
    """The visit is not at the step this command needs."""


class AlreadyReferredError(VisitStateError):
    """A visit leads to one referral at most."""


class UnknownSiteError(InvalidValueError):
    """Office hours are held at the centre's sites only (its settings list them)."""

    def __init__(self) -> None:
        super().__init__("site must be one of the centre's sites", field="site")


def known_site(site: str, sites: Sequence[str]) -> str:
    """``site`` as the centre names it: one of ``sites``, or refused (never a new, empty board)."""
    if site not in sites:
        raise UnknownSiteError()
    return site


class Visit(SuiviAggregate):
    CATEGORY = Category.OFFICE_HOURS

    def __init__(self) -> None:
        self.person_id: UUID | None = None
        self.session_on = date.min
        self.site = ""
        self.checked_in_at = datetime.min
        self.status = VisitStatus.WAITING
        self.called_by: UUID | None = None
        self.help: Help | None = None
        self.referral_id: UUID | None = None

    class CheckedIn(SuiviAggregate.Created):
        person_id: UUID
        session_on: date
        site: str
        checked_in_by: UUID

        def apply(self, visit: "Visit") -> None:
            visit.person_id = self.person_id
            visit.session_on = self.session_on
            visit.site = self.site
            visit.checked_in_at = self.timestamp

    class Called(SuiviAggregate.Event):
        helper_id: UUID

        def apply(self, visit: "Visit") -> None:
            visit.status = VisitStatus.CALLED
            visit.called_by = self.helper_id

    class Helped(SuiviAggregate.Event):
        help: Help

        def apply(self, visit: "Visit") -> None:
            visit.status = VisitStatus.HELPED
            visit.help = self.help

    class LeftWithoutHelp(SuiviAggregate.Event):
        noted_by: UUID

        def apply(self, visit: "Visit") -> None:
            visit.status = VisitStatus.LEFT

    class ReferredToSocialLegal(SuiviAggregate.Event):
        referral_id: UUID
        referred_by: UUID

        def apply(self, visit: "Visit") -> None:
            visit.referral_id = self.referral_id

    @classmethod
    def check_in(
        cls,
        visit_id: UUID,
        person_id: UUID,
        session_on: date,
        site: str,
        at: datetime,
        by: UUID,
    ) -> "Visit":
        return cls._create(
            cls.CheckedIn,
            id=visit_id,
            timestamp=aware(at),
            person_id=person_id,
            session_on=session_on,
            site=required_text(site, "site"),
            checked_in_by=by,
        )

    def subject_id(self) -> UUID | None:
        return self.person_id

    def call(self, helper_id: UUID, at: datetime) -> None:
        self._ensure_status(VisitStatus.WAITING)
        self.trigger_event(self.Called, timestamp=aware(at), helper_id=helper_id)

    def record_help(self, assistance: Help, at: datetime) -> None:
        """Record what was asked and done. A visit may be helped without a call."""
        self._ensure_status(VisitStatus.WAITING, VisitStatus.CALLED)
        required_text(assistance.description, "request description")
        required_text(assistance.help_given, "help given")
        if len(assistance.description) > SHORT_TEXT:
            raise InvalidValueError(f"the description is kept under {SHORT_TEXT} chars")
        if assistance.minutes < 0:
            raise InvalidValueError("minutes spent cannot be negative")
        assistance = msgspec.structs.replace(assistance, category=RequestCategory(assistance.category))
        self.trigger_event(self.Helped, timestamp=aware(at), help=assistance)

    def note_left(self, at: datetime, by: UUID) -> None:
        self._ensure_status(VisitStatus.WAITING, VisitStatus.CALLED)
        self.trigger_event(self.LeftWithoutHelp, timestamp=aware(at), noted_by=by)

    def note_referral(self, referral_id: UUID, at: datetime, by: UUID) -> None:
        """Use ``domain.workflows.refer_visit``, which also makes the referral.

        During the visit (called) or once helped: the helper refers while the person is there,
        and may record the help afterwards.
        """
        self._ensure_status(VisitStatus.CALLED, VisitStatus.HELPED)
        if self.referral_id is not None:
            raise AlreadyReferredError(f"visit {self.id} was already referred")
        self.trigger_event(
            self.ReferredToSocialLegal,
            timestamp=aware(at),
            referral_id=referral_id,
            referred_by=by,
        )

    def _ensure_status(self, *allowed: VisitStatus) -> None:
        if self.status not in allowed:
            raise VisitStateError(f"visit {self.id} is {self.status}")


def queue(visits: Iterable[Visit], session_on: date, site: str) -> list[Visit]:
    """The people still waiting at a session, first come first served."""
    waiting = [v for v in visits if v.session_on == session_on and v.site == site and v.status is VisitStatus.WAITING]
    return sorted(waiting, key=lambda v: (v.checked_in_at, v.version))
