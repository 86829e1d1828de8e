"""Signing in, the same for every door: the API's ``/auth/sign-in`` and the sign-in page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Literal

import msgspec

from service.staff.accounts import SignInRefusedError, StaffAccounts, StaffMember
from service.staff.sessions import NewSession, Sessions

SessionKind = Literal["cookie", "bearer"]


class AccountWithoutRoleError(SignInRefusedError):
    """The password is right, but the account has no role yet (older data): nothing to open, and it says so."""

    def __init__(self) -> None:
        Exception.__init__(self, "this account has no role yet; an admin must give it one")


class SignedInStaff(msgspec.Struct, frozen=True):
    staff: StaffMember
    session: NewSession


async def open_session(
    accounts: StaffAccounts,
    sessions: Sessions,
    username: str,
    password: str,
    kind: SessionKind,
    now: datetime,
    *,
    wait: Callable[[float], Awaitable[Any]],
) -> SignedInStaff:
    """Check the password and open a session; a refusal first waits (``wait``) longer after each failure.

    An account without a role is told so (only once its password is right): a session would open no page.
    """
    staff, delay = await accounts.authenticate(username, password, now)
    if staff is None:
        await wait(delay)
        raise SignInRefusedError()
    if not staff.roles:
        raise AccountWithoutRoleError()
    return SignedInStaff(staff, await sessions.open(staff.staff_id, kind, now))
