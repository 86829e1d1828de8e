"""The centre always keeps an active admin: without one, nobody can manage accounts or let anyone back in.

The rule is pure (:func:`ensure_an_admin_remains`); ``StaffAccounts.update`` applies it inside
the transaction that changes the account, with the active admins locked, so that two admins
taking each other's role at the same moment cannot both succeed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from uuid import UUID

from domain.errors import InvalidValueError
from domain.policy import Role


class LastAdminError(InvalidValueError):
    """The change would leave the centre without any active admin; ``field`` is the one to blame."""

    def __init__(self, field: str) -> None:
        super().__init__(f"the last active admin cannot lose the {field} it needs", field=field)


def ensure_an_admin_remains(
    active_admins: Collection[UUID], staff_id: UUID, roles: Iterable[Role] | None, active: bool | None
) -> None:
    """Refuse a change of ``staff_id`` (new ``roles``, ``active``; None: unchanged) that leaves no active admin."""
    if staff_id not in active_admins or any(admin != staff_id for admin in active_admins):
        return
    if active is False:
        raise LastAdminError("active")
    if roles is not None and Role.ADMIN not in set(roles):
        raise LastAdminError("roles")
