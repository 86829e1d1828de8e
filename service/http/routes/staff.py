"""Staff accounts, managed by the admin, who sees no beneficiary data at all."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec
from litestar import Response, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.policy import Role
from service.http.deps import Services
from service.http.headers import IfMatch, expected_version
from service.http.problems import ForbiddenError
from service.http.security import Principal
from service.staff.accounts import StaffMember

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class NewStaff(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9._-]{2,50}$")]
    display_name: Name
    password: Annotated[str, msgspec.Meta(max_length=200)]
    roles: Annotated[list[Role], msgspec.Meta(min_length=1)]
    language: Literal["fr", "en"] = "fr"


class StaffChange(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    roles: Annotated[list[Role], msgspec.Meta(min_length=1)] | None = None
    active: bool | None = None
    language: Literal["fr", "en"] | None = None


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


def _admin_only(principal: Principal) -> None:
    if Role.ADMIN not in principal.staff.roles:
        raise ForbiddenError("only an admin manages staff accounts")


@get("/staff", tags=["staff"])
async def list_staff(principal: NamedDependency[Principal], services: NamedDependency[Services]) -> list[StaffView]:
    _admin_only(principal)
    return [StaffView.of(s) for s in await services.accounts.all()]


@post("/staff", tags=["staff"])
async def create_staff(
    data: JSONBody[NewStaff], principal: NamedDependency[Principal], services: NamedDependency[Services]
) -> Response[StaffView]:
    _admin_only(principal)
    staff = await services.accounts.create(
        data.username, data.display_name, data.password, data.roles, services.clock(), language=data.language
    )
    return Response(StaffView.of(staff), status_code=201, headers={"ETag": f'"{staff.version}"'})


@patch("/staff/{staff_id:uuid}", tags=["staff"])
async def change_staff(
    staff_id: FromPath[UUID],
    data: JSONBody[StaffChange],
    principal: NamedDependency[Principal],
    services: NamedDependency[Services],
    if_match: IfMatch = None,
) -> Response[StaffView]:
    _admin_only(principal)
    version = expected_version(if_match)
    if version is None:
        version = (await services.accounts.get(staff_id)).version
    staff = await services.accounts.update(
        staff_id, version, roles=data.roles, active=data.active, language=data.language
    )
    return Response(StaffView.of(staff), headers={"ETag": f'"{staff.version}"'})


ROUTES = [list_staff, create_staff, change_staff]
