"""Admin: staff accounts and roles (the admin sees no beneficiary data at all)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from domain.policy import Role
from service.http.deps import Services
from service.http.routes import staff as staff_routes
from service.web.viewer import Viewer, page


@get("/ui/admin/staff", include_in_schema=False)
async def staff_list(
    viewer: NamedDependency[Viewer], services: NamedDependency[Services], done: FromQuery[str] = ""
) -> Template:
    viewer.require(Role.ADMIN)
    members = await staff_routes.list_staff.fn(principal=viewer.principal, services=services)
    return page(viewer, "admin/staff.html", "admin.title", members=members, roles=list(Role), done=done)


@post("/ui/admin/staff", include_in_schema=False)
async def create(
    request: Request[Any, Any, Any], viewer: NamedDependency[Viewer], services: NamedDependency[Services]
) -> Response[Any]:
    viewer.require(Role.ADMIN)
    form = await request.form()
    data = staff_routes.NewStaff(
        username=str(form.get("username", "")),
        display_name=str(form.get("display_name", "")),
        password=str(form.get("password", "")),
        roles=[Role(r) for r in form.getall("roles", [])],
        language="en" if form.get("language") == "en" else "fr",
    )
    await staff_routes.create_staff.fn(data=data, principal=viewer.principal, services=services)
    return Redirect("/ui/admin/staff?done=created", status_code=303)


@post("/ui/admin/staff/{staff_id:uuid}", include_in_schema=False)
async def change(
    staff_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    services: NamedDependency[Services],
) -> Response[Any]:
    viewer.require(Role.ADMIN)
    form = await request.form()
    data = staff_routes.StaffChange(
        roles=[Role(r) for r in form.getall("roles", [])] or None, active=form.get("active") == "on"
    )
    await staff_routes.change_staff.fn(
        staff_id=staff_id, data=data, principal=viewer.principal, services=services, if_match=None
    )
    return Redirect("/ui/admin/staff?done=changed", status_code=303)


ROUTES = [staff_list, create, change]
