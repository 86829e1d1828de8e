"""The session cookie, set at sign-in and forgotten at sign-out by the API and the pages alike."""

from __future__ import annotations

from typing import Any

from litestar import Response
from litestar.datastructures import Cookie

from service.http.security import SESSION_COOKIE


def session_cookie(token: str, *, secure: bool) -> Cookie:
    """HttpOnly and SameSite=Strict: scripts cannot read it and other sites cannot send it."""
    return Cookie(key=SESSION_COOKIE, value=token, httponly=True, secure=secure, samesite="strict", path="/")


def forget_session_cookie(response: Response[Any]) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
