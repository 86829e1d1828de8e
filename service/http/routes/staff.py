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
from service.application.staff import ChangeStaff, CreateStaff, StaffView
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


class StaffChange(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    roles: Annotated[list[Role], msgspec.Meta(min_length=1)] | None = None
    active: bool | None = None
    language: Literal["fr", "en"] | None = None


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
        expected_version=expected_version(if_match),
    )
    return _with_etag(await accounts.change_staff(ctx, actor, change))


ROUTES = [
    Router(
        "/staff",
        route_handlers=[list_staff, create_staff, change_staff],
        guards=[requires(Role.ADMIN)],
        tags=["staff"],
        opt=area(conflicts=True),
    )
]
