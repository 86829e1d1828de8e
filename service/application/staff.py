"""Staff accounts, managed by the admin, who sees no beneficiary data at all.

Accounts live in ``service.staff.accounts`` (not in the event store: they are the staff's
own data, not the beneficiaries'); these functions are the admin's door to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import msgspec

from domain.policy import Role
from service.application.context import Actor, ApplicationContext
from service.application.errors import RoleRequiredError
from service.staff.accounts import StaffMember


class NotAnAdminError(RoleRequiredError):
    """Only an admin manages staff accounts.

    Refused by every door as any ``NotAuthorisedError``, though accounts are
    no data category of the access policy (the policy is about beneficiaries).
    """

    def __init__(self) -> None:
        super().__init__("managing staff accounts")


class StaffView(msgspec.Struct, frozen=True):
    staff_id: UUID
    username: str
    display_name: str
    roles: list[str]
    language: str
    active: bool
    version: int

    @classmethod
    def of(cls, staff: StaffMember) -> StaffView:
        return cls(
            staff.staff_id,
            staff.username,
            staff.display_name,
            sorted(staff.roles),
            staff.language,
            staff.active,
            staff.version,
        )


class CreateStaff(msgspec.Struct, frozen=True, kw_only=True):
    username: str
    display_name: str
    password: str
    roles: Sequence[Role]
    language: str = "fr"


class ChangeStaff(msgspec.Struct, frozen=True, kw_only=True):
    """What is None stays as it is."""

    staff_id: UUID
    roles: Sequence[Role] | None = None
    active: bool | None = None
    language: str | None = None
    expected_version: int | None = None
    """Refuse (409) unless the account is at this version; None: change it as it is now."""


def _ensure_admin(actor: Actor) -> None:
    if Role.ADMIN not in actor.roles:
        raise NotAnAdminError()


async def list_staff(ctx: ApplicationContext, actor: Actor) -> list[StaffView]:
    _ensure_admin(actor)
    return [StaffView.of(s) for s in await ctx.accounts.all()]


async def create_staff(ctx: ApplicationContext, actor: Actor, command: CreateStaff) -> StaffView:
    _ensure_admin(actor)
    c = command
    staff = await ctx.accounts.create(c.username, c.display_name, c.password, c.roles, ctx.clock(), language=c.language)
    return StaffView.of(staff)


async def change_staff(ctx: ApplicationContext, actor: Actor, command: ChangeStaff) -> StaffView:
    _ensure_admin(actor)
    c = command
    version = c.expected_version
    if version is None:
        version = (await ctx.accounts.get(c.staff_id)).version
    staff = await ctx.accounts.update(c.staff_id, version, roles=c.roles, active=c.active, language=c.language)
    return StaffView.of(staff)
