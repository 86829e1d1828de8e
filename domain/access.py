"""Access records: every read of a person's data is itself an event.

Each access is its own short stream (one ``Recorded`` event), so recording a read
never contends with another read of the same person.
"""

from datetime import datetime
from uuid import UUID

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
