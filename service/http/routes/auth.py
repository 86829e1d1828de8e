"""Sign-in (session cookie for browsers, bearer token for API clients) and sign-out."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import JSONBody

from service.http.deps import Services
from service.http.security import SESSION_COOKIE, Principal
from service.staff.accounts import SignInRefusedError, StaffMember
from service.staff.sessions import NewSession


class SignIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    mode: Literal["cookie", "bearer"] = "cookie"


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


async def open_session(services: Services, username: str, password: str, mode: str) -> tuple[StaffMember, NewSession]:
    """Check the password (slowing down repeated failures) and open a session; shared with the web pages."""
    now = services.clock()
    staff, delay = await services.accounts.authenticate(username, password, now)
    if staff is None:
        await services.sign_in_delay(delay)
        raise SignInRefusedError()
    return staff, await services.sessions.open(staff.staff_id, mode, now)


def session_cookie(services: Services, token: str) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        httponly=True,
        secure=services.secure_cookies,
        samesite="strict",
        path="/",
    )


@post("/auth/sign-in", status_code=200, tags=["auth"])
async def sign_in(data: JSONBody[SignIn], services: NamedDependency[Services]) -> Response[SignedIn]:
    staff, opened = await open_session(services, data.username, data.password, data.mode)
    if data.mode == "bearer":
        return Response(SignedIn(Me.of(staff), token=opened.token))
    cookie = session_cookie(services, opened.token)
    return Response(SignedIn(Me.of(staff), csrf_token=opened.csrf_token), cookies=[cookie])


@post("/auth/sign-out", status_code=204, tags=["auth"])
async def sign_out(principal: NamedDependency[Principal], services: NamedDependency[Services]) -> Response[None]:
    await services.sessions.close(principal.token)
    response: Response[None] = Response(None, status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@get("/auth/me", tags=["auth"])
async def me(principal: NamedDependency[Principal]) -> Me:
    return Me.of(principal.staff)


ROUTES = [sign_in, sign_out, me]
