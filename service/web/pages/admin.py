"""Admin: staff accounts and roles (the admin sees no beneficiary data at all)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from domain.policy import Role
from service.application import staff as accounts
from service.application.context import ApplicationContext
from service.application.staff import ChangeStaff, CreateStaff
from service.web.viewer import Viewer, page, pages_for


@get("/", include_in_schema=False)
async def staff_list(
    viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext], done: FromQuery[str] = ""
) -> Template:
    members = await accounts.list_staff(ctx, viewer.principal.actor)
    return page(viewer, "admin/staff.html", "admin.title", members=members, roles=list(Role), done=done)


@post("/", include_in_schema=False)
async def create(
    request: Request[Any, Any, Any], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[Any]:
    form = await request.form()
    creation = CreateStaff(
        username=str(form.get("username", "")),
        display_name=str(form.get("display_name", "")),
        password=str(form.get("password", "")),
        roles=[Role(r) for r in form.getall("roles", [])],
        language="en" if form.get("language") == "en" else "fr",
    )
    await accounts.create_staff(ctx, viewer.principal.actor, creation)
    return Redirect("/ui/admin/staff?done=created", status_code=303)


@post("/{staff_id:uuid}", include_in_schema=False)
async def change(
    staff_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    form = await request.form()
    roles = [Role(r) for r in form.getall("roles", [])] or None  # none ticked: the roles stay as they are
    change = ChangeStaff(staff_id=staff_id, roles=roles, active=form.get("active") == "on")
    await accounts.change_staff(ctx, viewer.principal.actor, change)
    return Redirect("/ui/admin/staff?done=changed", status_code=303)


ROUTES = [Router("/ui/admin/staff", route_handlers=[staff_list, create, change], guards=pages_for(Role.ADMIN))]
