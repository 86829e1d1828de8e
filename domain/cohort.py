"""A DigiLab cohort (cohorte, session DigiLab): dates, trainers and seats.

Not personal: seats and the waiting list hold person ids only, and ids are
not personal data in Suivi. So the cohort stream is readable by anyone who
may see rosters, and survives every erasure unchanged.
"""

from datetime import date, datetime, timedelta
from uuid import UUID

from domain.base import Category, SuiviAggregate, aware, required_text
from domain.errors import DomainError, InvalidValueError

DEFAULT_CAPACITY = 12
DEFAULT_HOURS_PER_DAY = 4
SATURDAY = 5


class CohortFullError(DomainError):
    """Every seat is taken; the person can go on the waiting list."""


class AlreadyInCohortError(DomainError):
    """The person already holds a seat or a place on the waiting list."""


class NotInCohortError(DomainError):
    """The person holds no seat (or no waiting-list place) in this cohort."""


class NotASessionDayError(DomainError):
    """The cohort does not meet on that date."""


def weekdays_between(starts_on: date, ends_on: date) -> tuple[date, ...]:
    days = (starts_on + timedelta(n) for n in range((ends_on - starts_on).days + 1))
    return tuple(d for d in days if d.weekday() < SATURDAY)


class Cohort(SuiviAggregate):
    CATEGORY = Category.TRAINING

    def __init__(self) -> None:
        self.name = ""
        self.site = ""
        self.starts_on = date.min
        self.ends_on = date.min
        self.session_days: tuple[date, ...] = ()
        self.hours_per_day = DEFAULT_HOURS_PER_DAY
        self.capacity = DEFAULT_CAPACITY
        self.trainer_ids: tuple[UUID, ...] = ()
        self.seats: tuple[UUID, ...] = ()
        self.waiting_list: tuple[UUID, ...] = ()

    class Scheduled(SuiviAggregate.Created):
        name: str
        site: str
        starts_on: date
        ends_on: date
        session_days: tuple[date, ...]
        hours_per_day: int
        capacity: int
        trainer_ids: tuple[UUID, ...]
        scheduled_by: UUID

        def apply(self, cohort: "Cohort") -> None:
            cohort.name = self.name
            cohort.site = self.site
            cohort.starts_on = self.starts_on
            cohort.ends_on = self.ends_on
            cohort.session_days = self.session_days
            cohort.hours_per_day = self.hours_per_day
            cohort.capacity = self.capacity
            cohort.trainer_ids = self.trainer_ids

    class TrainerAssigned(SuiviAggregate.Event):
        trainer_id: UUID
        assigned_by: UUID

        def apply(self, cohort: "Cohort") -> None:
            cohort.trainer_ids += (self.trainer_id,)

    class TrainerUnassigned(SuiviAggregate.Event):
        trainer_id: UUID
        unassigned_by: UUID

        def apply(self, cohort: "Cohort") -> None:
            cohort.trainer_ids = tuple(t for t in cohort.trainer_ids if t != self.trainer_id)

    class CapacityChanged(SuiviAggregate.Event):
        capacity: int
        changed_by: UUID

        def apply(self, cohort: "Cohort") -> None:
            cohort.capacity = self.capacity

    class SeatReserved(SuiviAggregate.Event):
        person_id: UUID
        reserved_by: UUID

        def apply(self, cohort: "Cohort") -> None:
            cohort.seats += (self.person_id,)

    class Waitlisted(SuiviAggregate.Event):
        person_id: UUID
        waitlisted_by: UUID

        def apply(self, cohort: "Cohort") -> None:
            cohort.waiting_list += (self.person_id,)

    class SeatReleased(SuiviAggregate.Event):
        person_id: UUID
        released_by: UUID

        def apply(self, cohort: "Cohort") -> None:
            cohort.seats = tuple(p for p in cohort.seats if p != self.person_id)

    class PromotedFromWaitingList(SuiviAggregate.Event):
        """A person waiting takes a free seat: the first in line, or the one the trainer chose."""

        person_id: UUID
        promoted_by: UUID

        def apply(self, cohort: "Cohort") -> None:
            cohort.waiting_list = tuple(p for p in cohort.waiting_list if p != self.person_id)
            cohort.seats += (self.person_id,)

    class LeftWaitingList(SuiviAggregate.Event):
        person_id: UUID
        removed_by: UUID

        def apply(self, cohort: "Cohort") -> None:
            cohort.waiting_list = tuple(p for p in cohort.waiting_list if p != self.person_id)

    @classmethod
    def schedule(
        cls,
        cohort_id: UUID,
        name: str,
        site: str,
        starts_on: date,
        ends_on: date,
        at: datetime,
        by: UUID,
        *,
        session_days: tuple[date, ...] | None = None,
        hours_per_day: int = DEFAULT_HOURS_PER_DAY,
        capacity: int = DEFAULT_CAPACITY,
        trainer_ids: tuple[UUID, ...] = (),
    ) -> "Cohort":
        """Schedule a cohort; session days default to the weekdays of the period."""
        if ends_on < starts_on:
            raise InvalidValueError("a cohort cannot end before it starts", field="ends_on")
        if capacity < 1:
            raise InvalidValueError("a cohort needs at least one seat")
        if not 0 < hours_per_day <= 24:
            raise InvalidValueError("hours per day must be between 1 and 24")
        days = weekdays_between(starts_on, ends_on) if session_days is None else tuple(sorted(set(session_days)))
        if not days or days[0] < starts_on or days[-1] > ends_on:
            raise InvalidValueError("session days must fall within the cohort dates", field="session_days")
        return cls._create(
            cls.Scheduled,
            id=cohort_id,
            timestamp=aware(at),
            name=required_text(name, "cohort name"),
            site=required_text(site, "site"),
            starts_on=starts_on,
            ends_on=ends_on,
            session_days=days,
            hours_per_day=hours_per_day,
            capacity=capacity,
            trainer_ids=tuple(dict.fromkeys(trainer_ids)),
            scheduled_by=by,
        )

    def subject_id(self) -> UUID | None:
        return None

    @property
    def is_full(self) -> bool:
        return len(self.seats) >= self.capacity

    def is_session_day(self, day: date) -> bool:
        return day in self.session_days

    def ensure_session_day(self, day: date) -> None:
        if not self.is_session_day(day):
            raise NotASessionDayError(f"cohort {self.id} does not meet on {day.isoformat()}")

    def holds_seat(self, person_id: UUID) -> bool:
        return person_id in self.seats

    def assign_trainer(self, trainer_id: UUID, at: datetime, by: UUID) -> None:
        if trainer_id in self.trainer_ids:
            return
        self.trigger_event(
            self.TrainerAssigned,
            timestamp=aware(at),
            trainer_id=trainer_id,
            assigned_by=by,
        )

    def unassign_trainer(self, trainer_id: UUID, at: datetime, by: UUID) -> None:
        if trainer_id not in self.trainer_ids:
            return
        self.trigger_event(
            self.TrainerUnassigned,
            timestamp=aware(at),
            trainer_id=trainer_id,
            unassigned_by=by,
        )

    def reserve_seat(self, person_id: UUID, at: datetime, by: UUID) -> None:
        self._ensure_absent(person_id)
        if self.is_full:
            raise CohortFullError(f"cohort {self.id} is full")
        self.trigger_event(
            self.SeatReserved,
            timestamp=aware(at),
            person_id=person_id,
            reserved_by=by,
        )

    def join_waiting_list(self, person_id: UUID, at: datetime, by: UUID) -> int:
        """Put the person at the end of the queue; returns their 1-based place."""
        self._ensure_absent(person_id)
        self.trigger_event(
            self.Waitlisted,
            timestamp=aware(at),
            person_id=person_id,
            waitlisted_by=by,
        )
        return len(self.waiting_list)

    def seat_from_waiting_list(self, person_id: UUID, at: datetime, by: UUID) -> None:
        """Give a free seat to this person waiting, whatever their place (the trainer called them first).

        Use ``domain.training.seat_from_waiting_list``, which also opens the record.
        """
        if person_id not in self.waiting_list:
            raise NotInCohortError(f"no such person on the waiting list of {self.id}")
        if self.is_full:
            raise CohortFullError(f"cohort {self.id} is full")
        self.trigger_event(
            self.PromotedFromWaitingList,
            timestamp=aware(at),
            person_id=person_id,
            promoted_by=by,
        )

    def leave_waiting_list(self, person_id: UUID, at: datetime, by: UUID) -> None:
        if person_id not in self.waiting_list:
            raise NotInCohortError(f"no such person on the waiting list of {self.id}")
        self.trigger_event(
            self.LeftWaitingList,
            timestamp=aware(at),
            person_id=person_id,
            removed_by=by,
        )

    def release_seat(self, person_id: UUID, at: datetime, by: UUID) -> UUID | None:
        """Free the seat and give it to the next person waiting, whose id is returned."""
        if person_id not in self.seats:
            raise NotInCohortError(f"no such person holds a seat in {self.id}")
        self.trigger_event(
            self.SeatReleased,
            timestamp=aware(at),
            person_id=person_id,
            released_by=by,
        )
        return self._promote_next(at, by)

    def change_capacity(self, capacity: int, at: datetime, by: UUID) -> tuple[UUID, ...]:
        """Resize; extra seats go to the waiting list in order (ids returned)."""
        if capacity < max(1, len(self.seats)):
            raise InvalidValueError("capacity cannot drop below the seats taken")
        self.trigger_event(
            self.CapacityChanged,
            timestamp=aware(at),
            capacity=capacity,
            changed_by=by,
        )
        promoted: list[UUID] = []
        while (person_id := self._promote_next(at, by)) is not None:
            promoted.append(person_id)
        return tuple(promoted)

    def _promote_next(self, at: datetime, by: UUID) -> UUID | None:
        if self.is_full or not self.waiting_list:
            return None
        person_id = self.waiting_list[0]
        self.trigger_event(
            self.PromotedFromWaitingList,
            timestamp=aware(at),
            person_id=person_id,
            promoted_by=by,
        )
        return person_id

    def _ensure_absent(self, person_id: UUID) -> None:
        if person_id in self.seats or person_id in self.waiting_list:
            raise AlreadyInCohortError(f"person already listed in cohort {self.id}")
