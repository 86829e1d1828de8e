"""Staff accounts, managed by the admin, who sees no beneficiary data at all."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Response, Router, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.policy import Role
from service.application import staff as accounts
from service.application.context import Actor, ApplicationContext
from service.application.staff import ChangeStaff, CreateStaff, ResetPassword, StaffView
from service.http.guards import requires
from service.http.headers import IfMatch, expected_version
from service.http.openapi import area
from service.staff.passwords import MIN_LENGTH

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class NewStaff(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9._-]{2,50}$")]
    display_name: Name
    password: Annotated[str, msgspec.Meta(min_length=MIN_LENGTH, max_length=200)]
    roles: Annotated[list[Role], msgspec.Meta(min_length=1)]
    language: Literal["fr", "en"] = "fr"
    site: Name | None = None
    """One of the centre's sites (its settings list them); none: the main site."""


class StaffChange(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    roles: Annotated[list[Role], msgspec.Meta(min_length=1)] | None = None
    active: bool | None = None
    language: Literal["fr", "en"] | None = None
    site: Name | msgspec.UnsetType | None = msgspec.UNSET
    """One of the centre's sites; null: the main site; left out: unchanged."""


class NewPassword(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    password: Annotated[str, msgspec.Meta(min_length=MIN_LENGTH, max_length=200)]
    """Temporary: the member chooses their own at the next sign-in."""


def _with_etag(staff: StaffView, status: int = 200) -> Response[StaffView]:
    return Response(staff, status_code=status, headers={"ETag": f'"{staff.version}"'})


@get("/")
async def list_staff(ctx: NamedDependency[ApplicationContext], actor: NamedDependency[Actor]) -> list[StaffView]:
    return await accounts.list_staff(ctx, actor)


@post("/")
async def create_staff(
    data: JSONBody[NewStaff], ctx: NamedDependency[ApplicationContext], actor: NamedDependency[Actor]
) -> Response[StaffView]:
    creation = CreateStaff(
        username=data.username,
        display_name=data.display_name,
        password=data.password,
        roles=data.roles,
        language=data.language,
        site=data.site,
    )
    return _with_etag(await accounts.create_staff(ctx, actor, creation), 201)


@patch("/{staff_id:uuid}")
async def change_staff(
    staff_id: FromPath[UUID],
    data: JSONBody[StaffChange],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
    if_match: IfMatch = None,
) -> Response[StaffView]:
    change = ChangeStaff(
        staff_id=staff_id,
        roles=data.roles,
        active=data.active,
        language=data.language,
        site=data.site,
        expected_version=expected_version(if_match),
    )
    return _with_etag(await accounts.change_staff(ctx, actor, change))


@post("/{staff_id:uuid}/password", status_code=200)
async def reset_password(
    staff_id: FromPath[UUID],
    data: JSONBody[NewPassword],
    ctx: NamedDependency[ApplicationContext],
    actor: NamedDependency[Actor],
) -> Response[StaffView]:
    """Set a temporary password: the account's sessions end and its lock-out is lifted (recorded)."""
    reset = ResetPassword(staff_id=staff_id, password=data.password)
    return _with_etag(await accounts.reset_password(ctx, actor, reset))


@post("/{staff_id:uuid}/unlock", status_code=200)
async def unlock(
    staff_id: FromPath[UUID], ctx: NamedDependency[ApplicationContext], actor: NamedDependency[Actor]
) -> Response[StaffView]:
    """Let a member locked out after repeated failed sign-ins try again now (recorded)."""
    return _with_etag(await accounts.unlock_staff(ctx, actor, staff_id))


ROUTES = [
    Router(
        "/staff",
        route_handlers=[list_staff, create_staff, change_staff, reset_password, unlock],
        guards=[requires(Role.ADMIN)],
        tags=["staff"],
        opt=area(conflicts=True),
    )
]
