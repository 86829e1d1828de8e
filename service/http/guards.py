"""Role guards, declared once on an area's router: the roles that may use it at all.

A guard only sorts callers by role. What a caller may read or change about a person is
still decided by the access policy, in the application layer, for every door alike.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from domain.policy import Role
from service.http.deps import principal_of
from service.http.problems import ForbiddenError
from service.http.security import Principal

Who = Callable[[ASGIConnection[Any, Any, Any, Any]], Awaitable[Principal]]


def requires(*roles: Role, who: Who = principal_of) -> Guard:
    """Let through only a caller holding one of ``roles`` (403 otherwise, 401 when not signed in)."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = await who(connection)
        if not any(role in principal.staff.roles for role in roles):
            raise ForbiddenError("this belongs to another role")

    return guard
