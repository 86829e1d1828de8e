"""Staff accounts, managed by the admin, who sees no beneficiary data at all.

Accounts live in ``service.staff.accounts`` (not in the event store: they are the staff's
own data, not the beneficiaries'); these functions are the admin's door to them. Every
change the admin makes is written to the staff audit (``service.staff.audit``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import msgspec

from domain.errors import InvalidValueError
from domain.office_hours import known_site
from domain.policy import Role
from service.application.context import Actor, ApplicationContext
from service.application.errors import RoleRequiredError
from service.staff.accounts import StaffMember
from service.staff.audit import AuditEntry, entries_of


class NotAnAdminError(RoleRequiredError):
    """Only an admin manages staff accounts.

    Refused by every door as any ``NotAuthorisedError``, though accounts are
    no data category of the access policy (the policy is about beneficiaries).
    """

    def __init__(self) -> None:
        super().__init__("managing staff accounts")


class AccountNeedsARoleError(InvalidValueError):
    """An account without a role opens no page at all: the admin gives it one at creation."""

    def __init__(self) -> None:
        super().__init__("an account needs at least one role", field="roles")


class StaffView(msgspec.Struct, frozen=True):
    staff_id: UUID
    username: str
    display_name: str
    roles: list[str]
    language: str
    active: bool
    version: int
    site: str | None = None
    """The office-hours site the member works at; None: the centre's main site."""
    locked_until: datetime | None = None
    """Sign-in refused until then, after repeated failures (None: not locked)."""
    password_temporary: bool = False
    """The password was set by the admin; the member chooses their own at the next sign-in."""

    @classmethod
    def of(cls, staff: StaffMember, now: datetime | None = None) -> StaffView:
        locked = staff.locked_until if staff.locked_until and now and staff.locked_until > now else None
        return cls(
            staff.staff_id,
            staff.username,
            staff.display_name,
            sorted(staff.roles),
            staff.language,
            staff.active,
            staff.version,
            staff.site,
            locked,
            staff.password_temporary,
        )


class StaffAccount(msgspec.Struct, frozen=True):
    """One account and what the admin last did to it."""

    staff: StaffView
    history: list[AuditEntry]


class CreateStaff(msgspec.Struct, frozen=True, kw_only=True):
    username: str
    display_name: str
    password: str
    roles: Sequence[Role]
    language: str = "fr"
    site: str | None = None


class ChangeStaff(msgspec.Struct, frozen=True, kw_only=True):
    """What is None (``site``: left out) stays as it is."""

    staff_id: UUID
    roles: Sequence[Role] | None = None
    active: bool | None = None
    language: str | None = None
    site: str | msgspec.UnsetType | None = msgspec.UNSET
    """One of the centre's sites, or None for its main site."""
    expected_version: int | None = None
    """Refuse (409) unless the account is at this version; None: change it as it is now."""


class ResetPassword(msgspec.Struct, frozen=True, kw_only=True):
    staff_id: UUID
    password: str
    """Temporary: given to the member, who replaces it at the next sign-in."""


def _ensure_admin(actor: Actor) -> None:
    if Role.ADMIN not in actor.roles:
        raise NotAnAdminError()


def _site(ctx: ApplicationContext, site: str | None) -> str | None:
    return None if site is None else known_site(site, ctx.centre.sites)


async def list_staff(ctx: ApplicationContext, actor: Actor) -> list[StaffView]:
    _ensure_admin(actor)
    now = ctx.clock()
    return [StaffView.of(s, now) for s in await ctx.accounts.all()]


async def staff_account(ctx: ApplicationContext, actor: Actor, staff_id: UUID) -> StaffAccount:
    _ensure_admin(actor)
    staff = await ctx.accounts.get(staff_id)
    async with ctx.pool.acquire() as connection:
        history = await entries_of(connection, staff_id)
    return StaffAccount(StaffView.of(staff, ctx.clock()), history)


async def create_staff(ctx: ApplicationContext, actor: Actor, command: CreateStaff) -> StaffView:
    _ensure_admin(actor)
    c = command
    if not c.roles:
        raise AccountNeedsARoleError()
    site = _site(ctx, c.site)
    staff = await ctx.accounts.create(
        c.username, c.display_name, c.password, c.roles, ctx.clock(), language=c.language, site=site, by=actor.staff_id
    )
    return StaffView.of(staff)


async def change_staff(ctx: ApplicationContext, actor: Actor, command: ChangeStaff) -> StaffView:
    """Roles, active, language, site; the last active admin keeps both (``LastAdminError``)."""
    _ensure_admin(actor)
    c = command
    if c.roles is not None and not c.roles:
        raise AccountNeedsARoleError()
    site = c.site if isinstance(c.site, msgspec.UnsetType) else _site(ctx, c.site)
    version = c.expected_version
    if version is None:
        version = (await ctx.accounts.get(c.staff_id)).version
    staff = await ctx.accounts.update(
        c.staff_id,
        version,
        roles=c.roles,
        active=c.active,
        language=c.language,
        site=site,
        by=actor.staff_id,
        at=ctx.clock(),
    )
    return StaffView.of(staff)


async def reset_password(ctx: ApplicationContext, actor: Actor, command: ResetPassword) -> StaffView:
    """A way back in: a temporary password; the account's sessions end and its lock-out is lifted."""
    _ensure_admin(actor)
    staff = await ctx.accounts.reset_password(command.staff_id, command.password, ctx.clock(), actor.staff_id)
    return StaffView.of(staff)


async def unlock_staff(ctx: ApplicationContext, actor: Actor, staff_id: UUID) -> StaffView:
    """Lift a lock-out after repeated failed sign-ins, before it ends by itself."""
    _ensure_admin(actor)
    staff = await ctx.accounts.unlock(staff_id, ctx.clock(), actor.staff_id)
    return StaffView.of(staff)
