"""Sign-in (session cookie for browsers, bearer token for API clients) and sign-out."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from service.http.deps import Services
from service.http.security import Principal
from service.http.session_cookie import forget_session_cookie, session_cookie
from service.staff.accounts import StaffMember
from service.staff.sign_in import SessionKind, open_session


class SignIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    mode: SessionKind = "cookie"


class Me(msgspec.Struct, frozen=True):
    staff_id: UUID
    username: str
    display_name: str
    roles: list[str]
    language: str

    @classmethod
    def of(cls, staff: StaffMember) -> Me:
        return cls(staff.staff_id, staff.username, staff.display_name, sorted(staff.roles), staff.language)


class SignedIn(msgspec.Struct, frozen=True):
    staff: Me
    csrf_token: str | None = None
    """For cookie sessions: send it back in the X-CSRF-Token header on every change."""
    token: str | None = None
    """For bearer sessions: send it as ``Authorization: Bearer <token>``."""


@post("/sign-in", status_code=200)
async def sign_in(data: JSONBody[SignIn], services: NamedDependency[Services]) -> Response[SignedIn]:
    signed_in = await open_session(
        services.accounts,
        services.sessions,
        data.username,
        data.password,
        data.mode,
        services.clock(),
        wait=services.sign_in_delay,
    )
    me, session = Me.of(signed_in.staff), signed_in.session
    if data.mode == "bearer":
        return Response(SignedIn(me, token=session.token))
    cookie = session_cookie(session.token, secure=services.secure_cookies)
    return Response(SignedIn(me, csrf_token=session.csrf_token), cookies=[cookie])


@post("/sign-out", status_code=204)
async def sign_out(principal: NamedDependency[Principal], services: NamedDependency[Services]) -> Response[None]:
    await services.sessions.close(principal.token)
    response: Response[None] = Response(None, status_code=204)
    forget_session_cookie(response)
    return response


@get("/me")
async def me(principal: NamedDependency[Principal]) -> Me:
    return Me.of(principal.staff)


# Signing in is open to anyone; signing out and /me need a session, whatever the role.
ROUTES = [Router("/auth", route_handlers=[sign_in, sign_out, me], tags=["auth"])]
