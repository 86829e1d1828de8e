"""Admin: staff accounts and roles (the admin sees no beneficiary data at all)."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from litestar import Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from domain.policy import Role
from service.application import staff as accounts
from service.application.context import ApplicationContext
from service.application.staff import ChangeStaff, CreateStaff
from service.web.errors import shown_again
from service.web.kept import Checks, FormFieldError, Kept
from service.web.viewer import NAME_LENGTH, Form, Viewer, page, pages_for

_USERNAME = re.compile(r"^[a-z0-9._-]{2,50}$")


async def _staff_page(viewer: Viewer, ctx: ApplicationContext, done: str = "", kept: Kept | None = None) -> Template:
    members = await accounts.list_staff(ctx, viewer.principal.actor)
    done = done if done in ("created", "changed") else ""
    return page(viewer, "admin/staff.html", "admin.title", members=members, roles=list(Role), done=done, kept=kept)


@get("/", include_in_schema=False)
async def staff_list(
    viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext], done: FromQuery[str] = ""
) -> Template:
    return await _staff_page(viewer, ctx, done)


def _creation(form: Form) -> CreateStaff:
    """The new account as typed; every field that cannot be used is named at once."""
    check = Checks()
    username = form.get("username", "").strip().lower()
    if not _USERNAME.match(username):
        check.problems.append(FormFieldError("username", "username"))
    display_name = check(lambda name: form.text(name, NAME_LENGTH, required=True), "display_name")
    check(lambda name: form.text(name, 200, required=True), "password")
    roles = check(lambda name: form.choices(name, Role), "roles")
    if roles == []:
        check.problems.append(FormFieldError("roles", "choice"))
    check.done()
    return CreateStaff(
        username=username,
        display_name=display_name or "",
        password=form.get("password", ""),
        roles=roles or [],
        language="en" if form.get("language") == "en" else "fr",
    )


@post("/", include_in_schema=False)
async def create(
    form: NamedDependency[Form], viewer: NamedDependency[Viewer], ctx: NamedDependency[ApplicationContext]
) -> Response[Any]:
    async def attempt() -> Response[Any]:
        await accounts.create_staff(ctx, viewer.principal.actor, _creation(form))
        return Redirect("/ui/admin/staff?done=created", status_code=303)

    async def again(kept: Kept) -> Template:
        return await _staff_page(viewer, ctx, kept=kept)

    return await shown_again(form, viewer, attempt, again)


@post("/{staff_id:uuid}", include_in_schema=False)
async def change(
    staff_id: FromPath[UUID],
    form: NamedDependency[Form],
    viewer: NamedDependency[Viewer],
    ctx: NamedDependency[ApplicationContext],
) -> Response[Any]:
    async def attempt() -> Response[Any]:
        roles = form.choices("roles", Role) or None  # none ticked: the roles stay as they are
        changing = ChangeStaff(staff_id=staff_id, roles=roles, active=form.get("active") == "on")
        await accounts.change_staff(ctx, viewer.principal.actor, changing)
        return Redirect("/ui/admin/staff?done=changed", status_code=303)

    async def again(kept: Kept) -> Template:
        return await _staff_page(viewer, ctx, kept=kept)

    return await shown_again(form, viewer, attempt, again)


ROUTES = [Router("/ui/admin/staff", route_handlers=[staff_list, create, change], guards=pages_for(Role.ADMIN))]
