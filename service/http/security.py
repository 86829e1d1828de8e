"""Who is calling: a bearer token, or a session cookie with CSRF protection on unsafe methods."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection

from service.application.context import Actor
from service.http.problems import CsrfError, NotSignedInError
from service.staff.accounts import StaffAccounts, StaffMember
from service.staff.sessions import Sessions

SESSION_COOKIE = "suivi_session"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass(frozen=True)
class Principal:
    staff: StaffMember
    token: str
    kind: str  # "cookie" or "bearer"

    @property
    def actor(self) -> Actor:
        return Actor(self.staff.staff_id, self.staff.roles)


async def authenticate(
    request: ASGIConnection[Any, Any, Any, Any], sessions: Sessions, accounts: StaffAccounts, now: Any
) -> Principal:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        token, kind = header[7:].strip(), "bearer"
    else:
        token, kind = request.cookies.get(SESSION_COOKIE, ""), "cookie"
    if not token:
        raise NotSignedInError()
    session = await sessions.find(token, now)
    if session is None or session.kind != kind:
        raise NotSignedInError("the session has expired or was closed; sign in again")
    if kind == "cookie" and request.scope.get("method") not in _SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
            raise CsrfError()
    staff = await accounts.get(session.staff_id)
    if not staff.active:
        raise NotSignedInError("this account is deactivated")
    return Principal(staff, token, kind)
