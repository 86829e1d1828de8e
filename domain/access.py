"""Access records: every read of a person's data is itself an event; and the DPO's review of break-glass ones.

Each access is its own short stream (one ``Recorded`` event), so recording a read
never contends with another read of the same person. A break-glass access is reviewed
by the DPO once (``AccessReview``): that review is not about the person, so it carries no
personal data and stays readable after the person's erasure.
"""

from datetime import datetime
from typing import ClassVar
from uuid import UUID, uuid5

from domain.base import Category, SuiviAggregate, aware


class AccessRecord(SuiviAggregate):
    CATEGORY = Category.ACCESS

    def __init__(self) -> None:
        self.person_id: UUID | None = None

    class Recorded(SuiviAggregate.Created):
        """Who read which person's data, through which view, why, and on what basis.

        ``basis`` names the consent or rule relied on (e.g. ``caseload``,
        ``consent:<record>:<version>``, ``break_glass``); a break-glass ``reason`` is
        free text written by staff, so it is personal data and encrypted like the rest.
        """

        person_id: UUID
        staff_id: UUID
        view: str
        purpose: str
        basis: str
        break_glass: bool
        reason: str | None

        def apply(self, record: "AccessRecord") -> None:
            record.person_id = self.person_id

    @classmethod
    def record(
        cls,
        access_id: UUID,
        person_id: UUID,
        staff_id: UUID,
        view: str,
        purpose: str,
        basis: str,
        at: datetime,
        *,
        break_glass: bool = False,
        reason: str | None = None,
    ) -> "AccessRecord":
        return cls._create(
            cls.Recorded,
            id=access_id,
            timestamp=aware(at),
            person_id=person_id,
            staff_id=staff_id,
            view=view,
            purpose=purpose,
            basis=basis,
            break_glass=break_glass,
            reason=reason,
        )

    def subject_id(self) -> UUID | None:
        return self.person_id


_REVIEWS = UUID("0b9d3a8e-2f4c-4e61-9a57-6c1f0d2e8b41")


def review_id_of(access_id: UUID) -> UUID:
    """The one review stream of an access: a second review of the same access is a conflict, never a copy."""
    return uuid5(_REVIEWS, str(access_id))


class AccessReview(SuiviAggregate):
    """The DPO has looked at a break-glass access (who read whose file, and the reason given)."""

    CATEGORY = Category.ACCESS

    def __init__(self) -> None:
        self.access_id: UUID | None = None
        self.reviewed_by: UUID | None = None

    class Reviewed(SuiviAggregate.Created):
        """``access_id`` is the reviewed ``AccessRecord``; who reviewed is ``reviewed_by``, when is the timestamp."""

        PERSONAL: ClassVar[bool] = False
        access_id: UUID
        reviewed_by: UUID

        def apply(self, review: "AccessReview") -> None:
            review.access_id = self.access_id
            review.reviewed_by = self.reviewed_by

    @classmethod
    def review(cls, access_id: UUID, by: UUID, at: datetime) -> "AccessReview":
        return cls._create(
            cls.Reviewed, id=review_id_of(access_id), timestamp=aware(at), access_id=access_id, reviewed_by=by
        )

    def subject_id(self) -> UUID | None:
        return None
